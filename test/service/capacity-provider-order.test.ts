import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService } from '../../lib/service';
import { WorkerService } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The DependsOn of the service resource of `service`. */
function dependsOn(template: Template, stack: Stack, service: { service: { node: { defaultChild?: any } } }): string[] {
  const resource = template.findResources('AWS::ECS::Service')[logicalId(stack, service.service)] as any;
  return resource.DependsOn ?? [];
}

describe('services with a capacity provider strategy wait for the cluster\'s capacity provider associations', () => {
  // GIVEN one cluster (FARGATE and FARGATE_SPOT registered), one load balancer
  let stack: Stack;
  let spotWeb: WebService;
  let spotWorker: WorkerService;
  let onDemand: WebService;
  let template: Template;
  let associations: string[];
  beforeAll(() => {
    stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
    // WHEN a web service and a worker on Fargate Spot, and a web service on the FARGATE launch type
    spotWeb = new WebService(stack, 'SpotWeb', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/spot/*'], spot: { spotWeight: 3 } });
    spotWorker = new WorkerService(stack, 'SpotWorker', { cluster, image: NGINX, spot: { spotWeight: 1, onDemandBase: 0 } });
    onDemand = new WebService(stack, 'OnDemand', { cluster, loadBalancer, image: NGINX });
    template = Template.fromStack(stack);
    associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
  });

  test('a Fargate Spot web service: created after, deleted before the associations (no "capacity provider is in use" on delete)', () => {
    // THEN
    expect(associations).toHaveLength(1);
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: logicalId(stack, spotWeb.taskDefinition) },
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Weight: 1, Base: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
    });
    expect(dependsOn(template, stack, spotWeb)).toEqual(expect.arrayContaining(associations));
  });

  test('a Fargate Spot worker service (same builder) too', () => {
    // THEN
    expect(dependsOn(template, stack, spotWorker)).toEqual(expect.arrayContaining(associations));
  });

  test('a service on the FARGATE launch type names no provider and keeps no such dependency', () => {
    // THEN
    expect(dependsOn(template, stack, onDemand)).not.toEqual(expect.arrayContaining(associations));
  });
});

describe('a Fargate Spot service in another stack than its cluster', () => {
  // A regression guard for the cross-stack case (the stack dependency itself comes from the
  // service's references to the cluster too): the dependency on the associations must not become
  // a DependsOn across templates nor a cycle between the stacks.
  test('synthesizes without a cycle or a cross-template DependsOn; the cluster\'s stack is deployed first and deleted last', () => {
    // GIVEN
    const app = testApp();
    const shared = new Stack(app, 'Shared', { env: { region: 'us-east-1' } });
    const cluster = new ServiceCluster(shared, 'Cluster', { restrictDefaultSecurityGroup: false });
    const more = new Stack(app, 'More', { env: { region: 'us-east-1' } });

    // WHEN
    const worker = new WorkerService(more, 'Worker', { cluster, image: NGINX, spot: { spotWeight: 1 } });

    // THEN: it synthesizes; the associations stay in Shared, which More waits for on create and
    // outlives on delete (CloudFormation deletes a dependent stack first)
    expect(() => app.synth()).not.toThrow();
    expect(Object.keys(Template.fromStack(shared).findResources('AWS::ECS::ClusterCapacityProviderAssociations'))).toHaveLength(1);
    Template.fromStack(more).resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
    expect(more.dependencies).toContain(shared);
    expect(shared.dependencies).not.toContain(more);
    // No DependsOn across stacks (CloudFormation would reject a DependsOn on a resource of another template).
    const moreTemplate = Template.fromStack(more);
    const ids = Object.keys(moreTemplate.toJSON().Resources);
    for (const dep of dependsOn(moreTemplate, more, worker)) {
      expect(ids).toContain(dep);
    }
  });
});
