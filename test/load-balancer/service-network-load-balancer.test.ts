import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NetworkProtocol, ServiceNetworkLoadBalancer, ServiceNetworkLoadBalancerProps } from '../../lib/load-balancer';
import { compareTemplates } from '../../lib/deploy-checks/update-hazards';
import { testApp, testStack } from '../util/test-app';

const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function fixture(options: { nag?: boolean } = {}): { stack: Stack; vpc: ec2.Vpc } {
  const app = testApp();
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = testStack(app);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0, ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  Validations.of(vpc).acknowledge({ id: 'AwsSolutions::AwsSolutions-VPC7', reason: 'Test scaffolding VPC; flow logs are the network construct\'s job.' });
  return { stack, vpc };
}

function nlb(stack: Stack, vpc: ec2.IVpc, props: Partial<ServiceNetworkLoadBalancerProps> = {}): ServiceNetworkLoadBalancer {
  return new ServiceNetworkLoadBalancer(stack, 'Nlb', { vpc, ...props });
}

function targetGroup(stack: Stack, vpc: ec2.IVpc, id: string, protocol = elbv2.Protocol.TCP): elbv2.NetworkTargetGroup {
  return new elbv2.NetworkTargetGroup(stack, id, { vpc, port: 8080, protocol, targetType: elbv2.TargetType.IP });
}

describe('ServiceNetworkLoadBalancer defaults', () => {
  test('created with its security group (an NLB created without one can never get one), cross-zone on, deletion protection off', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      SecurityGroups: [{ 'Fn::GetAtt': [stack.getLogicalId(lb.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
    // Nothing retains it: `cdk destroy` deletes the load balancer (it holds no data).
    template.hasResource('AWS::ElasticLoadBalancingV2::LoadBalancer', { DeletionPolicy: Match.absent() });
    // Nothing leaves the load balancer's group but what services open.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Network load balancer'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('the security group is set even when no CIDR is allowed (allowedCidrs: []), so callers can be allowed later', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc, { allowedCidrs: [] });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      SecurityGroups: [{ 'Fn::GetAtt': [stack.getLogicalId(lb.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
    });
  });

  test('a listener opens its port (and protocol) from the allowed CIDRs; internet-facing defaults to anywhere', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc);
    lb.addListener(stack, 'Mqtt', { port: 1883, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    lb.addListener(stack, 'Game', { port: 7777, protocol: NetworkProtocol.TCP_UDP, targetGroup: targetGroup(stack, vpc, 'Tg2', elbv2.Protocol.TCP_UDP) });
    const ingress = Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Network load balancer') } });
    const rules = Object.values(ingress)[0].Properties.SecurityGroupIngress.map((r: any) => `${r.IpProtocol} ${r.FromPort} ${r.CidrIp}`);
    expect(rules.sort()).toEqual(['tcp 1883 0.0.0.0/0', 'tcp 7777 0.0.0.0/0', 'udp 7777 0.0.0.0/0']);
  });

  test('no TLS listener: no access-log bucket (NLB logs TLS only), ELB2 acknowledged with that reason, cdk-nag clean', () => {
    const { stack, vpc } = fixture({ nag: true });
    const lb = nlb(stack, vpc);
    lb.addListener(stack, 'Mqtt', { port: 1883, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(lb.accessLogBucket).toBeUndefined();
    const [cfnLb] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(JSON.stringify(cfnLb.Metadata)).toMatch(/CKV_AWS_91.*TLS listeners only/);
  });

  test('the first TLS listener turns access logs on to a retained bucket', () => {
    const { stack, vpc } = fixture({ nag: true });
    const lb = nlb(stack, vpc);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
    lb.addListener(stack, 'Grpc', { port: 443, protocol: NetworkProtocol.TLS, certificate, targetGroup: targetGroup(stack, vpc, 'Tg'), alpnPolicy: elbv2.AlpnPolicy.HTTP2_PREFERRED });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'TLS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09', AlpnPolicy: ['HTTP2Preferred'],
      Certificates: [{ CertificateArn: CERT_ARN }],
    });
  });

  test('accessLogs false: no bucket even with a TLS listener, and a warning', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc, { accessLogs: false });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
    lb.addListener(stack, 'Tls', { port: 443, protocol: NetworkProtocol.TLS, certificate, targetGroup: targetGroup(stack, vpc, 'Tg') });
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
    Annotations.fromStack(stack).hasWarning('/TestStack/Nlb', Match.stringLikeRegexp('Access logs are off'));
  });
});

describe('internal ServiceNetworkLoadBalancer', () => {
  test('private subnets, and the VPC CIDR (not the internet) is allowed by default', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc, { internetFacing: false });
    lb.addListener(stack, 'Tcp', { port: 5432, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: vpc.isolatedSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Network load balancer'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 5432, IpProtocol: 'tcp' })],
    });
  });

  test('allowFrom a caller, with allowedCidrs []: only the caller\'s group, on listener ports added before and after', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc, { internetFacing: false, allowedCidrs: [] });
    lb.addListener(stack, 'Before', { port: 5000, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    const caller = new ec2.SecurityGroup(stack, 'Caller', { vpc });
    lb.allowFrom(caller);
    lb.addListener(stack, 'After', { port: 5001, protocol: NetworkProtocol.UDP, targetGroup: targetGroup(stack, vpc, 'Tg2', elbv2.Protocol.UDP) });
    const template = Template.fromStack(stack);
    const callerId = { 'Fn::GetAtt': [stack.getLogicalId(caller.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] };
    const rules = template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { SourceSecurityGroupId: callerId } });
    expect(Object.values(rules).map((r: any) => `${r.Properties.IpProtocol} ${r.Properties.FromPort}`).sort()).toEqual(['tcp 5000', 'udp 5001']);
    const lbGroup = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Network load balancer') } }))[0];
    expect(lbGroup.Properties.SecurityGroupIngress).toBeUndefined();
  });
});

describe('ServiceNetworkLoadBalancer validation', () => {
  test('two listeners on one port: a named error, whatever the protocols', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc);
    lb.addListener(new ec2.SecurityGroup(stack, 'A', { vpc }), 'L', { port: 1883, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    expect(() => lb.addListener(stack, 'B', { port: 1883, protocol: NetworkProtocol.UDP, targetGroup: targetGroup(stack, vpc, 'Tg2', elbv2.Protocol.UDP) }))
      .toThrow(/^TestStack: port 1883 is already the TCP listener port of TestStack\/A on the load balancer TestStack\/Nlb \(one listener per port\); .*TCP_UDP/);
  });

  test('TLS without a certificate, a certificate or TLS policy on TCP or UDP: named errors', () => {
    const { stack, vpc } = fixture();
    const lb = nlb(stack, vpc);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
    const tg = targetGroup(stack, vpc, 'Tg');
    expect(() => lb.addListener(stack, 'L1', { port: 443, protocol: NetworkProtocol.TLS, targetGroup: tg })).toThrow(/certificate undefined is missing for a TLS listener/);
    expect(() => lb.addListener(stack, 'L2', { port: 444, protocol: NetworkProtocol.UDP, targetGroup: tg, certificate })).toThrow(/certificate "TestStack\/Cert" is given for a UDP listener/);
    expect(() => lb.addListener(stack, 'L3', { port: 445, protocol: NetworkProtocol.TCP, targetGroup: tg, sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS })).toThrow(/sslPolicy .* is given for a TCP listener/);
    expect(() => lb.addListener(stack, 'L4', { port: 446, protocol: NetworkProtocol.TCP, targetGroup: tg, alpnPolicy: elbv2.AlpnPolicy.HTTP2_ONLY })).toThrow(/alpnPolicy .* is given for a TCP listener/);
  });

  test('names, CIDRs: named errors', () => {
    const { stack, vpc } = fixture();
    expect(() => nlb(stack, vpc, { loadBalancerName: 'internal-x' })).toThrow(/loadBalancerName "internal-x" is not valid/);
    expect(() => new ServiceNetworkLoadBalancer(stack, 'Nlb2', { vpc, allowedCidrs: ['10.0.0.0'] })).toThrow(/allowedCidrs\[0\] "10\.0\.0\.0" is not a CIDR block/);
  });
});

describe('ServiceNetworkLoadBalancer across updates (deploy checks)', () => {
  function version(build: (stack: Stack, vpc: ec2.Vpc) => void): any {
    const { stack, vpc } = fixture();
    build(stack, vpc);
    return Template.fromStack(stack).toJSON();
  }

  test('a named load balancer made internal must be replaced under its name: an error before deploying', () => {
    const before = version((stack, vpc) => nlb(stack, vpc, { loadBalancerName: 'mqtt' }));
    const after = version((stack, vpc) => nlb(stack, vpc, { loadBalancerName: 'mqtt', internetFacing: false }));
    const hazards = compareTemplates({ S: before }, { S: after });
    expect(hazards.filter((h) => h.severity === 'error').map((h) => `${h.kind} ${h.type}`)).toEqual(['named-replacement AWS::ElasticLoadBalancingV2::LoadBalancer']);
  });

  test('a port moving from a removed listener to a new one in the same deploy: the new one is created first, so an error (one listener per port)', () => {
    const before = version((stack, vpc) => {
      nlb(stack, vpc).addListener(stack, 'Old', { port: 1883, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    });
    const after = version((stack, vpc) => {
      nlb(stack, vpc).addListener(stack, 'New', { port: 1883, protocol: NetworkProtocol.TCP, targetGroup: targetGroup(stack, vpc, 'Tg') });
    });
    const hazards = compareTemplates({ S: before }, { S: after });
    expect(hazards.map((h) => `${h.severity} ${h.kind} ${h.type}`)).toContain('error name-in-use AWS::ElasticLoadBalancingV2::Listener');
  });
});
