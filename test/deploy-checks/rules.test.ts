import { DEPLOY_CHECK_RULES } from '../../lib/deploy-checks/pack';
import { CfnResource, DeployCheckRule, StackTemplate } from '../../lib/deploy-checks/rule';
import { ESK_ACCT1 } from '../../lib/deploy-checks/rules/cloudformation/one-per-account-twice';
import { ESK_NAME1 } from '../../lib/deploy-checks/rules/cloudformation/physical-name-duplicated';
import { ESK_RET1 } from '../../lib/deploy-checks/rules/cloudformation/retained-resource-with-physical-name';
import { ESK_ECR1 } from '../../lib/deploy-checks/rules/ecr/image-from-repository-created-empty';
import { ESK_ECR2 } from '../../lib/deploy-checks/rules/ecr/lifecycle-rule-expires-release-images';
import { ESK_ECS1 } from '../../lib/deploy-checks/rules/ecs/capacity-provider-association-not-depended-on';
import { ESK_ECS8 } from '../../lib/deploy-checks/rules/ecs/deployment-alarm-fires-on-healthy-start';
import { ESK_ECS7 } from '../../lib/deploy-checks/rules/ecs/deployment-alarm-slower-than-bake';
import { ESK_ECS3 } from '../../lib/deploy-checks/rules/ecs/desired-count-resets-auto-scaling';
import { ESK_ECS4 } from '../../lib/deploy-checks/rules/ecs/fargate-bind-mount-not-writable';
import { ESK_ECS6 } from '../../lib/deploy-checks/rules/ecs/load-balancer-container-not-in-task-definition';
import { ESK_ECS2 } from '../../lib/deploy-checks/rules/ecs/managed-termination-protection-blocks-delete';
import { ESK_ECS5 } from '../../lib/deploy-checks/rules/ecs/no-circuit-breaker-or-alarms';
import { ESK_SC1 } from '../../lib/deploy-checks/rules/ecs/service-connect-client-before-publishers';
import { ESK_SC2 } from '../../lib/deploy-checks/rules/ecs/service-connect-namespace-by-name';
import { ESK_ELB3 } from '../../lib/deploy-checks/rules/elb/access-log-bucket-kms-encrypted';
import { ESK_ELB2 } from '../../lib/deploy-checks/rules/elb/access-log-bucket-policy-missing';
import { ESK_ELB4 } from '../../lib/deploy-checks/rules/elb/dual-stack-subnet-without-ipv6';
import { ESK_ELB7 } from '../../lib/deploy-checks/rules/elb/instance-target-type-for-awsvpc';
import { ESK_ELB1 } from '../../lib/deploy-checks/rules/elb/listener-rule-priority-duplicated';
import { ESK_ELB8 } from '../../lib/deploy-checks/rules/elb/load-balancer-cannot-reach-tasks';
import { ESK_ELB6 } from '../../lib/deploy-checks/rules/elb/target-group-without-listener';
import { ESK_ELB5 } from '../../lib/deploy-checks/rules/elb/too-many-target-groups';
import { ESK_LOG1 } from '../../lib/deploy-checks/rules/logs/log-group-without-retention';
import { ESK_VPC1 } from '../../lib/deploy-checks/rules/vpc/isolated-tasks-without-vpc-endpoints';
import { arn, cluster, fargateTask, ref, service, stack } from './fixtures';

const replicationConfig = { Type: 'AWS::ECR::ReplicationConfiguration', Properties: { ReplicationConfiguration: { Rules: [{ Destinations: [{ Region: 'us-west-2', RegistryId: '111111111111' }] }] } } };
/**
 * An ALB forwarding to a Fargate service on 8080, with its security groups as aws-ecs-patterns
 * writes them: the ALB's group denies all egress but a rule to the tasks' group, whose ingress
 * rule lets the ALB's group in.
 */
const reachable = (o: { ingressPort?: number | [number, number]; egress?: boolean; cidr?: boolean }) => {
  const [from, to] = Array.isArray(o.ingressPort) ? o.ingressPort : [o.ingressPort ?? 8080, o.ingressPort ?? 8080];
  return {
    LbSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'lb', VpcId: ref('Vpc'),
      SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 80, ToPort: 80 }],
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }] } },
    ...(o.egress === false ? {} : { LbSgEgress: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: {
      GroupId: { 'Fn::GetAtt': ['LbSg', 'GroupId'] }, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: { 'Fn::GetAtt': ['SvcSg', 'GroupId'] } } } }),
    SvcSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'tasks', VpcId: ref('Vpc') } },
    SvcSgIngress: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['SvcSg', 'GroupId'] }, IpProtocol: 'tcp', FromPort: from, ToPort: to,
      ...(o.cidr ? { CidrIp: '10.0.0.0/16' } : { SourceSecurityGroupId: { 'Fn::GetAtt': ['LbSg', 'GroupId'] } }) } },
    Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', SecurityGroups: [{ 'Fn::GetAtt': ['LbSg', 'GroupId'] }], Subnets: ['subnet-1', 'subnet-2'] } },
    Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: ref('Alb'), Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: ref('Tg') }] } },
    Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: ref('Vpc') } },
    Cluster: cluster,
    Task: fargateTask(),
    Svc: service({
      LaunchType: 'FARGATE', LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: ref('Tg') }],
      NetworkConfiguration: { AwsvpcConfiguration: { SecurityGroups: [{ 'Fn::GetAtt': ['SvcSg', 'GroupId'] }], Subnets: ['subnet-1'] } },
    }, ['Listener']),
  };
};
const namespace = { Type: 'AWS::ServiceDiscovery::PrivateDnsNamespace', Properties: { Name: 'internal', Vpc: ref('Vpc') } };
const scanning = { Type: 'AWS::ECR::RegistryScanningConfiguration', Properties: { ScanType: 'ENHANCED', Rules: [] } };

interface Case {
  readonly rule: DeployCheckRule;
  /** Templates that trigger the rule, and the logical ids it must name. */
  readonly bad: StackTemplate[];
  readonly flagged: string[];
  /** The same app made safe: the rule finds nothing. */
  readonly good: StackTemplate[];
}

const association = (strategy: unknown[] = []) => ({ Type: 'AWS::ECS::ClusterCapacityProviderAssociations', Properties: { Cluster: ref('Cluster'), CapacityProviders: ['FARGATE', 'FARGATE_SPOT'], DefaultCapacityProviderStrategy: strategy } });
const spot = { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] };

const alarmed = (names: unknown[], config: Record<string, unknown> = {}) => service({ DeploymentConfiguration: { ...config, Alarms: { Enable: true, Rollback: true, AlarmNames: names } } });
const metricAlarm = (name: string, namespace: string, period: number) => ({ MetricName: name, Namespace: namespace, Period: period, Statistic: 'Maximum' });
const mathAlarm = (name: string, period: number) => ({
  Metrics: [{ Id: 'm', ReturnData: false, MetricStat: { Metric: { MetricName: name, Namespace: 'AWS/ApplicationELB' }, Period: period, Stat: 'Sum' } }, { Id: 'e', Expression: 'IF(m > 0, 1, 0)', Period: period }],
});
const alarm = (name: string, metric: Record<string, unknown>, evaluationPeriods: number, datapoints: number) => ({
  Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: name, ...metric, EvaluationPeriods: evaluationPeriods, DatapointsToAlarm: datapoints, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' },
});

const asg = (protectedFromScaleIn: boolean) => ({ Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1', MaxSize: '2', NewInstancesProtectedFromScaleIn: protectedFromScaleIn } });
const capacityProvider = (protection: string) => ({ Type: 'AWS::ECS::CapacityProvider', Properties: { AutoScalingGroupProvider: { AutoScalingGroupArn: ref('Asg'), ManagedTerminationProtection: protection } } });

const rule = (listener: unknown, priority: number, tg = 'Tg') => ({ Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { ListenerArn: listener, Priority: priority, Actions: [{ Type: 'forward', TargetGroupArn: ref(tg) }], Conditions: [] } });
const listener = { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: ref('Alb'), Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'fixed-response' }] } };
const exportListener = { ListenerExport: { Value: ref('Listener'), Export: { Name: 'Shared:Listener' } } };

const repoImage = { 'Fn::Join': ['', [{ 'Fn::Select': [4, { 'Fn::Split': [':', arn('Repo')] }] }, '.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', ref('Repo'), ':v1']] };
const assetImage = { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.us-east-1.${AWS::URLSuffix}/cdk-hnb659fds-container-assets-${AWS::AccountId}-us-east-1:abc' };

const lifecycle = (rules: unknown[]) => ({ Type: 'AWS::ECR::Repository', Properties: { LifecyclePolicy: { LifecyclePolicyText: JSON.stringify({ rules }) } } });
const untagged7d = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } };
const keepReleases = { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 20 }, action: { type: 'expire' } };
const anyOver30 = (priority: number) => ({ rulePriority: priority, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } });

const alb = (attributes: unknown[], extra: Record<string, unknown> = {}, dependsOnIds?: string[]) => ({
  Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  Properties: { Type: 'application', Subnets: [ref('SubnetA'), ref('SubnetB')], LoadBalancerAttributes: attributes, ...extra },
  ...(dependsOnIds ? { DependsOn: dependsOnIds } : {}),
});
const logsTo = (bucket: unknown) => [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: bucket }];
const logPolicy = { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: ref('Logs'), PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Principal: { AWS: 'arn:aws:iam::127311923021:root' }, Resource: '*' }] } } };
const bucket = (encryption = 'AES256') => ({ Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: encryption } }] } } });

const subnet = (ipv6 = false) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: ref('Vpc'), CidrBlock: '10.0.0.0/24', ...(ipv6 ? { Ipv6CidrBlock: '2600:1f18::/64' } : {}) } });

const scService = (services: unknown[] | undefined, dependsOnIds: string[] = []) => service({ ServiceConnectConfiguration: { Enabled: true, Namespace: arn('Namespace'), ...(services ? { Services: services } : {}) } }, dependsOnIds);

/** A VPC whose subnet Private has no default route; Public routes through an IGW. */
const isolatedNetwork = (withEndpoints: boolean) => ({
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
  Private: subnet(),
  PrivateRt: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('Vpc') } },
  PrivateAssoc: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: ref('Private'), RouteTableId: ref('PrivateRt') } },
  ...(withEndpoints ? Object.fromEntries(['sqs', 'ecr.api', 'ecr.dkr', 's3', 'logs'].map((svc) => [`Endpoint${svc.replace('.', '')}`, {
    Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcId: ref('Vpc'), ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${svc}`]] } },
  }])) : {}),
});
const queueTask = {
  ...fargateTask({ Image: assetImage, LogConfiguration: { LogDriver: 'awslogs', Options: {} } }, { TaskRoleArn: arn('TaskRole') }),
};
const queueWorkerResources = (withEndpoints: boolean) => ({
  ...isolatedNetwork(withEndpoints),
  Cluster: cluster,
  TaskRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
  TaskPolicy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [ref('TaskRole')], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage'], Resource: '*' }] } } },
  Task: queueTask,
  Worker: service({ NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [ref('Private')] } } }),
});

const tgs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Tg${i}`, { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { TargetType: 'ip' } }]));
const rules = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Rule${i}`, rule(ref('Listener'), i + 1, `Tg${i}`)]));

const targetGroup = (type?: string) => ({ Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 8080, Protocol: 'HTTP', ...(type ? { TargetType: type } : {}) } });
const lbService = (container = 'app', port = 8080, dependsOnIds: string[] = ['Rule']) => service({ LoadBalancers: [{ ContainerName: container, ContainerPort: port, TargetGroupArn: ref('Tg') }] }, dependsOnIds);

const CASES: Case[] = [
  {
    rule: ESK_ECS1,
    bad: [stack('A', { Cluster: cluster, Assoc: association(), Task: fargateTask(), Svc: service(spot) }),
      stack('B', { Cluster: cluster, Assoc: association([{ CapacityProvider: 'FARGATE', Weight: 1 }]), Task: fargateTask(), Svc: service() })],
    flagged: ['Svc', 'Svc'],
    good: [stack('A', { Cluster: cluster, Assoc: association(), Task: fargateTask(), Svc: service(spot, ['Assoc']) }),
      stack('B', { Cluster: cluster, Assoc: association(), Task: fargateTask(), Svc: service({ LaunchType: 'FARGATE' }) })],
  },
  {
    rule: ESK_ECS2,
    bad: [stack('A', { Asg: asg(true), Cp: capacityProvider('ENABLED') })],
    flagged: ['Cp'],
    good: [stack('A', { Asg: asg(false), Cp: capacityProvider('DISABLED') })],
  },
  {
    rule: ESK_ECS3,
    bad: [stack('A', { Cluster: cluster, Task: fargateTask(), Svc: service({ DesiredCount: 2 }),
      Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { ServiceNamespace: 'ecs', ResourceId: { 'Fn::Join': ['', ['service/', ref('Cluster'), '/', { 'Fn::GetAtt': ['Svc', 'Name'] }]] } } } })],
    flagged: ['Svc'],
    good: [stack('A', { Cluster: cluster, Task: fargateTask(), Svc: service(),
      Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { ServiceNamespace: 'ecs', ResourceId: { 'Fn::Join': ['', ['service/', ref('Cluster'), '/', { 'Fn::GetAtt': ['Svc', 'Name'] }]] } } },
      Other: service({ DesiredCount: 1 }) })],
  },
  {
    rule: ESK_ECS4,
    bad: [stack('A', { Task: fargateTask({ ReadonlyRootFilesystem: true, User: '1000:1000', MountPoints: [{ SourceVolume: 'tmp', ContainerPath: '/tmp' }] }, { Volumes: [{ Name: 'tmp' }] }) })],
    flagged: ['Task'],
    good: [stack('A', { Task: fargateTask({ ReadonlyRootFilesystem: true, MountPoints: [{ SourceVolume: 'tmp', ContainerPath: '/tmp' }] }, { Volumes: [{ Name: 'tmp' }] }),
      Efs: fargateTask({ ReadonlyRootFilesystem: true, User: '1000', MountPoints: [{ SourceVolume: 'data', ContainerPath: '/data' }] }, { Volumes: [{ Name: 'data', EFSVolumeConfiguration: { FilesystemId: 'fs-1' } }] }) })],
  },
  {
    rule: ESK_ECS5,
    bad: [stack('A', { Svc: service({ DeploymentConfiguration: { MinimumHealthyPercent: 50 } }) })],
    flagged: ['Svc'],
    good: [stack('A', { Svc: service(), Alarmed: service({ DeploymentConfiguration: { Alarms: { Enable: true, Rollback: true, AlarmNames: ['a'] } } }),
      BlueGreen: service({ DeploymentController: { Type: 'CODE_DEPLOY' }, DeploymentConfiguration: {} }) })],
  },
  {
    rule: ESK_ECS6,
    bad: [stack('A', { Task: fargateTask(), Tg: targetGroup('ip'), Port: lbService('app', 80), Name: lbService('web', 8080) })],
    flagged: ['Port', 'Name'],
    good: [stack('A', { Task: fargateTask(), Tg: targetGroup('ip'), Svc: lbService() })],
  },
  {
    rule: ESK_ECS7,
    bad: [
      // aws-cdk-lib's usual shape: one datapoint of one period, named by Ref.
      stack('A', { Cpu: alarm('cpu', metricAlarm('CPUUtilization', 'AWS/ECS', 60), 1, 1), Svc: alarmed([ref('Cpu')]) }),
      // This library before 0.2: 2 of 2 one-minute datapoints, named by literal (in another stack).
      stack('B', { Svc: alarmed(['web-5xx']) }),
      stack('Alarms', { Errors: alarm('web-5xx', mathAlarm('HTTPCode_Target_5XX_Count', 60), 2, 2) }),
    ],
    flagged: ['Svc', 'Svc'],
    good: [
      stack('A', { Errors: alarm('web-5xx', mathAlarm('HTTPCode_Target_5XX_Count', 60), 5, 2), Svc: alarmed(['web-5xx', 'imported-elsewhere']),
        Canary: alarmed(['fast'], { Strategy: 'CANARY' }), Fast: alarm('fast', metricAlarm('CPUUtilization', 'AWS/ECS', 60), 1, 1),
        Off: service({ DeploymentConfiguration: { Alarms: { Enable: false, Rollback: false, AlarmNames: ['fast'] } } }) }),
    ],
  },
  {
    rule: ESK_ECS8,
    bad: [stack('A', {
      Unhealthy: alarm('web-unhealthy', mathAlarm('UnHealthyHostCount', 60), 2, 2), Web: alarmed(['web-unhealthy']),
      Age: alarm('queue-age', metricAlarm('ApproximateAgeOfOldestMessage', 'AWS/SQS', 60), 3, 3), Worker: alarmed(['queue-age']),
    })],
    flagged: ['Web', 'Worker'],
    good: [stack('A', {
      Errors: alarm('web-5xx', mathAlarm('HTTPCode_Target_5XX_Count', 60), 5, 2), Web: alarmed(['web-5xx']),
      // Long enough that a 3-minute start cannot reach it.
      Patient: alarm('patient', metricAlarm('UnHealthyHostCount', 'AWS/ApplicationELB', 60), 10, 6), Slow: alarmed(['patient']),
    })],
  },
  {
    rule: ESK_ELB1,
    bad: [
      stack('Shared', { Alb: alb([]), Listener: listener, Tg: targetGroup('ip'), R1: rule(ref('Listener'), 10), R2: rule(ref('Listener'), 10) }, { outputs: exportListener }),
      stack('Api', { Tg: targetGroup('ip'), R3: rule({ 'Fn::ImportValue': 'Shared:Listener' }, 10) }),
      stack('Arn', { Tg: targetGroup('ip'), R4: rule('arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2', 5), R5: rule('arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2', 5) }),
    ],
    flagged: ['R1', 'R2', 'R3', 'R4', 'R5'],
    good: [
      stack('Shared', { Alb: alb([]), Listener: listener, Tg: targetGroup('ip'), R1: rule(ref('Listener'), 10), R2: rule(ref('Listener'), 20) }, { outputs: exportListener }),
      stack('Api', { Tg: targetGroup('ip'), R3: rule({ 'Fn::ImportValue': 'Shared:Listener' }, 30), Other: rule({ 'Fn::ImportValue': 'Elsewhere:Listener' }, 10) }),
    ],
  },
  {
    rule: ESK_ELB2,
    bad: [
      stack('Imported', { Alb: alb(logsTo('my-existing-logs')) }),
      stack('NoPolicy', { Logs: bucket(), Alb: alb(logsTo(ref('Logs'))) }),
      stack('NoDependency', { Logs: bucket(), LogsPolicy: logPolicy, Alb: alb(logsTo(ref('Logs'))) }),
    ],
    flagged: ['Alb', 'Alb', 'Alb'],
    good: [stack('Owned', { Logs: bucket(), LogsPolicy: logPolicy, Alb: alb(logsTo(ref('Logs')), {}, ['LogsPolicy']) }),
      stack('Off', { Alb: alb([{ Key: 'access_logs.s3.enabled', Value: 'false' }]) })],
  },
  {
    rule: ESK_ELB3,
    bad: [stack('A', { Logs: bucket('aws:kms'), LogsPolicy: logPolicy, Alb: alb(logsTo(ref('Logs')), {}, ['LogsPolicy']) })],
    flagged: ['Alb'],
    good: [stack('A', { Logs: bucket('AES256'), LogsPolicy: logPolicy, Alb: alb(logsTo(ref('Logs')), {}, ['LogsPolicy']) })],
  },
  {
    rule: ESK_ELB4,
    bad: [stack('A', { SubnetA: subnet(true), SubnetB: subnet(false), Alb: alb([], { IpAddressType: 'dualstack' }) })],
    flagged: ['Alb'],
    good: [stack('A', { SubnetA: subnet(true), SubnetB: subnet(false), SubnetBV6: { Type: 'AWS::EC2::SubnetCidrBlock', Properties: { SubnetId: ref('SubnetB'), Ipv6CidrBlock: '2600::/64' } },
      Alb: alb([], { IpAddressType: 'dualstack' }), V4: alb([], { IpAddressType: 'ipv4', Subnets: [ref('SubnetB')] }) })],
  },
  {
    rule: ESK_ELB5,
    bad: [stack('A', { Alb: alb([]), Listener: listener, ...tgs(101), ...rules(101) })],
    flagged: ['Alb'],
    good: [stack('A', { Alb: alb([]), Listener: listener, ...tgs(100), ...rules(100) })],
  },
  {
    rule: ESK_ELB6,
    bad: [
      stack('NoDependency', { Alb: alb([]), Listener: listener, Tg: targetGroup('ip'), Rule: rule(ref('Listener'), 1), Task: fargateTask(), Svc: lbService('app', 8080, []) }),
      stack('Unattached', { Tg: targetGroup('ip'), Task: fargateTask(), Svc: lbService('app', 8080, []) }),
    ],
    flagged: ['Svc', 'Svc'],
    good: [stack('A', { Alb: alb([]), Listener: listener, Tg: targetGroup('ip'), Rule: rule(ref('Listener'), 1), Task: fargateTask(), Svc: lbService() })],
  },
  {
    rule: ESK_ELB7,
    bad: [stack('A', { Tg: targetGroup(), Task: fargateTask(), Svc: lbService() })],
    flagged: ['Svc'],
    good: [stack('A', { Tg: targetGroup('ip'), Task: fargateTask(), Svc: lbService() })],
  },
  {
    rule: ESK_ECR1,
    bad: [stack('A', { Repo: { Type: 'AWS::ECR::Repository', Properties: {} }, Task: fargateTask({ Image: repoImage }) })],
    flagged: ['Task'],
    good: [stack('A', { Repo: { Type: 'AWS::ECR::Repository', Properties: {} }, Task: fargateTask({ Image: assetImage }) })],
  },
  {
    rule: ESK_ECR2,
    bad: [stack('A', { Any: lifecycle([untagged7d, anyOver30(2)]), Star: lifecycle([{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'sinceImagePushed', countNumber: 90, countUnit: 'days' }, action: { type: 'expire' } }]) })],
    flagged: ['Any', 'Star'],
    good: [stack('A', { Protected: lifecycle([untagged7d, keepReleases, anyOver30(3)]), UntaggedOnly: lifecycle([untagged7d]) })],
  },
  {
    rule: ESK_SC1,
    bad: [stack('A', { Cluster: cluster, Task: fargateTask(), Orders: scService([{ PortName: 'app', DiscoveryName: 'orders' }]), Web: scService(undefined) })],
    flagged: ['Web'],
    good: [stack('A', { Cluster: cluster, Task: fargateTask(), Orders: scService([{ PortName: 'app', DiscoveryName: 'orders' }]), Web: scService(undefined, ['Orders']) })],
  },
  {
    rule: ESK_VPC1,
    bad: [stack('A', queueWorkerResources(false))],
    flagged: ['Worker'],
    good: [stack('A', queueWorkerResources(true)),
      stack('Nat', { ...queueWorkerResources(false), Default: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: ref('PrivateRt'), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref('Nat') } } })],
  },
  {
    rule: ESK_NAME1,
    bad: [
      stack('A', { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' } }, Svc: service({ ServiceName: 'web', Cluster: 'arn:aws:ecs:us-east-1:1:cluster/c' }),
        Job: { Type: 'AWS::Scheduler::Schedule', Properties: { Name: 'nightly' } } }, { account: '1', region: 'us-east-1' }),
      stack('B', { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' } }, Svc: service({ ServiceName: 'web', Cluster: 'arn:aws:ecs:us-east-1:1:cluster/c' }),
        Job: { Type: 'AWS::Scheduler::Schedule', Properties: { Name: 'nightly', GroupName: 'default' } } }, { account: '1', region: 'us-east-1' }),
    ],
    flagged: ['Repo', 'Repo', 'Svc', 'Svc', 'Job', 'Job'],
    good: [
      stack('A', { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' } }, Svc: service({ ServiceName: 'web', Cluster: 'arn:aws:ecs:us-east-1:1:cluster/a' }),
        Job: { Type: 'AWS::Scheduler::Schedule', Properties: { Name: 'nightly', GroupName: 'a' } } }, { account: '1', region: 'us-east-1' }),
      stack('B', { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' } }, Svc: service({ ServiceName: 'web', Cluster: 'arn:aws:ecs:us-east-1:1:cluster/b' }),
        Job: { Type: 'AWS::Scheduler::Schedule', Properties: { Name: 'nightly', GroupName: 'b' } } }, { account: '1', region: 'eu-west-1' }),
    ],
  },
  {
    rule: ESK_RET1,
    bad: [stack('A', { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' }, DeletionPolicy: 'Retain' } })],
    flagged: ['Repo'],
    good: [stack('A', { Repo: { Type: 'AWS::ECR::Repository', Properties: {}, DeletionPolicy: 'Retain' }, Named: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' }, DeletionPolicy: 'Delete' } })],
  },
  {
    rule: ESK_ELB8, // the tasks' group lets the ALB in on 80, the task listens on 8080; another ALB's group has no egress to the tasks
    bad: [stack('A', reachable({ ingressPort: 80 })), stack('B', reachable({ egress: false }))],
    flagged: ['Svc', 'Svc'],
    // As aws-ecs-patterns builds it (egress and ingress rules on 8080), a port range, or a CIDR the check cannot place
    good: [stack('A', reachable({})), stack('B', reachable({ ingressPort: [8000, 8999] })), stack('C', reachable({ cidr: true }))],
  },
  {
    rule: ESK_SC2, // cluster and service name the namespace "internal" created beside them, in parallel
    bad: [stack('A', {
      Ns: namespace, Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ServiceConnectDefaults: { Namespace: 'internal' } } },
      Task: fargateTask(), Svc: service({ ServiceConnectConfiguration: { Enabled: true, Namespace: 'internal' } }),
    })],
    flagged: ['Cluster', 'Svc'],
    // By ARN (a reference), or by name with DependsOn; another name is ECS's own namespace to create
    good: [stack('A', {
      Ns: namespace, Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ServiceConnectDefaults: { Namespace: arn('Ns') } } },
      Task: fargateTask(), Svc: service({ ServiceConnectConfiguration: { Enabled: true, Namespace: 'internal' } }, ['Ns']),
      Other: service({ ServiceConnectConfiguration: { Enabled: true, Namespace: 'elsewhere' } }),
    })],
  },
  {
    rule: ESK_ACCT1, // two stacks of one account and region, each with the registry's replication (and a scanning configuration twice in one)
    bad: [stack('A', { Replication: replicationConfig, Scan: scanning, Scan2: scanning }, { account: '111111111111', region: 'us-east-1' }),
      stack('B', { Replication: replicationConfig }, { account: '111111111111', region: 'us-east-1' })],
    flagged: ['Replication', 'Replication', 'Scan', 'Scan2'],
    // One per account and region: the second stack deploys to another region; a conditional one may not be created
    good: [stack('A', { Replication: replicationConfig, Scan: scanning, Scan2: { ...scanning, Condition: 'Never' } as CfnResource }, { account: '111111111111', region: 'us-east-1' }),
      stack('B', { Replication: replicationConfig }, { account: '111111111111', region: 'eu-west-1' })],
  },
  {
    rule: ESK_LOG1,
    bad: [stack('A', { Logs: { Type: 'AWS::Logs::LogGroup', Properties: {} } })],
    flagged: ['Logs'],
    good: [stack('A', { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } } })],
  },
];

describe.each(CASES.map((c) => [c.rule.id, c] as const))('%s', (_id, c) => {
  test('flags the hazardous template', () => {
    // WHEN the rule reads the bad app
    const findings = c.rule.check(c.bad);
    // THEN it names exactly the resources at fault
    expect(findings.map((f) => f.logicalId).sort()).toEqual([...c.flagged].sort());
    for (const f of findings) expect(f.locations.length).toBeGreaterThan(0);
  });

  test('passes the safe template', () => {
    expect(c.rule.check(c.good)).toEqual([]);
  });
});

test('every rule of the pack has a case, a one-line reason and fix, and a severity', () => {
  // The update rules (ESK-UPD*) read two versions: their cases are in update-rules.test.ts.
  expect(CASES.map((c) => c.rule.id).sort()).toEqual(DEPLOY_CHECK_RULES.map((r) => r.id).filter((id) => !id.startsWith('ESK-UPD')).sort());
  for (const r of DEPLOY_CHECK_RULES) {
    expect(r.id).toMatch(/^ESK-[A-Z]+\d+$/);
    expect(r.reason).not.toMatch(/\n/);
    expect(r.fix).not.toMatch(/\n/);
    expect(['error', 'warning']).toContain(r.severity);
  }
});

test('ESK-ELB1 names the other rule and its stack across templates', () => {
  const findings = ESK_ELB1.check(CASES.find((c) => c.rule === ESK_ELB1)!.bad);
  expect(findings.find((f) => f.logicalId === 'R3')?.detail).toBe('priority 10 also used by R1 in Shared.template.json, R2 in Shared.template.json');
});

test('ESK-ECS7 gives the numbers: what the alarm needs and what ECS watches', () => {
  const findings = ESK_ECS7.check(CASES.find((c) => c.rule === ESK_ECS7)!.bad);
  expect(findings.map((f) => f.detail)).toEqual([
    'alarm Cpu needs 120 s (1 × 60 s + 60 s metric delay); ECS watches about 60 s (1 × 60 s)',
    'alarm web-5xx needs 180 s (2 × 60 s + 60 s metric delay); ECS watches about 120 s (2 × 60 s)',
  ]);
});

test('ESK-ECS8 names the signal and why a healthy start shows it', () => {
  const findings = ESK_ECS8.check(CASES.find((c) => c.rule === ESK_ECS8)!.bad);
  expect(findings[0].detail).toMatch(/^alarm web-unhealthy reads UnHealthyHostCount and goes off on 2 of 2 periods of 60 s; a 180 s start touches 4: ELB marks a new target unhealthy/);
  expect(findings[1].detail).toMatch(/ApproximateAgeOfOldestMessage.*backlog older than the deployment/);
});

test('ESK-VPC1 lists the missing endpoints', () => {
  const [finding] = ESK_VPC1.check(CASES.find((c) => c.rule === ESK_VPC1)!.bad);
  expect(finding.detail).toContain('missing endpoints: ecr.api, ecr.dkr, logs, s3, sqs');
});

test('ESK-NAME1 takes names from the schemas: two literal AlarmNames, two capacity providers\' Names, a lifecycle hook name only within its group', () => {
  // GIVEN names of types the former hand table did not list
  const alarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'web-5xx', MetricName: 'x', Namespace: 'y', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' } };
  const provider = { Type: 'AWS::ECS::CapacityProvider', Properties: { Name: 'spot', AutoScalingGroupProvider: { AutoScalingGroupArn: ref('Asg') } } };
  const hook = (group: string) => ({ Type: 'AWS::AutoScaling::LifecycleHook', Properties: { AutoScalingGroupName: group, LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' } });
  const app = [stack('A', { Alarm: alarm, Cp: provider, Hook: hook('a') }), stack('B', { Alarm: alarm, Cp: provider, Hook: hook('b') })];
  // WHEN / THEN the alarms and the providers collide; hooks of two groups do not
  expect(ESK_NAME1.check(app).map((f) => `${f.logicalId} ${f.detail}`)).toEqual([
    'Alarm name web-5xx also used by Alarm in B.template.json', 'Alarm name web-5xx also used by Alarm in A.template.json',
    'Cp name spot also used by Cp in B.template.json', 'Cp name spot also used by Cp in A.template.json',
  ]);
  expect(ESK_NAME1.check([stack('A', { Hook: hook('a') }), stack('B', { Hook: hook('a') })]).map((f) => f.logicalId)).toEqual(['Hook', 'Hook']);
  // A pull through cache rule is one per prefix in the registry
  const cache = (prefix: string) => ({ Type: 'AWS::ECR::PullThroughCacheRule', Properties: { EcrRepositoryPrefix: prefix, UpstreamRegistryUrl: 'public.ecr.aws' } });
  expect(ESK_NAME1.check([stack('A', { Cache: cache('ecr-public') }), stack('B', { Cache: cache('ecr-public'), Other: cache('quay') })]).map((f) => f.logicalId)).toEqual(['Cache', 'Cache']);
});

test('ESK-VPC1 checks the ECS targets of EventBridge rules too (aws-ecs-patterns ScheduledFargateTask)', () => {
  // GIVEN a scheduled task in the isolated subnet instead of a service, without the endpoints its task needs
  const scheduled = (withEndpoints: boolean) => {
    const { Worker: _worker, ...rest } = queueWorkerResources(withEndpoints);
    return {
      ...rest,
      Schedule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          ScheduleExpression: 'rate(1 hour)', State: 'ENABLED',
          Targets: [{ Id: 'Target0', Arn: arn('Cluster'), RoleArn: arn('EventsRole'), EcsParameters: {
            TaskDefinitionArn: ref('Task'), TaskCount: 1, LaunchType: 'FARGATE',
            NetworkConfiguration: { AwsVpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: [ref('Private')] } },
          } }],
        },
      },
    };
  };
  // WHEN / THEN the rule's target is named, with its missing endpoints; with them, nothing
  expect(ESK_VPC1.check([stack('A', scheduled(false))]).map((f) => `${f.logicalId} ${f.locations[0]} ${f.detail}`)).toEqual([
    'Schedule Properties/Targets/0/EcsParameters subnets Private have no internet route; missing endpoints: ecr.api, ecr.dkr, logs, s3, sqs',
  ]);
  expect(ESK_VPC1.check([stack('A', scheduled(true))])).toEqual([]);
});
