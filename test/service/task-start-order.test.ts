/**
 * First create: ECS starts a service's tasks as soon as the service exists, and a task whose
 * image pull or log stream fails stops and counts toward the circuit breaker. So every service
 * and schedule waits for what its tasks start through: the task subnets' default routes (NAT or
 * internet gateway), the layout's VPC endpoints, the execution role's policy. The same DependsOn
 * orders `cdk destroy`: the service goes first, the routes, endpoints and policies after it.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout, ServiceNetwork } from '../../lib/network';
import { WebService } from '../../lib/service';
import { ScheduledTask, TaskSchedule } from '../../lib/task';
import { WorkerService } from '../../lib/worker';
import { dependsOn, dependsTransitively, referencedIds } from '../../lib/deploy-checks/template';
import { CfnTemplate } from '../../lib/deploy-checks/rule';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** Logical ids of the resources of `type` whose properties match `filter`. */
function idsOf(template: CfnTemplate, type: string, filter: (properties: Record<string, any>) => boolean = () => true): string[] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type && filter(r.Properties ?? {})).map(([id]) => id).sort();
}

/** The default routes of the subnets tagged with `subnetType` (the VPC's route tables are named after their subnets). */
function defaultRoutes(template: CfnTemplate, subnetName: 'Private' | 'Public'): string[] {
  return idsOf(template, 'AWS::EC2::Route', (p) => p.DestinationCidrBlock === '0.0.0.0/0')
    .filter((id) => new RegExp(`Vpc${subnetName}Subnet\\d+DefaultRoute`).test(id));
}

/** The IAM policy attached to the role of `roleId`. */
function policyOf(template: CfnTemplate, roleId: string): string[] {
  return idsOf(template, 'AWS::IAM::Policy', (p) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: roleId }]));
}

/** Whether the template's DependsOn, Ref and GetAtt edges form a cycle (CloudFormation rejects one). */
function hasCycle(template: CfnTemplate): boolean {
  const resources = template.Resources ?? {};
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 'done') return false;
    if (state.get(id) === 'open') return true;
    state.set(id, 'open');
    const r = resources[id];
    const next = r ? [...dependsOn(r), ...referencedIds(r.Properties)].filter((n) => n in resources) : [];
    if (next.some(visit)) return true;
    state.set(id, 'done');
    return false;
  };
  return Object.keys(resources).some(visit);
}

function build(network: NetworkLayout, worker = true) {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network, restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
  const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX });
  const jobs = worker ? new WorkerService(stack, 'Jobs', { cluster, image: NGINX, queue: {} }) : undefined;
  const nightly = new ScheduledTask(stack, 'Nightly', { cluster, image: NGINX, schedule: TaskSchedule.cron({ hour: '2' }) });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  return { stack, cluster, web, jobs, nightly, template };
}

describe.each([
  [NetworkLayout.SINGLE_NAT, 1],
  [NetworkLayout.NAT_PER_AZ, 2],
])('%s: services and schedules wait for the NAT default routes of the task subnets', (layout, natRoutes) => {
  const built = build(layout);
  const { stack, template } = built;
  const natRouteIds = idsOf(template, 'AWS::EC2::Route', (p) => p.NatGatewayId !== undefined);

  test('every route to a NAT gateway is a dependency of the web service, the queue worker and the schedule', () => {
    expect(natRouteIds).toHaveLength(2); // one per private subnet, to its AZ's NAT (or the single one)
    expect(idsOf(template, 'AWS::EC2::NatGateway')).toHaveLength(natRoutes);
    expect(natRouteIds).toEqual(defaultRoutes(template, 'Private'));
    for (const id of [logicalId(stack, built.web.ecsService), logicalId(stack, built.jobs!.ecsService), logicalId(stack, built.nightly.schedule)]) {
      expect([id, dependsOn(template.Resources![id])]).toEqual([id, expect.arrayContaining(natRouteIds)]);
    }
  });

  test('the task execution role and its DefaultPolicy (image pull, logs) are dependencies too', () => {
    for (const [owner, task] of [[built.web.ecsService, built.web.taskDefinition], [built.jobs!.ecsService, built.jobs!.taskDefinition], [built.nightly.schedule, built.nightly.taskDefinition]] as const) {
      const role = logicalId(stack, task.executionRole!);
      const policy = policyOf(template, role);
      expect(policy).toHaveLength(1);
      expect(dependsOn(template.Resources![logicalId(stack, owner)])).toEqual(expect.arrayContaining([role, ...policy]));
    }
  });

  test('no cycle: the routes and policies do not wait for anything of the services', () => {
    expect(hasCycle(template)).toBe(false);
    for (const route of natRouteIds) expect(dependsTransitively(template, route, logicalId(stack, built.web.ecsService))).toBe(false);
  });
});

describe('PRIVATE_WITH_ENDPOINTS: services and schedules wait for the endpoints their tasks start through', () => {
  const built = build(NetworkLayout.PRIVATE_WITH_ENDPOINTS);
  const { stack, template } = built;
  const endpoint = (service: string) => idsOf(template, 'AWS::EC2::VPCEndpoint', (p) => JSON.stringify(p.ServiceName).includes(service));
  const [ecrApi, ecrDkr, logsEndpoint, s3, sqs] = ['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs'].map((s) => endpoint(s));

  test('ECR api and dkr, Logs and the S3 gateway: dependencies of the web service, the worker and the schedule', () => {
    for (const ids of [ecrApi, ecrDkr, logsEndpoint, s3, sqs]) expect(ids).toHaveLength(1);
    for (const owner of [built.web.ecsService, built.jobs!.ecsService, built.nightly.schedule]) {
      expect(dependsOn(template.Resources![logicalId(stack, owner)])).toEqual(expect.arrayContaining([...ecrApi, ...ecrDkr, ...logsEndpoint, ...s3]));
    }
  });

  test('the SQS endpoint stays the worker\'s own: the web service and the schedule do not wait for it', () => {
    expect(dependsOn(template.Resources![logicalId(stack, built.jobs!.ecsService)])).toEqual(expect.arrayContaining(sqs));
    expect(dependsOn(template.Resources![logicalId(stack, built.web.ecsService)])).not.toEqual(expect.arrayContaining(sqs));
    expect(dependsOn(template.Resources![logicalId(stack, built.nightly.schedule)])).not.toEqual(expect.arrayContaining(sqs));
  });

  test('the layout without a worker: no SQS endpoint, and no cycle', () => {
    const other = build(NetworkLayout.PRIVATE_WITH_ENDPOINTS, false);
    expect(idsOf(other.template, 'AWS::EC2::VPCEndpoint', (p) => JSON.stringify(p.ServiceName).includes('.sqs'))).toEqual([]);
    expect(hasCycle(template)).toBe(false);
    expect(hasCycle(other.template)).toBe(false);
  });
});

test('PUBLIC_ONLY: services wait for the public subnets\' routes to the internet gateway', () => {
  const built = build(NetworkLayout.PUBLIC_ONLY, false);
  const routes = idsOf(built.template, 'AWS::EC2::Route', (p) => p.GatewayId !== undefined);
  expect(routes).toHaveLength(2);
  expect(dependsOn(built.template.Resources![logicalId(built.stack, built.web.ecsService)])).toEqual(expect.arrayContaining(routes));
  expect(hasCycle(built.template)).toBe(false);
});

test('your own VPC: the routes of the subnets the tasks run in, not of others', () => {
  const stack = testStack(testApp());
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  const cluster = new ServiceCluster(stack, 'Cluster', { vpc });
  const worker = new WorkerService(stack, 'Jobs', { cluster, image: NGINX });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const deps = dependsOn(template.Resources![logicalId(stack, worker.ecsService)]);
  expect(deps.filter((d) => /DefaultRoute/.test(d)).sort()).toEqual(idsOf(template, 'AWS::EC2::Route', (p) => p.NatGatewayId !== undefined));
});

test('a ServiceNetwork given to the cluster as its vpc: services still wait for its endpoints', () => {
  const stack = testStack(testApp());
  const network = new ServiceNetwork(stack, 'Net', { layout: NetworkLayout.PRIVATE_WITH_ENDPOINTS, restrictDefaultSecurityGroup: false });
  const cluster = new ServiceCluster(stack, 'Cluster', { vpc: network.vpc, taskSubnets: network.taskSubnets });
  const worker = new WorkerService(stack, 'Jobs', { cluster, image: NGINX });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const endpoints = idsOf(template, 'AWS::EC2::VPCEndpoint');
  expect(endpoints).toHaveLength(6); // ECR api and dkr, Logs, Secrets Manager, SSM, S3
  expect(dependsOn(template.Resources![logicalId(stack, worker.ecsService)])).toEqual(expect.arrayContaining(endpoints));
});
