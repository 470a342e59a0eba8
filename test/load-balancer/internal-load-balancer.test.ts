import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer, ServiceNetworkLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { NetworkService, WebService, WorkerService } from '../../lib';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function fixture(): { stack: Stack; cluster: ServiceCluster } {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  return { stack, cluster };
}

function lbGroup(stack: Stack, lb: ServiceLoadBalancer): any {
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(lb.securityGroup.node.defaultChild as ec2.CfnSecurityGroup)];
}

describe('internal ServiceLoadBalancer (a backend other services call by HTTP)', () => {
  test('private subnets by default, and no ingress from the internet: the VPC CIDR on the listener port only', () => {
    const { stack, cluster } = fixture();
    const lb = new ServiceLoadBalancer(stack, 'Internal', { vpc: cluster.vpc, internetFacing: false });
    Validations.of(lb).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: cluster.vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })),
    });
    const ingress = lbGroup(stack, lb).Properties.SecurityGroupIngress;
    expect(ingress.map((r: any) => `${r.IpProtocol} ${r.FromPort} ${r.CidrIp}`)).toEqual(['tcp 80 10.0.0.0/16']);
  });

  test('allowedCidrs [] and allowFrom(caller): only the callers\' groups reach it, on 443 and 80 (the redirect)', () => {
    const { stack, cluster } = fixture();
    const lb = new ServiceLoadBalancer(stack, 'Internal', {
      vpc: cluster.vpc, internetFacing: false, allowedCidrs: [],
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN),
    });
    new WebService(stack, 'Backend', { cluster, loadBalancer: lb, image: IMAGE });
    const caller = new WorkerService(stack, 'Caller', { cluster, image: IMAGE });
    Validations.of(caller).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test' });
    lb.allowFrom(caller);
    const template = Template.fromStack(stack);
    expect(lbGroup(stack, lb).Properties.SecurityGroupIngress).toBeUndefined();
    const callerGroup = { 'Fn::GetAtt': [stack.getLogicalId(caller.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] };
    const rules = template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { SourceSecurityGroupId: callerGroup } });
    expect(Object.values(rules).map((r: any) => r.Properties.FromPort).sort((a, b) => a - b)).toEqual([80, 443]);
    // The caller's tasks allow all egress already: no egress rule is needed on their side.
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { GroupId: callerGroup }, 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
  });
});

describe('allowFrom a caller in another stack (the stack that already depends on the load balancer\'s)', () => {
  function twoStacks(): { base: Stack; callerStack: Stack; cluster: ServiceCluster; caller: WorkerService } {
    const app = testApp();
    const base = testStack(app, 'Base');
    const cluster = new ServiceCluster(base, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    const callerStack = testStack(app, 'Callers');
    const caller = new WorkerService(callerStack, 'Caller', { cluster, image: IMAGE });
    Validations.of(caller).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test' });
    return { base, callerStack, cluster, caller };
  }

  test('ALB: the ingress rule is created in the caller\'s stack, so there is no dependency cycle', () => {
    const { base, callerStack, cluster, caller } = twoStacks();
    const lb = new ServiceLoadBalancer(base, 'Internal', { vpc: cluster.vpc, internetFacing: false, allowedCidrs: [] });
    Validations.of(lb).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test' });
    lb.allowFrom(caller);
    Template.fromStack(callerStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 80, ToPort: 80, IpProtocol: 'tcp' });
    expect(Object.keys(Template.fromStack(base).findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 80 } }))).toEqual([]);
  });

  test('NLB: the same, on each listener port', () => {
    const { base, callerStack, cluster, caller } = twoStacks();
    const nlb = new ServiceNetworkLoadBalancer(base, 'Nlb', { vpc: cluster.vpc, internetFacing: false, allowedCidrs: [] });
    nlb.allowFrom(caller);
    new NetworkService(base, 'Broker', { cluster, loadBalancer: nlb, image: IMAGE, port: 1883 });
    Validations.of(base).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test' });
    Template.fromStack(callerStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 1883, ToPort: 1883, IpProtocol: 'tcp' });
    expect(Object.keys(Template.fromStack(base).findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 1883, SourceSecurityGroupId: Match.anyValue() } }))).toEqual([]);
  });
});
