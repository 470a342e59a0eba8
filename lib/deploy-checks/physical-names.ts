/**
 * The property that sets a resource's physical name, per type, and how far the name must be
 * unique: 'region' (per account and region), 'account' (IAM: global in an account) or 'global'
 * (S3 bucket names).
 */
export const PHYSICAL_NAME_PROPERTIES: Record<string, { readonly property: string; readonly scope: 'region' | 'account' | 'global' }> = {
  'AWS::ECR::Repository': { property: 'RepositoryName', scope: 'region' },
  'AWS::SQS::Queue': { property: 'QueueName', scope: 'region' },
  'AWS::S3::Bucket': { property: 'BucketName', scope: 'global' },
  'AWS::Logs::LogGroup': { property: 'LogGroupName', scope: 'region' },
  'AWS::DynamoDB::Table': { property: 'TableName', scope: 'region' },
  'AWS::DynamoDB::GlobalTable': { property: 'TableName', scope: 'region' },
  'AWS::ECS::Cluster': { property: 'ClusterName', scope: 'region' },
  'AWS::SNS::Topic': { property: 'TopicName', scope: 'region' },
  'AWS::SecretsManager::Secret': { property: 'Name', scope: 'region' },
  'AWS::SSM::Parameter': { property: 'Name', scope: 'region' },
  'AWS::KMS::Alias': { property: 'AliasName', scope: 'region' },
  'AWS::Lambda::Function': { property: 'FunctionName', scope: 'region' },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { property: 'Name', scope: 'region' },
  'AWS::ElasticLoadBalancingV2::TargetGroup': { property: 'Name', scope: 'region' },
  'AWS::ServiceDiscovery::HttpNamespace': { property: 'Name', scope: 'region' },
  'AWS::IAM::Role': { property: 'RoleName', scope: 'account' },
  'AWS::IAM::ManagedPolicy': { property: 'ManagedPolicyName', scope: 'account' },
  'AWS::RDS::DBInstance': { property: 'DBInstanceIdentifier', scope: 'region' },
};
