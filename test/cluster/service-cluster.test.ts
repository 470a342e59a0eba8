import { Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceCluster, ServiceClusterProps } from '../../lib/cluster';
import { NetworkLayout, ServiceNetwork } from '../../lib/network';
import { testApp, testStack } from '../util/test-app';

function build(props: ServiceClusterProps = {}, stack: Stack = testStack(testApp())): { stack: Stack; cluster: ServiceCluster } {
  const cluster = new ServiceCluster(stack, 'Cluster', props);
  return { stack, cluster };
}

/** A VPC of the user's own with public and private-with-egress subnets (no NAT: cheap to build). */
function ownVpc(stack: Stack, subnetConfiguration?: ec2.SubnetConfiguration[]): ec2.Vpc {
  return new ec2.Vpc(stack, 'OwnVpc', {
    maxAzs: 2,
    natGateways: 1,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: subnetConfiguration ?? [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
}

describe('ServiceCluster with a built network', () => {
  test('defaults: SINGLE_NAT network child, Container Insights, FARGATE and FARGATE_SPOT', () => {
    // GIVEN / WHEN
    const { stack, cluster } = build();

    // THEN
    const template = Template.fromStack(stack);
    expect(cluster.network).toBeInstanceOf(ServiceNetwork);
    expect(cluster.network!.node.path).toBe('TestStack/Cluster/Network');
    expect(cluster.layout).toBe(NetworkLayout.SINGLE_NAT);
    expect(cluster.vpc).toBe(cluster.network!.vpc);
    expect(cluster.ecsCluster.vpc).toBe(cluster.network!.vpc);
    expect(cluster.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(cluster.assignPublicIp).toBe(false);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);

    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      ClusterName: Match.absent(),
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      Cluster: { Ref: stack.getLogicalId(cluster.ecsCluster.node.defaultChild as any) },
    });
  });

  test('PUBLIC_ONLY network, Container Insights off, a fixed name, no capacity providers', () => {
    // GIVEN / WHEN
    const { stack, cluster } = build({
      network: NetworkLayout.PUBLIC_ONLY,
      containerInsights: false,
      clusterName: 'web_prod-1',
      enableFargateSpot: false,
    });

    // THEN
    const template = Template.fromStack(stack);
    expect(cluster.layout).toBe(NetworkLayout.PUBLIC_ONLY);
    expect(cluster.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PUBLIC });
    expect(cluster.assignPublicIp).toBe(true);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'web_prod-1',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
    template.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
  });

  test('network props reach the ServiceNetwork', () => {
    // GIVEN / WHEN
    const { cluster } = build({
      network: NetworkLayout.PRIVATE_WITH_ENDPOINTS, maxAzs: 3, cidr: '10.8.0.0/20', ecsExecEndpoint: true,
      restrictDefaultSecurityGroup: false,
    });

    // THEN (no synth needed: the members say it)
    expect(cluster.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    expect(cluster.network!.vpc.availabilityZones).toHaveLength(3);
    expect(cluster.network!.interfaceEndpoints).toHaveLength(6);
    expect(cluster.network!.estimatedMonthlyCostUsd).toBe(131.4);
    expect(cluster.network!.vpc.node.tryFindChild('RestrictDefaultSecurityGroupCustomResource')).toBeUndefined();
  });
});

describe('ServiceCluster with your own VPC', () => {
  test('creates no network; tasks go to the private subnets without public IPs', () => {
    // GIVEN
    const stack = testStack(testApp());
    const vpc = ownVpc(stack);

    // WHEN
    const { cluster } = build({ vpc }, stack);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    expect(cluster.network).toBeUndefined();
    expect(cluster.layout).toBeUndefined();
    expect(cluster.vpc).toBe(vpc);
    expect(cluster.ecsCluster.vpc).toBe(vpc);
    expect(cluster.assignPublicIp).toBe(false);
    expect(cluster.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(vpc.selectSubnets(cluster.taskSubnets).subnetIds).toEqual(vpc.privateSubnets.map((s) => s.subnetId));
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('public task subnets with public IPs', () => {
    // GIVEN
    const stack = testStack(testApp());
    const vpc = ownVpc(stack);

    // WHEN
    const { cluster } = build({ vpc, taskSubnets: { subnetType: ec2.SubnetType.PUBLIC }, assignPublicIp: true }, stack);

    // THEN
    expect(cluster.assignPublicIp).toBe(true);
    expect(vpc.selectSubnets(cluster.taskSubnets).subnetIds).toEqual(vpc.publicSubnets.map((s) => s.subnetId));
  });

  test('explicit subnets of an imported VPC', () => {
    // GIVEN
    const stack = testStack(testApp());
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      isolatedSubnetIds: ['subnet-aaaa', 'subnet-bbbb'],
    });

    // WHEN
    const { cluster } = build({ vpc, taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, stack);

    // THEN
    expect(vpc.selectSubnets(cluster.taskSubnets).subnetIds).toEqual(['subnet-aaaa', 'subnet-bbbb']);
  });
  test('an imported VPC whose subnet ids are deploy-time tokens passes the subnet check', () => {
    // GIVEN
    const stack = testStack(testApp());
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: Fn.importValue('VpcId'),
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: Fn.importListValue('PrivateSubnetIds', 2),
    });

    // WHEN
    const { cluster } = build({ vpc }, stack);

    // THEN
    expect(vpc.selectSubnets(cluster.taskSubnets).subnetIds).toHaveLength(2);
    Template.fromStack(stack).resourceCountIs('AWS::ECS::Cluster', 1);
  });
});

describe('ServiceCluster validation', () => {
  test.each<[string, Partial<ServiceClusterProps>, string]>([
    ['network', { network: NetworkLayout.NAT_PER_AZ }, '"NAT_PER_AZ"'],
    ['maxAzs', { maxAzs: 3 }, '3'],
    ['cidr', { cidr: '10.0.0.0/16' }, '"10\\.0\\.0\\.0\\/16"'],
    ['flowLogRetention', { flowLogRetention: 7 }, '7'],
    ['restrictDefaultSecurityGroup', { restrictDefaultSecurityGroup: false }, 'false'],
    ['ecsExecEndpoint', { ecsExecEndpoint: true }, 'true'],
  ])('%s cannot be combined with vpc', (prop, extra, value) => {
    const stack = testStack(testApp());
    const vpc = ownVpc(stack);
    expect(() => build({ vpc, ...extra }, stack))
      .toThrow(new RegExp(`^TestStack/Cluster: ${prop} ${value} cannot be combined with vpc; give either ${prop} or vpc, not both`));
  });

  test('taskSubnets needs vpc', () => {
    expect(() => build({ taskSubnets: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow(/^TestStack\/Cluster: taskSubnets \{"subnetType":"Public"\} needs vpc; give taskSubnets only together with vpc/);
  });

  test('assignPublicIp needs vpc', () => {
    expect(() => build({ assignPublicIp: true }))
      .toThrow(/^TestStack\/Cluster: assignPublicIp true needs vpc; give assignPublicIp only together with vpc/);
  });

  test('clusterName must match the ECS pattern', () => {
    expect(() => build({ clusterName: 'web prod' }))
      .toThrow(/^TestStack\/Cluster: clusterName "web prod" is not valid; use 1 to 255 letters, digits, hyphens and underscores/);
    expect(() => build({ clusterName: 'x'.repeat(256) })).toThrow(/^TestStack\/Cluster: clusterName "x{256}" is not valid/);
  });

  test('network errors name the ServiceCluster and its own prop names', () => {
    expect(() => build({ network: 'NAT_EVERYWHERE' as NetworkLayout }))
      .toThrow(/^TestStack\/Cluster: network "NAT_EVERYWHERE" is not allowed; use one of "PUBLIC_ONLY"/);
    expect(() => build({ maxAzs: 1 })).toThrow(/^TestStack\/Cluster: maxAzs 1 is out of range; use an integer from 2 to 6/);
    expect(() => build({ cidr: '10.0.0.0/27' })).toThrow(/^TestStack\/Cluster: cidr "10\.0\.0\.0\/27" is too small for 4 subnets/);
    expect(() => build({ ecsExecEndpoint: true }))
      .toThrow(/^TestStack\/Cluster: ecsExecEndpoint true has no effect with network SINGLE_NAT/);
  });

  test('own VPC without the default private subnets', () => {
    // GIVEN a VPC with public and isolated subnets only
    const stack = testStack(testApp());
    const vpc = ownVpc(stack, [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ]);

    // WHEN / THEN
    expect(() => build({ vpc }, stack))
      .toThrow(/^TestStack\/Cluster: taskSubnets \{"subnetType":"Private"\} \(the default\) selects no subnets of vpc \(.*no 'Private' subnet.*\); select subnets the VPC has/);
  });

  test('own VPC: taskSubnets selecting nothing', () => {
    // GIVEN
    const stack = testStack(testApp());
    const vpc = ownVpc(stack);

    // WHEN / THEN: a subnet group name the VPC does not have
    expect(() => build({ vpc, taskSubnets: { subnetGroupName: 'Db' } }, stack))
      .toThrow(/^TestStack\/Cluster: taskSubnets \{"subnetGroupName":"Db"\} selects no subnets of vpc/);
    // and an AZ the VPC does not use
    expect(() => new ServiceCluster(stack, 'Other', { vpc, taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['us-east-1f'] } }))
      .toThrow(/^TestStack\/Other: taskSubnets \{"subnetType":"Private","availabilityZones":\["us-east-1f"\]\} selects no subnets of vpc/);
  });

  test('public taskSubnets need assignPublicIp', () => {
    const stack = testStack(testApp());
    const vpc = ownVpc(stack);
    expect(() => build({ vpc, taskSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, stack))
      .toThrow(/^TestStack\/Cluster: assignPublicIp false with public taskSubnets leaves tasks unable to pull images; set assignPublicIp: true/);
  });

  test('assignPublicIp with private taskSubnets', () => {
    const stack = testStack(testApp());
    const vpc = ownVpc(stack);
    expect(() => build({ vpc, assignPublicIp: true }, stack))
      .toThrow(/^TestStack\/Cluster: assignPublicIp true with Private taskSubnets adds a public IPv4 address/);
  });
});
