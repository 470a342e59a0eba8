import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { ServiceCluster } from '../../lib/cluster/service-cluster';
import { ServiceImage } from '../../lib/image/service-image';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { WebService } from '../../lib/service/web-service';
import { WorkerService } from '../../lib/worker/worker-service';
import { testApp } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function sharedStack() {
  const app = testApp();
  const shared = new Stack(app, 'Shared', { env: { region: 'us-east-1' } });
  const cluster = new ServiceCluster(shared, 'Cluster', { restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(shared, 'LB', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
  const more = new Stack(app, 'More', { env: { region: 'us-east-1' } });
  return { app, shared, more, cluster, loadBalancer };
}

describe('a web service in another stack than its cluster and load balancer', () => {
  test('keeps its listener rule in its own stack, so the stacks do not depend on each other in a cycle', () => {
    // GIVEN
    const { app, shared, more, cluster, loadBalancer } = sharedStack();
    // WHEN
    const api = new WebService(more, 'Api', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/api/*'] });
    // THEN: it synthesizes, the rule is the service's child, and only More depends on Shared
    expect(() => app.synth()).not.toThrow();
    expect(api.listenerRule?.node.path).toBe('More/Api/ListenerRule');
    Template.fromStack(more).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    Template.fromStack(shared).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(more.dependencies).toContain(shared);
    expect(shared.dependencies).not.toContain(more);
  });

  test('cannot be the default route: that would put its target group into the load balancer\'s stack', () => {
    // GIVEN
    const { more, cluster, loadBalancer } = sharedStack();
    // WHEN / THEN
    expect(() => new WebService(more, 'Web', { cluster, loadBalancer, image: NGINX }))
      .toThrow(/^Shared\/LB: pathPatterns \[\] of route .* are missing, so it would be the listener's default action, which lives in the load balancer's stack Shared while the service is in More; give a service in another stack pathPatterns and\/or hostHeaders/);
  });

  test('one rule scope holds one route', () => {
    // GIVEN
    const { shared, cluster, loadBalancer } = sharedStack();
    const api = new WebService(shared, 'Api', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/api/*'] });
    const targetGroup = new elbv2.ApplicationTargetGroup(shared, 'Other', { vpc: cluster.vpc, port: 80, targetType: elbv2.TargetType.IP });
    // WHEN / THEN
    expect(() => loadBalancer.addTarget('Other', { targetGroup, pathPatterns: ['/other/*'], ruleScope: api }))
      .toThrow(/^Shared\/LB: ruleScope "Shared\/Api" already holds a ListenerRule; give each route its own rule scope/);
  });
});

describe('Service Connect between stacks', () => {
  // GIVEN a shared stack with the cluster (with a namespace), the load balancer and an internal
  // orders API, and a web front end in a stack of its own (which depends on the shared one)
  function fixture() {
    const app = testApp();
    const shared = new Stack(app, 'Shared', { env: { region: 'us-east-1' } });
    const cluster = new ServiceCluster(shared, 'Cluster', { restrictDefaultSecurityGroup: false, serviceConnectNamespace: 'internal' });
    const loadBalancer = new ServiceLoadBalancer(shared, 'LB', { vpc: cluster.vpc });
    Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
    const orders = new WorkerService(shared, 'Orders', { cluster, image: NGINX, containerPort: 8080, serviceConnect: { name: 'orders' } });
    const front = new Stack(app, 'Front', { env: { region: 'us-east-1' } });
    const web = new WebService(front, 'Web', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/*'], serviceConnect: { clientOnly: true } });
    return { app, shared, front, cluster, loadBalancer, orders, web };
  }
  const id = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

  test('a caller in another stack synthesizes: the ingress rule lives in the caller\'s stack, and only that stack depends on the other', () => {
    // GIVEN
    const { app, shared, front, orders, web } = fixture();
    // WHEN
    orders.allowServiceConnectFrom(web);
    // THEN: no cycle
    expect(() => app.synth()).not.toThrow();
    expect(front.dependencies).toContain(shared);
    expect(shared.dependencies).not.toContain(front);
    // No Service Connect rule in the API's stack; one in the caller's, on the API's group, from the caller's.
    const serviceConnectRule = { Description: Match.stringLikeRegexp('^Service Connect from') };
    Template.fromStack(shared).resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', serviceConnectRule, 0);
    Template.fromStack(front).resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', serviceConnectRule, 1);
    Template.fromStack(front).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('OrdersSecurityGroup') },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(web.securityGroup), 'GroupId'] },
      Description: 'Service Connect from Front/Web',
    });
  });

  test('the caller\'s service starts after the API\'s: a stack dependency across stacks, a DependsOn in one stack', () => {
    // GIVEN
    const { app, shared, front, cluster, loadBalancer, orders, web } = fixture();
    const local = new WebService(shared, 'Local', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/local/*'], serviceConnect: { clientOnly: true } });
    // WHEN
    orders.allowServiceConnectFrom(web);
    orders.allowServiceConnectFrom(local);
    // THEN: across stacks the caller's stack depends on the API's (deployed first)
    const assembly = app.synth();
    expect(assembly.getStackByName(front.stackName).dependencies.map((d) => d.id)).toContain(shared.artifactId);
    // In one stack the caller's ECS service (and nothing else of it) has a DependsOn on the API's ECS service.
    const template = Template.fromStack(shared);
    expect(template.findResources('AWS::ECS::Service')[id(local.ecsService)].DependsOn).toContain(id(orders.ecsService));
    const dependents = Object.entries(template.toJSON().Resources as Record<string, { DependsOn?: string[] }>)
      .filter(([, r]) => (r.DependsOn ?? []).includes(id(orders.ecsService))).map(([logicalId]) => logicalId);
    expect(dependents).toEqual([id(local.ecsService)]);
  });

  test('in one stack the rule stays on the called group with no egress rule or warning for a caller that allows all outbound', () => {
    // GIVEN the caller in the API's stack
    const { app, shared, cluster, loadBalancer, orders } = fixture();
    const local = new WebService(shared, 'Local', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/local/*'], serviceConnect: { clientOnly: true } });
    // WHEN
    orders.allowServiceConnectFrom(local);
    // THEN it synthesizes, without aws-cdk-lib's "Ignoring Egress rule" warning (which fails a
    // strict `cdk synth`, where annotations are part of the validation report)
    expect(() => app.synth()).not.toThrow();
    Annotations.fromStack(shared).hasNoWarning('*', Match.stringLikeRegexp('Ignoring Egress rule'));
    const template = Template.fromStack(shared);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [id(orders.securityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(local.securityGroup), 'GroupId'] },
      Description: 'Service Connect from Shared/Local',
    });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { Description: Match.stringLikeRegexp('^Service Connect from') }, 0);
  });

  test('a caller whose group restricts egress gets the matching egress rule, in its own stack', () => {
    // GIVEN a caller in another stack with a security group that allows no outbound by default
    const { app, front, cluster, orders } = fixture();
    const restricted = new ec2.SecurityGroup(front, 'Restricted', { vpc: cluster.vpc, allowAllOutbound: false });
    // WHEN
    orders.allowServiceConnectFrom(restricted);
    // THEN both rules live in the caller's stack
    expect(() => app.synth()).not.toThrow();
    const template = Template.fromStack(front);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [id(restricted), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      DestinationSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('OrdersSecurityGroup') },
    });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { Description: 'Service Connect from Front/Restricted' }, 1);
  });

  test('services in two stacks cannot call each other: a clear error naming both, not a stack cycle', () => {
    // GIVEN a payments API in the front stack that calls orders in the shared stack
    const { front, cluster, orders } = fixture();
    const payments = new WorkerService(front, 'Payments', { cluster, image: NGINX, containerPort: 8080, serviceConnect: { name: 'payments' } });
    orders.allowServiceConnectFrom(payments);
    // WHEN orders calls payments back / THEN
    expect(() => payments.allowServiceConnectFrom(orders))
      .toThrow(/^Front\/Payments: allowServiceConnectFrom "Shared\/Orders" is in stack Shared, and Front\/Payments in stack Front already calls it .*each stack would depend on the other.*; put services that call each other in one stack/);
  });

  test('a service cannot allow itself', () => {
    // GIVEN
    const { orders } = fixture();
    // WHEN / THEN
    expect(() => orders.allowServiceConnectFrom(orders))
      .toThrow(/^Shared\/Orders: allowServiceConnectFrom "Shared\/Orders" is this service itself; allow other services/);
  });
});
