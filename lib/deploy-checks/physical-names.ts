/**
 * Physical names: the property that names a resource, and where that name must be unique. One
 * table for every deploy check (ESK-NAME1, ESK-RET1 and the update comparison).
 *
 * Most come from the CloudFormation registry schemas (schema-facts.ts): a type whose primary
 * identifier the template sets in full is named by it (AlarmName, RepositoryName, a capacity
 * provider's Name), unique within the identifier's other properties. The schemas cannot say it
 * for a name AWS turns into a generated identifier (an SQS QueueName into a QueueUrl), nor where
 * the identifier leaves out the parent the name is unique in (an EventBridge schedule's group):
 * NAMED_BY_HAND lists those, each from the property's CloudFormation documentation.
 */
import { schemaFacts } from './schema-facts';

export interface PhysicalName {
  /** The property. */
  readonly name: string;
  /** Properties of the parent the name is unique in (an ECS service's Cluster). */
  readonly scope: readonly string[];
  /** The value of a scope property when it is absent (the `default` cluster). */
  readonly defaults?: { readonly [property: string]: unknown };
  /** What the value is, in messages: `name`, `port`, `record`. */
  readonly what: string;
  /** Unique per account and region, per account (IAM), or across AWS (S3 bucket names). */
  readonly unique: 'region' | 'account' | 'global';
}

type HandEntry = Omit<PhysicalName, 'what' | 'unique' | 'scope'> & Partial<Pick<PhysicalName, 'what' | 'scope'>>;

/** Names the schemas do not give, or give with too narrow a scope. */
const NAMED_BY_HAND: { readonly [type: string]: HandEntry } = {
  // ServiceName: "must be unique in a cluster"; no Cluster means the account's `default` cluster.
  'AWS::ECS::Service': { name: 'ServiceName', scope: ['Cluster'], defaults: { Cluster: 'default' } },
  // The schema's identifier is Name, but a schedule's name is unique in its group (`default` when absent).
  'AWS::Scheduler::Schedule': { name: 'Name', scope: ['GroupName'], defaults: { GroupName: 'default' } },
  'AWS::SQS::Queue': { name: 'QueueName' },
  'AWS::SNS::Topic': { name: 'TopicName' },
  'AWS::SecretsManager::Secret': { name: 'Name' },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { name: 'Name' },
  'AWS::ElasticLoadBalancingV2::TargetGroup': { name: 'Name' },
  // Not a name, but as exclusive: one listener per port of a load balancer.
  'AWS::ElasticLoadBalancingV2::Listener': { name: 'Port', scope: ['LoadBalancerArn'], what: 'port' },
  // GroupName: unique within the VPC.
  'AWS::EC2::SecurityGroup': { name: 'GroupName', scope: ['VpcId'] },
  'AWS::EC2::LaunchTemplate': { name: 'LaunchTemplateName' },
  'AWS::IAM::ManagedPolicy': { name: 'ManagedPolicyName' },
  'AWS::ServiceDiscovery::HttpNamespace': { name: 'Name' },
  'AWS::ServiceDiscovery::PrivateDnsNamespace': { name: 'Name', scope: ['Vpc'] },
  'AWS::ServiceDiscovery::Service': { name: 'Name', scope: ['NamespaceId'] },
  'AWS::Route53::RecordSet': { name: 'Name', scope: ['Type', 'HostedZoneId', 'HostedZoneName', 'SetIdentifier'], what: 'record' },
};

const cache = new Map<string, PhysicalName | undefined>();

/** The physical name of a resource type, or undefined when it has none (or none the checks know). */
export function physicalName(type: string): PhysicalName | undefined {
  if (cache.has(type)) return cache.get(type);
  // IAM is global to the account, and so are CloudWatch dashboards (one name across regions, as
  // lib/validation/unique-names.ts claims them); S3 bucket names are global across accounts.
  const unique = type === 'AWS::S3::Bucket' ? 'global' : type.startsWith('AWS::IAM::') || type === 'AWS::CloudWatch::Dashboard' ? 'account' : 'region';
  const hand = NAMED_BY_HAND[type];
  const facts = hand ? undefined : schemaFacts(type);
  const spec: PhysicalName | undefined = hand
    ? { what: 'name', scope: [], unique, ...hand }
    : facts?.name !== undefined ? { name: facts.name, scope: facts.nameScope, what: 'name', unique } : undefined;
  cache.set(type, spec);
  return spec;
}

/** The types NAMED_BY_HAND lists (for the tests that keep them honest). */
export function typesNamedByHand(): string[] {
  return Object.keys(NAMED_BY_HAND);
}
