import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ServiceCluster } from '../../lib/cluster/service-cluster';
import { ServiceImage } from '../../lib/image/service-image';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { WebService } from '../../lib/service/web-service';
import { STRICT_VALIDATION_CONTEXT } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function sharedStack() {
  const app = new App({ context: STRICT_VALIDATION_CONTEXT, treeMetadata: false });
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
