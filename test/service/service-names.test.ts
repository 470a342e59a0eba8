import { CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService } from '../../lib/service';
import { WorkerService } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function fixture() {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
  return { stack, cluster, loadBalancer };
}

describe('explicit service names are unique per cluster (ECS rejects a second one only at deploy)', () => {
  test('two web services with one serviceName in one cluster', () => {
    // GIVEN
    const { stack, cluster, loadBalancer } = fixture();
    new WebService(stack, 'Api', { cluster, loadBalancer, image: NGINX, serviceName: 'api', pathPatterns: ['/a/*'] });
    // WHEN / THEN
    expect(() => new WebService(stack, 'Api2', { cluster, loadBalancer, image: NGINX, serviceName: 'api', pathPatterns: ['/b/*'] }))
      .toThrow(/^TestStack\/Api2: serviceName "api" is already the name of TestStack\/Api in the cluster TestStack\/Cluster; ECS service names are unique per cluster; give each service in the cluster its own serviceName, or leave serviceName unset/);
  });

  test('a worker and a web service share the check (both go through the service builder)', () => {
    // GIVEN
    const { stack, cluster, loadBalancer } = fixture();
    new WorkerService(stack, 'Jobs', { cluster, image: NGINX, serviceName: 'jobs' });
    // WHEN / THEN
    expect(() => new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, serviceName: 'jobs' }))
      .toThrow(/^TestStack\/Web: serviceName "jobs" is already the name of TestStack\/Jobs in the cluster TestStack\/Cluster/);
  });

  test('a service in another stack that shares the cluster object', () => {
    // GIVEN
    const app = testApp();
    const shared = new Stack(app, 'Shared', { env: { region: 'us-east-1' } });
    const cluster = new ServiceCluster(shared, 'Cluster', { restrictDefaultSecurityGroup: false });
    new WorkerService(shared, 'Jobs', { cluster, image: NGINX, serviceName: 'jobs' });
    const more = new Stack(app, 'More', { env: { region: 'us-east-1' } });
    // WHEN / THEN
    expect(() => new WorkerService(more, 'Jobs', { cluster, image: NGINX, serviceName: 'jobs' }))
      .toThrow(/^More\/Jobs: serviceName "jobs" is already the name of Shared\/Jobs in the cluster Shared\/Cluster/);
  });

  test('the same name in two clusters, distinct names, and generated names are fine', () => {
    // GIVEN
    const { stack, cluster, loadBalancer } = fixture();
    const other = new ServiceCluster(stack, 'Other', { vpc: cluster.vpc });
    // WHEN
    new WorkerService(stack, 'A', { cluster, image: NGINX, serviceName: 'jobs' });
    new WorkerService(stack, 'B', { cluster: other, image: NGINX, serviceName: 'jobs' });
    new WorkerService(stack, 'C', { cluster, image: NGINX, serviceName: 'jobs-2' });
    new WorkerService(stack, 'D', { cluster, image: NGINX });
    new WebService(stack, 'E', { cluster, loadBalancer, image: NGINX });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::ECS::Service', 5);
  });

  test('names only known at deploy time are not compared', () => {
    // GIVEN
    const { stack, cluster } = fixture();
    const name = new CfnParameter(stack, 'Name', { type: 'String' }).valueAsString;
    // WHEN / THEN
    new WorkerService(stack, 'A', { cluster, image: NGINX, serviceName: name });
    expect(() => new WorkerService(stack, 'B', { cluster, image: NGINX, serviceName: name })).not.toThrow();
  });
});
