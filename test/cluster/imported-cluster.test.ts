import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ServiceCluster } from '../../lib/cluster/service-cluster';
import { ServiceImage } from '../../lib/image/service-image';
import { WorkerService } from '../../lib/worker/worker-service';
import { OneOffTask } from '../../lib/task/one-off-task';
import { ScheduledTask } from '../../lib/task/scheduled-task';
import { TaskSchedule } from '../../lib/task/task-schedule';
import { testApp } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const ENV = { account: '123456789012', region: 'eu-west-1' };

function platformVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'PlatformVpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0aa0000000000001a', 'subnet-0aa0000000000001b'],
    privateSubnetIds: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'],
  });
}

function appStack() {
  const app = testApp();
  const stack = new Stack(app, 'Orders', { env: ENV });
  return { app, stack, vpc: platformVpc(stack) };
}

describe('ServiceCluster.fromClusterAttributes', () => {
  test('a worker joins the existing cluster by name and the stack creates no cluster, network or capacity association', () => {
    // GIVEN an existing cluster, imported by name
    const { stack, vpc } = appStack();
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterName: 'platform-shared', vpc });
    // WHEN
    new WorkerService(stack, 'Worker', { cluster, image: NGINX });
    // THEN the service names the cluster; deleting this stack can never delete the cluster (it is not in it)
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: 'platform-shared',
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED', Subnets: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'] }) },
    });
    template.resourceCountIs('AWS::ECS::Cluster', 0);
    template.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    expect(cluster.clusterName).toBe('platform-shared');
  });

  test('by ARN: the name is read from the ARN, and grantRun is scoped to the ARN', () => {
    // GIVEN
    const { stack, vpc } = appStack();
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', {
      clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/platform-shared', vpc,
    });
    // WHEN
    const task = new OneOffTask(stack, 'Migrate', { cluster, image: NGINX });
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
    task.grantRun(ci);
    // THEN
    expect(JSON.stringify(stack.resolve(task.runTaskCommand))).toContain('--cluster platform-shared');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'ecs:RunTask',
        Condition: { ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:eu-west-1:123456789012:cluster/platform-shared' } },
      })]) },
    });
  });

  test('a cluster name from an SSM parameter (another app\'s output) resolves at deploy time', () => {
    // GIVEN the platform app published its cluster's ARN in Parameter Store
    const { stack, vpc } = appStack();
    const clusterArn = ssm.StringParameter.valueForStringParameter(stack, '/platform/cluster-arn');
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterArn, vpc });
    // WHEN
    new WorkerService(stack, 'Worker', { cluster, image: NGINX });
    // THEN the service's cluster is the name split out of the parameter's value
    const template = Template.fromStack(stack);
    template.hasParameter('*', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/platform/cluster-arn' });
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(JSON.stringify(service.Properties.Cluster)).toContain('Fn::Select');
  });

  test.each([
    [{}, /^Orders\/Platform: clusterName undefined is missing \(and so is clusterArn\); give the existing cluster's clusterName or clusterArn$/],
    [{ clusterName: 'bad name' }, /^Orders\/Platform: clusterName "bad name" is not valid; use the cluster's name: 1 to 255 letters, digits, hyphens and underscores$/],
    [{ clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:service/x/y' }, /^Orders\/Platform: clusterArn .* is not an ECS cluster ARN; use arn:aws:ecs:<region>:<account>:cluster\/<name>$/],
    [{ clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c' }, /clusterArn .* is in us-east-1, but the stack deploys to eu-west-1; ECS services run only in their cluster's region/],
    [{ clusterArn: 'arn:aws:ecs:eu-west-1:210987654321:cluster/c' }, /clusterArn .* belongs to account 210987654321, but the stack deploys to 123456789012/],
    [{ clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/c', clusterName: 'd' }, /clusterName "d" differs from the name in clusterArn \(c\)/],
    [{ clusterName: 'c', taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /^Orders\/Platform: taskSubnets .* selects no subnets of vpc/],
    [{ clusterName: 'c', taskSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /assignPublicIp false with public taskSubnets leaves tasks unable to pull images/],
  ])('rejects %j by name', (attrs, message) => {
    const { stack, vpc } = appStack();
    expect(() => ServiceCluster.fromClusterAttributes(stack, 'Platform', { vpc, ...attrs })).toThrow(message);
  });

  test('Fargate Spot on an imported cluster needs fargateCapacityProviders: synth cannot see its associations', () => {
    // GIVEN a cluster imported without saying it has the Fargate capacity providers
    const { app, stack, vpc } = appStack();
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterName: 'c', vpc });
    new WorkerService(stack, 'Worker', { cluster, image: NGINX, spot: { spotWeight: 3 } });
    // WHEN / THEN the synth names the prop and the attribute that would fix it
    expect(() => app.synth()).toThrow(/Orders\/Worker: spot .* needs the FARGATE and FARGATE_SPOT capacity providers on the cluster Orders\/Platform; associate FARGATE and FARGATE_SPOT with the existing cluster .* and import it with fargateCapacityProviders: true/);
  });

  test('with fargateCapacityProviders the Spot service synthesizes and depends on nothing of the cluster', () => {
    // GIVEN
    const { app, stack, vpc } = appStack();
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterName: 'c', vpc, fargateCapacityProviders: true });
    // WHEN
    new WorkerService(stack, 'Worker', { cluster, image: NGINX, spot: { spotWeight: 3 } });
    // THEN
    expect(() => app.synth()).not.toThrow();
    const service = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'))[0];
    expect(JSON.stringify(service.DependsOn ?? [])).not.toMatch(/Cluster/);
    expect(service.Properties.CapacityProviderStrategy).toEqual(expect.arrayContaining([expect.objectContaining({ CapacityProvider: 'FARGATE_SPOT' })]));
  });

  test('backlog scaling needs Container Insights, which an imported cluster has only on the user\'s word', () => {
    // GIVEN
    const { stack, vpc } = appStack();
    const withoutInsights = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterName: 'c', vpc });
    const withInsights = ServiceCluster.fromClusterAttributes(stack, 'Platform2', { clusterName: 'c2', vpc, containerInsights: true });
    const props = { image: NGINX, queue: {}, backlogPerTask: 30, scaling: { minCapacity: 1, maxCapacity: 4 } };
    // WHEN / THEN
    expect(() => new WorkerService(stack, 'Worker', { cluster: withoutInsights, ...props })).toThrow(/backlogPerTask 30 .*Container Insights/);
    expect(() => new WorkerService(stack, 'Worker2', { cluster: withInsights, ...props })).not.toThrow();
  });

  test('Service Connect uses the namespace given with the import, and is refused without one', () => {
    // GIVEN
    const { stack, vpc } = appStack();
    const namespace = servicediscovery.HttpNamespace.fromHttpNamespaceAttributes(stack, 'Ns', {
      namespaceArn: 'arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc', namespaceId: 'ns-abc', namespaceName: 'internal',
    });
    const bare = ServiceCluster.fromClusterAttributes(stack, 'Bare', { clusterName: 'c', vpc });
    const connected = ServiceCluster.fromClusterAttributes(stack, 'Connected', { clusterName: 'd', vpc, serviceConnectNamespace: namespace });
    // WHEN / THEN
    expect(() => new WorkerService(stack, 'Lonely', { cluster: bare, image: NGINX, serviceConnect: { clientOnly: true } }))
      .toThrow(/serviceConnect .* needs a Cloud Map namespace on the cluster Orders\/Bare; .*import an existing cluster with its serviceConnectNamespace/);
    new WorkerService(stack, 'Caller', { cluster: connected, image: NGINX, serviceConnect: { clientOnly: true } });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      Cluster: 'd',
      ServiceConnectConfiguration: { Enabled: true, Namespace: 'arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc' },
    });
  });

  test('explicit service names are unique per imported cluster too', () => {
    // GIVEN
    const { stack, vpc } = appStack();
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterName: 'c', vpc });
    new WorkerService(stack, 'A', { cluster, image: NGINX, serviceName: 'orders' });
    // WHEN / THEN
    expect(() => new WorkerService(stack, 'B', { cluster, image: NGINX, serviceName: 'orders' }))
      .toThrow(/^Orders\/B: serviceName "orders" is already the name of Orders\/A in the cluster Orders\/Platform/);
  });

  test('a scheduled task runs in the imported cluster, by its ARN', () => {
    // GIVEN
    const { stack, vpc } = appStack();
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'Platform', { clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/jobs', vpc });
    // WHEN
    new ScheduledTask(stack, 'Nightly', { cluster, image: NGINX, schedule: TaskSchedule.rate(Duration.hours(6)) });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/jobs' }),
    });
  });
});

describe('ServiceCluster.fromEcsCluster', () => {
  test('an ecs.Cluster of the app: its VPC, and its Fargate capacity providers read when the app is complete', () => {
    // GIVEN a cluster the user built with aws-cdk-lib, capacity providers turned on after the import
    const { app, stack } = appStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
    const ecsCluster = new ecs.Cluster(stack, 'Raw', { vpc });
    const cluster = ServiceCluster.fromEcsCluster(stack, 'Adopted', ecsCluster);
    new WorkerService(stack, 'Worker', { cluster, image: NGINX, spot: { spotWeight: 1 } });
    ecsCluster.enableFargateCapacityProviders();
    // WHEN / THEN
    expect(cluster.vpc).toBe(vpc);
    expect(cluster.fargateCapacityProviders).toBe(true);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { Cluster: { Ref: Match.stringLikeRegexp('^Raw') } });
  });

  test('an ecs.ICluster without a VPC is refused by name', () => {
    const { stack } = appStack();
    const arnOnly = ecs.Cluster.fromClusterArn(stack, 'ArnOnly', 'arn:aws:ecs:eu-west-1:123456789012:cluster/c');
    expect(() => ServiceCluster.fromEcsCluster(stack, 'Adopted', arnOnly))
      .toThrow(/^Orders\/Adopted: ecsCluster "Orders\/ArnOnly" has no VPC \(ecs.Cluster.fromClusterArn does not carry one\); import it with ecs.Cluster.fromClusterAttributes/);
  });
});

describe('ServiceCluster members', () => {
  test('ecsCluster is the L2; the deprecated cluster alias returns the same object', () => {
    const { stack } = appStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { network: undefined, restrictDefaultSecurityGroup: false });
    expect(cluster.ecsCluster).toBeInstanceOf(ecs.Cluster);
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    expect(cluster.cluster).toBe(cluster.ecsCluster);
    expect(stack.resolve(cluster.clusterName)).toEqual({ Ref: stack.getLogicalId(cluster.ecsCluster.node.defaultChild as ecs.CfnCluster) });
  });
});
