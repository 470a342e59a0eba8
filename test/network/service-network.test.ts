import { Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NetworkLayout, ServiceNetwork, ServiceNetworkProps } from '../../lib/network';
import { controlTowerFindings } from '../util/control-tower';
import { testApp, testStack } from '../util/test-app';

/** A network in a fresh stack (us-east-1; CDK's dummy AZ context offers 3 AZs). */
function build(props: ServiceNetworkProps = {}): { stack: Stack; network: ServiceNetwork } {
  const stack = testStack(testApp());
  const network = new ServiceNetwork(stack, 'Net', props);
  return { stack, network };
}

function subnetTypeTag(type: string) {
  return { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: type }]) };
}

describe('ServiceNetwork layouts', () => {
  test('PUBLIC_ONLY: public subnets only, no NAT, tasks get public IPs, $0 fixed', () => {
    // GIVEN / WHEN
    const { stack, network } = build({ layout: NetworkLayout.PUBLIC_ONLY });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    expect(Object.keys(template.findResources('AWS::EC2::Subnet', { Properties: subnetTypeTag('Public') }))).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(network.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PUBLIC });
    expect(network.assignPublicIp).toBe(true);
    expect(network.natGateways).toBe(0);
    expect(network.estimatedMonthlyCostUsd).toBe(0);
    expect(network.costDescription).toMatch(/\$3\.65\/month per running task/);
  });

  test('default is SINGLE_NAT: 2 AZs, one NAT, private-with-egress task subnets, flow logs retained, default SG restricted', () => {
    // GIVEN / WHEN
    const { stack, network } = build();

    // THEN
    const template = Template.fromStack(stack);
    expect(network.layout).toBe(NetworkLayout.SINGLE_NAT);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    expect(Object.keys(template.findResources('AWS::EC2::Subnet', { Properties: subnetTypeTag('Private') }))).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::EC2::Subnet', { Properties: subnetTypeTag('Public') }))).toHaveLength(2);
    // Both private subnets route to the single NAT.
    const natId = Object.keys(template.findResources('AWS::EC2::NatGateway'))[0];
    expect(Object.keys(template.findResources('AWS::EC2::Route', {
      Properties: { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: natId } },
    }))).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(network.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(network.loadBalancerSubnets).toEqual({ subnetType: ec2.SubnetType.PUBLIC });
    expect(network.assignPublicIp).toBe(false);
    expect(network.natGateways).toBe(1);
    expect(network.vpc.availabilityZones).toHaveLength(2);
    expect(network.estimatedMonthlyCostUsd).toBe(36.5);

    // Flow logs: all traffic of the VPC to a retained log group with a month's retention.
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: { Ref: stack.getLogicalId(network.vpc.node.defaultChild as ec2.CfnVPC) },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: stack.getLogicalId(network.flowLogGroup.node.defaultChild as logs.CfnLogGroup) },
      DeliverLogsPermissionArn: Match.anyValue(),
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    // aws-cdk-lib's handler carries its checkov skips, with reasons: a user's checkov needs no config file.
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    expect(handler.Metadata.checkov.skip.map((s: { id: string }) => s.id)).toEqual(['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117']);
    for (const skip of handler.Metadata.checkov.skip) expect(skip.comment).toMatch(/^aws-cdk-lib's custom-resource handler .{40,}/);
  });

  test('the flow log role trusts vpc-flow-logs.amazonaws.com only for flow logs of this account (confused-deputy protection)', () => {
    // GIVEN / WHEN
    const { stack, network } = build();

    // THEN: the role aws-cdk-lib creates (same logical id) with aws:SourceAccount and aws:SourceArn
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(network.flowLog.iamRole!.node.defaultChild as iam.CfnRole);
    expect(roleId).toMatch(/^NetFlowLogIAMRole/);
    template.hasResourceProperties('AWS::EC2::FlowLog', { DeliverLogsPermissionArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    const role = template.findResources('AWS::IAM::Role')[roleId] as any;
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:us-east-1:123456789012:vpc-flow-log/*']] } },
        },
      }],
    });
  });

  test('NAT_PER_AZ: one NAT per AZ, $36.50 each', () => {
    // GIVEN / WHEN
    const { stack, network } = build({ layout: NetworkLayout.NAT_PER_AZ, maxAzs: 3 });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    expect(network.natGateways).toBe(3);
    expect(network.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(network.assignPublicIp).toBe(false);
    expect(network.estimatedMonthlyCostUsd).toBe(109.5);
    expect(network.costDescription).toMatch(/3 NAT gateways/);
  });

  test('PRIVATE_WITH_ENDPOINTS: isolated task subnets, no NAT, 5 interface endpoints + S3 gateway, HTTPS from the VPC only', () => {
    // GIVEN / WHEN
    const { stack, network } = build({ layout: NetworkLayout.PRIVATE_WITH_ENDPOINTS });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const isolated = template.findResources('AWS::EC2::Subnet', { Properties: subnetTypeTag('Isolated') });
    expect(Object.keys(isolated)).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::EC2::Subnet', { Properties: subnetTypeTag('Private') }))).toHaveLength(0);
    expect(network.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    expect(network.assignPublicIp).toBe(false);

    const isolatedRefs = Object.keys(isolated).map((id) => ({ Ref: id }));
    const sgId = stack.getLogicalId(network.endpointSecurityGroup!.node.defaultChild as ec2.CfnSecurityGroup);
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.us-east-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: Match.arrayEquals(isolatedRefs),
        SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
      });
    }
    expect(Object.keys(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))).toHaveLength(5);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 6);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      RouteTableIds: Match.arrayEquals(Object.keys(template.findResources('AWS::EC2::RouteTable', {
        Properties: { Tags: [{ Key: 'Name', Value: Match.stringLikeRegexp('IsolatedSubnet') }] },
      })).map((id) => ({ Ref: id }))),
    });
    // One ingress rule only: 443 from the VPC's CIDR; no open egress.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16', Description: Match.anyValue() }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(network.interfaceEndpoints).toHaveLength(5);
    expect(network.estimatedMonthlyCostUsd).toBe(73);
  });

  test('PRIVATE_WITH_ENDPOINTS with every option: ssmmessages endpoint, custom CIDR and retention, default SG left alone', () => {
    // GIVEN / WHEN
    const { stack, network } = build({
      layout: NetworkLayout.PRIVATE_WITH_ENDPOINTS,
      ecsExecEndpoint: true,
      cidr: '172.16.0.0/24',
      flowLogRetention: logs.RetentionDays.ONE_WEEK,
      restrictDefaultSecurityGroup: false,
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.ssmmessages', VpcEndpointType: 'Interface' });
    expect(network.interfaceEndpoints).toHaveLength(6);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '172.16.0.0/24' });
    // /24 split four ways: /26 subnets, big enough for an ALB.
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '172.16.0.192/26' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '172.16.0.0/24', FromPort: 443 })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(network.estimatedMonthlyCostUsd).toBe(87.6);
  });

  test('addInterfaceEndpoint: one endpoint per AWS service in PRIVATE_WITH_ENDPOINTS, counted in the cost; none in other layouts', () => {
    // GIVEN
    const { stack, network } = build({ layout: NetworkLayout.PRIVATE_WITH_ENDPOINTS });
    const { network: natNetwork } = build();

    // WHEN: SQS twice (the second call returns the first endpoint), and a layout's own service again
    const sqsEndpoint = network.addInterfaceEndpoint('SqsEndpoint', ec2.InterfaceVpcEndpointAwsService.SQS);
    const again = network.addInterfaceEndpoint('OtherId', ec2.InterfaceVpcEndpointAwsService.SQS);
    const logs = network.addInterfaceEndpoint('MoreLogs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);

    // THEN
    expect(sqsEndpoint).toBeDefined();
    expect(again).toBe(sqsEndpoint);
    expect(logs).toBe(network.interfaceEndpoints[2]);
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.sqs' }, 1);
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.logs' }, 1);
    expect(sqsEndpoint!.node.path).toBe('TestStack/Net/Vpc/SqsEndpoint');
    expect(network.interfaceEndpoints).toHaveLength(6);
    expect(network.estimatedMonthlyCostUsd).toBe(87.6);
    expect(network.costDescription).toMatch(/^PRIVATE_WITH_ENDPOINTS: \$87\.60\/month for 6 interface endpoints/);
    // A NAT layout reaches SQS through the NAT gateway: no endpoint, no cost.
    expect(natNetwork.addInterfaceEndpoint('SqsEndpoint', ec2.InterfaceVpcEndpointAwsService.SQS)).toBeUndefined();
    expect(natNetwork.interfaceEndpoints).toHaveLength(0);
    expect(natNetwork.estimatedMonthlyCostUsd).toBe(36.5);
  });

  test('an environment-agnostic stack gets 2 AZs whatever maxAzs says, and the estimate follows', () => {
    // GIVEN
    const stack = new Stack(testApp(), 'Agnostic');

    // WHEN
    const network = new ServiceNetwork(stack, 'Net', { layout: NetworkLayout.NAT_PER_AZ, maxAzs: 3 });

    // THEN
    expect(network.vpc.availabilityZones).toHaveLength(2);
    expect(network.natGateways).toBe(2);
    expect(network.estimatedMonthlyCostUsd).toBe(73);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 2);
  });
});

describe('ServiceNetwork public subnets (AWS Control Tower CT.EC2.PR.11)', () => {
  test.each([NetworkLayout.PUBLIC_ONLY, NetworkLayout.SINGLE_NAT, NetworkLayout.PRIVATE_WITH_ENDPOINTS])('%s: no subnet maps a public IP on launch; NAT gateways keep their Elastic IPs', (layout) => {
    // GIVEN / WHEN
    const { stack, network } = build({ layout });

    // THEN
    const template = Template.fromStack(stack);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as any[];
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).not.toBe(true);
    const publicSubnets = Object.values(template.findResources('AWS::EC2::Subnet', { Properties: subnetTypeTag('Public') })) as any[];
    expect(publicSubnets.map((subnet) => subnet.Properties.MapPublicIpOnLaunch)).toEqual([false, false]);
    template.resourceCountIs('AWS::EC2::EIP', network.natGateways);
    template.resourceCountIs('AWS::EC2::NatGateway', network.natGateways);
    expect(controlTowerFindings(stack, 'CT.EC2.PR.11')).toEqual([]);
  });
});

describe('ServiceNetwork cost estimate', () => {
  test.each([
    [NetworkLayout.PUBLIC_ONLY, 2, false, 0],
    [NetworkLayout.SINGLE_NAT, 2, false, 36.5],
    [NetworkLayout.SINGLE_NAT, 3, false, 36.5],
    [NetworkLayout.NAT_PER_AZ, 2, false, 73],
    [NetworkLayout.NAT_PER_AZ, 3, false, 109.5],
    [NetworkLayout.PRIVATE_WITH_ENDPOINTS, 2, false, 73],
    [NetworkLayout.PRIVATE_WITH_ENDPOINTS, 2, true, 87.6],
    [NetworkLayout.PRIVATE_WITH_ENDPOINTS, 3, false, 109.5],
  ])('%s over %i AZs (ecsExecEndpoint %s): $%d/month', (layout, azCount, exec, usd) => {
    expect(ServiceNetwork.estimateMonthlyCostUsd(layout, azCount, exec)).toBe(usd);
  });

  test('describeMonthlyCost states the total and what it leaves out', () => {
    expect(ServiceNetwork.describeMonthlyCost(NetworkLayout.PRIVATE_WITH_ENDPOINTS, 2)).toBe(
      'PRIVATE_WITH_ENDPOINTS: $73.00/month for 5 interface endpoints × 2 AZs at $7.30 each, plus $0.01/GB processed; '
      + 'S3 gateway endpoint free (excludes data processing and the load balancer)');
    expect(ServiceNetwork.describeMonthlyCost(NetworkLayout.SINGLE_NAT, 2)).toMatch(/^SINGLE_NAT: \$36\.50\/month for 1 NAT gateway at \$36\.50 each/);
  });

  test('extra interface endpoints (the SQS endpoint of a worker\'s queue) cost $7.30 per AZ each, in PRIVATE_WITH_ENDPOINTS only', () => {
    expect(ServiceNetwork.estimateMonthlyCostUsd(NetworkLayout.PRIVATE_WITH_ENDPOINTS, 2, false, 1)).toBe(87.6);
    expect(ServiceNetwork.estimateMonthlyCostUsd(NetworkLayout.PRIVATE_WITH_ENDPOINTS, 3, true, 1)).toBe(153.3);
    expect(ServiceNetwork.estimateMonthlyCostUsd(NetworkLayout.SINGLE_NAT, 2, false, 1)).toBe(36.5);
    expect(ServiceNetwork.describeMonthlyCost(NetworkLayout.PRIVATE_WITH_ENDPOINTS, 2, false, 1)).toMatch(/^PRIVATE_WITH_ENDPOINTS: \$87\.60\/month for 6 interface endpoints × 2 AZs/);
    expect(() => ServiceNetwork.estimateMonthlyCostUsd(NetworkLayout.PRIVATE_WITH_ENDPOINTS, 2, false, -1))
      .toThrow(/ServiceNetwork\.estimateMonthlyCostUsd: extraInterfaceEndpoints -1 is out of range; use an integer of 0 or more/);
  });

  test('estimateMonthlyCostUsd rejects an impossible AZ count', () => {
    expect(() => ServiceNetwork.estimateMonthlyCostUsd(NetworkLayout.NAT_PER_AZ, 0))
      .toThrow(/ServiceNetwork\.estimateMonthlyCostUsd: azCount 0 is out of range; use an integer from 1 to 6/);
  });

  test('describeMonthlyCost rejects an unknown layout', () => {
    expect(() => ServiceNetwork.describeMonthlyCost('NAT_GALORE' as NetworkLayout, 2))
      .toThrow(/ServiceNetwork\.describeMonthlyCost: layout "NAT_GALORE" is not allowed/);
  });
});

describe('ServiceNetwork validation', () => {
  test('layout must be a NetworkLayout', () => {
    expect(() => build({ layout: 'CHEAP' as NetworkLayout }))
      .toThrow(/^TestStack\/Net: layout "CHEAP" is not allowed; use one of "PUBLIC_ONLY", "SINGLE_NAT"/);
  });

  test('maxAzs below 2 (an ALB needs two AZs)', () => {
    expect(() => build({ maxAzs: 1 })).toThrow(/^TestStack\/Net: maxAzs 1 is out of range; use an integer from 2 to 6/);
  });

  test('maxAzs above 6', () => {
    expect(() => build({ maxAzs: 7 })).toThrow(/^TestStack\/Net: maxAzs 7 is out of range/);
  });

  test('maxAzs must be an integer', () => {
    expect(() => build({ maxAzs: 2.5 })).toThrow(/^TestStack\/Net: maxAzs 2\.5 is out of range/);
  });

  test('flowLogRetention must be a RetentionDays value', () => {
    expect(() => build({ flowLogRetention: 10 as logs.RetentionDays }))
      .toThrow(/^TestStack\/Net: flowLogRetention 10 is not allowed; use one of 1, 3, 5, 7/);
  });

  test('ecsExecEndpoint only with PRIVATE_WITH_ENDPOINTS', () => {
    expect(() => build({ layout: NetworkLayout.SINGLE_NAT, ecsExecEndpoint: true }))
      .toThrow(/^TestStack\/Net: ecsExecEndpoint true has no effect with layout SINGLE_NAT; set it only with layout NetworkLayout\.PRIVATE_WITH_ENDPOINTS/);
  });

  test('cidr must be an IPv4 CIDR block', () => {
    expect(() => build({ cidr: '10.0.0.256/16' })).toThrow(/^TestStack\/Net: cidr "10\.0\.0\.256\/16" is not an IPv4 CIDR block/);
    expect(() => build({ cidr: '10.0.0.0' })).toThrow(/^TestStack\/Net: cidr "10\.0\.0\.0" is not an IPv4 CIDR block/);
  });

  test('cidr prefix larger than AWS allows for a VPC', () => {
    expect(() => build({ cidr: '10.0.0.0/8' }))
      .toThrow(/^TestStack\/Net: cidr "10\.0\.0\.0\/8" has prefix \/8, outside what AWS allows for a VPC; use a prefix from \/16 to \/28/);
  });

  test('cidr with host bits set', () => {
    expect(() => build({ cidr: '10.1.2.0/16' }))
      .toThrow(/^TestStack\/Net: cidr "10\.1\.2\.0\/16" has host bits set; use the network address "10\.1\.0\.0\/16"/);
  });

  test('cidr too small for /27 subnets in the chosen layout', () => {
    // 4 subnets (2 AZs × public + private) from a /26 would be /28: too small for an ALB.
    expect(() => build({ cidr: '10.0.0.0/26' }))
      .toThrow(/^TestStack\/Net: cidr "10\.0\.0\.0\/26" is too small for 4 subnets \(each would be \/28\); .* use a prefix from \/16 to \/25/);
    // The same block is enough for PUBLIC_ONLY's 2 subnets.
    expect(() => build({ cidr: '10.0.0.0/26', layout: NetworkLayout.PUBLIC_ONLY })).not.toThrow();
  });

  test('cidr must be concrete', () => {
    expect(() => build({ cidr: Lazy.string({ produce: () => '10.0.0.0/16' }) }))
      .toThrow(/^TestStack\/Net: cidr "\$\{Token\[.*\]\}" is a token; give a concrete CIDR string/);
  });
});
