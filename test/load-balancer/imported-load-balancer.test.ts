import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ServiceCluster } from '../../lib/cluster/service-cluster';
import { ServiceImage } from '../../lib/image/service-image';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { ServiceLoadBalancerAttributes } from '../../lib/load-balancer/service-load-balancer-ref';
import { WebService } from '../../lib/service/web-service';
import { testApp } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const ENV = { account: '123456789012', region: 'eu-west-1' };
const LISTENER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/50dc6c495c0c9188/f2f7dc8efc522ab2';

function existingPlatform(stackName = 'Orders') {
  const app = testApp();
  const stack = new Stack(app, stackName, { env: ENV });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'PlatformVpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0aa0000000000001a', 'subnet-0aa0000000000001b'],
    privateSubnetIds: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'],
  });
  const cluster = ServiceCluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'platform-shared', vpc });
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'AlbSg', 'sg-0123456789abcdef0');
  const attrs: ServiceLoadBalancerAttributes = { listenerArn: LISTENER_ARN, securityGroup, vpc, url: 'https://shop.example.com' };
  return { app, stack, vpc, cluster, securityGroup, attrs };
}

describe('ServiceLoadBalancer.fromListenerAttributes', () => {
  test('a web service adds one rule and its target group to the existing listener; the load balancer itself is not in the template', () => {
    // GIVEN an existing ALB listener and security group
    const { stack, cluster, attrs } = existingPlatform();
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
    // WHEN
    const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/orders/*'] });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: LISTENER_ARN,
      Priority: Match.anyValue(),
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/orders/*'] } }],
    });
    // The load balancer's group reaches the tasks through the target security group, on the container port only.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: 'sg-0123456789abcdef0', FromPort: 8080, ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlbTargetSecurityGroup'), 'GroupId'] },
    });
    // ...and the load balancer's group may reach them, even if (like a ServiceLoadBalancer's) it allows no other egress.
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: 'sg-0123456789abcdef0', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlbTargetSecurityGroup'), 'GroupId'] },
    });
    expect(web.listenerRule?.node.path).toBe('Orders/Web/ListenerRule');
    expect(loadBalancer.url).toBe('https://shop.example.com');
    expect(loadBalancer.port).toBe(443);
  });

  test('the rule is created after its target group exists and deleted before it (the listener never forwards to a missing group)', () => {
    // GIVEN
    const { stack, cluster, attrs } = existingPlatform();
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
    // WHEN
    new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/orders/*'] });
    // THEN the rule references the target group, and the service waits for the rule (ECS requires a target group with a listener)
    const template = Template.fromStack(stack);
    const [ruleId, rule] = Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))[0];
    expect(JSON.stringify(rule.Properties.Actions)).toMatch(/WebTargetGroup/);
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.DependsOn).toContain(ruleId);
  });

  test('destroy: the rule, target group, target security group and the rules on the load balancer\'s group go with the stack; nothing of the load balancer is touched', () => {
    // GIVEN
    const { stack, cluster, attrs } = existingPlatform();
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
    // WHEN
    new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/orders/*'] });
    // THEN none of them is retained (they hold no data), so cdk destroy leaves no rule pointing at a deleted group
    const template = Template.fromStack(stack);
    for (const type of ['AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::EC2::SecurityGroup',
      'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r.DeletionPolicy).toBeUndefined();
    }
  });

  test('a listener ARN from Parameter Store (another app\'s output) is taken as a token', () => {
    // GIVEN
    const { stack, cluster, attrs } = existingPlatform();
    const listenerArn = ssm.StringParameter.valueForStringParameter(stack, '/platform/listener-arn');
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', { ...attrs, listenerArn });
    // WHEN
    new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, hostHeaders: ['orders.example.com'] });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('SsmParameterValue') },
    });
  });

  test('an existing listener\'s default action is not this app\'s to change: a route without conditions is refused', () => {
    const { stack, cluster, attrs } = existingPlatform();
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
    expect(() => new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX }))
      .toThrow(/^Orders\/Alb: pathPatterns \[\] of route .* \(Orders\/Web\) are missing \(as are hostHeaders\), so it would replace the default action of the imported listener Orders\/Alb, which is not this app's to change; give the route pathPatterns and\/or hostHeaders$/);
  });

  test('two services on one imported listener: the same priority and overlapping routes are still caught at synth', () => {
    // GIVEN
    const { stack, cluster, attrs } = existingPlatform();
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
    new WebService(stack, 'A', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/a/*'], priority: 10 });
    // WHEN / THEN
    expect(() => new WebService(stack, 'B', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/b/*'], priority: 10 }))
      .toThrow(/priority 10 of Orders\/B is already used by Orders\/A/);
    expect(() => new WebService(stack, 'C', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/a/*'] }))
      .toThrow(/match the same requests as route/);
  });

  test('adding a service later leaves the first service\'s rule priority as it was (no rule is replaced on update)', () => {
    // GIVEN version 1 with one service, version 2 with two
    const priorityOf = (services: string[]) => {
      const { stack, cluster, attrs } = existingPlatform();
      const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
      services.forEach((name) => new WebService(stack, name, { cluster, loadBalancer, image: NGINX, pathPatterns: [`/${name.toLowerCase()}/*`] }));
      const rules = Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::ListenerRule');
      return Object.fromEntries(Object.entries(rules).map(([id, r]) => [id, r.Properties.Priority as number]));
    };
    // WHEN
    const v1 = priorityOf(['Orders']);
    const v2 = priorityOf(['Orders', 'Payments']);
    // THEN
    expect(Object.keys(v1)).toHaveLength(1);
    expect(Object.keys(v2)).toHaveLength(2);
    for (const [id, priority] of Object.entries(v1)) expect(v2[id]).toBe(priority);
  });

  test('a load balancer group imported as mutable with restricted egress gets the egress rule once, not twice', () => {
    // GIVEN
    const { stack, cluster, attrs } = existingPlatform();
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'StrictSg', 'sg-0fedcba9876543210', { allowAllOutbound: false, mutable: true });
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', { ...attrs, securityGroup });
    // WHEN
    new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/x/*'] });
    // THEN
    // THEN one rule (CloudFormation refuses the same permission twice), in this stack
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: 'sg-0fedcba9876543210', FromPort: 8080, ToPort: 8080,
    });
  });

  test.each([
    [{ listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/nlb/50dc6c495c0c9188/f2f7dc8efc522ab2' },
      /^Orders\/Alb: listenerArn .* is not the ARN of an Application Load Balancer listener; .*a Network Load Balancer listener, net\/\.\.\., cannot route by path or host/],
    [{ listenerArn: LISTENER_ARN.replace('eu-west-1', 'us-east-1') }, /listenerArn .* is in us-east-1, but the stack deploys to eu-west-1/],
    [{ listenerArn: LISTENER_ARN.replace('123456789012', '210987654321') }, /listenerArn .* belongs to account 210987654321, but the stack deploys to 123456789012/],
    [{ url: undefined }, /^Orders\/Alb: url undefined is missing \(and so is loadBalancerDnsName\)/],
    [{ url: 'shop.example.com' }, /^Orders\/Alb: url "shop.example.com" is not an http\(s\) URL/],
    [{ port: 70000 }, /^Orders\/Alb: port 70000/],
  ])('rejects %j by name', (change, message) => {
    const { stack, attrs } = existingPlatform();
    expect(() => ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', { ...attrs, ...change })).toThrow(message);
  });

  test('an HTTP listener: port 80 by default, and the URL built from the load balancer\'s DNS name', () => {
    const { stack, attrs } = existingPlatform();
    const lb = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', {
      ...attrs, protocol: elbv2.ApplicationProtocol.HTTP, url: undefined, loadBalancerDnsName: 'platform-123.eu-west-1.elb.amazonaws.com',
    });
    expect(lb.url).toBe('http://platform-123.eu-west-1.elb.amazonaws.com');
    expect(lb.port).toBe(80);
  });

  test('a cluster in another VPC than the imported listener is refused', () => {
    // GIVEN
    const { stack, attrs } = existingPlatform();
    const otherVpc = ec2.Vpc.fromVpcAttributes(stack, 'OtherVpc', {
      vpcId: 'vpc-0999999999999999', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0ccc'],
    });
    const cluster = ServiceCluster.fromClusterAttributes(stack, 'OtherCluster', { clusterName: 'x', vpc: otherVpc });
    const loadBalancer = ServiceLoadBalancer.fromListenerAttributes(stack, 'Alb', attrs);
    // WHEN / THEN
    expect(() => new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/x/*'] }))
      .toThrow(/loadBalancer "Orders\/Alb" is in VPC Orders\/PlatformVpc, not in the cluster's VPC Orders\/OtherVpc/);
  });
});

describe('ServiceLoadBalancer members', () => {
  test('applicationLoadBalancer is the L2; the deprecated loadBalancer alias returns the same object', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
    const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc });
    expect(lb.applicationLoadBalancer).toBeInstanceOf(elbv2.ApplicationLoadBalancer);
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    expect(lb.loadBalancer).toBe(lb.applicationLoadBalancer);
    expect(lb.listenerArn).toBe(lb.listener.listenerArn);
    expect(lb.vpc).toBe(vpc);
  });
});
