import { Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ManagedInstancesCapacity, ServiceCluster } from '../../lib/cluster';
import { replacedResources } from '../../lib/deploy-checks/update-hazards';
import { Architecture, ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService, WebServiceOptions } from '../../lib/service';
import { WorkerService } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

interface Fixture {
  stack: Stack;
  cluster: ServiceCluster;
  loadBalancer: ServiceLoadBalancer;
  capacity: ManagedInstancesCapacity;
}

function fixture(): Fixture {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const capacity = cluster.addManagedInstancesCapacity('MI', { architecture: Architecture.ARM64 });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
  return { stack, cluster, loadBalancer, capacity };
}

function web(f: Fixture, id: string, options: Partial<WebServiceOptions> = {}): WebService {
  return new WebService(f.stack, id, { cluster: f.cluster, loadBalancer: f.loadBalancer, image: NGINX, ...options });
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('WebService and WorkerService on Managed Instances (one synth)', () => {
  let f: Fixture;
  let webService: WebService;
  let worker: WorkerService;
  let template: Template;
  beforeAll(() => {
    // GIVEN a cluster with Graviton Managed Instances
    f = fixture();
    // WHEN
    webService = web(f, 'Web', { managedInstancesCapacity: f.capacity, cpu: 1024, memoryMiB: 3072 });
    worker = new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, managedInstancesCapacity: f.capacity });
    template = Template.fromStack(f.stack);
  });

  test('the task definition is MANAGED_INSTANCES-compatible, awsvpc, with the capacity\'s architecture as runtime platform', () => {
    // THEN
    expect(webService.task.architecture).toBe(Architecture.ARM64);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: Match.anyValue(),
      RequiresCompatibilities: ['MANAGED_INSTANCES'],
      NetworkMode: 'awsvpc',
      Cpu: '1024',
      Memory: '3072',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('the service names the capacity provider (no launch type), keeps the deployment defaults and gets no public IP', () => {
    // THEN
    const providerId = logicalId(f.stack, f.capacity.capacityProvider);
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: logicalId(f.stack, webService.taskDefinition) },
      LaunchType: Match.absent(),
      CapacityProviderStrategy: [{ CapacityProvider: { Ref: providerId }, Weight: 1 }],
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false }, MinimumHealthyPercent: 100, MaximumPercent: 200 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  test('create order: the service references the capacity provider (created first, deleted after the service) and depends on the cluster\'s associations too (deploy check ESK-ECS1)', () => {
    // THEN
    const services = template.findResources('AWS::ECS::Service') as any;
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    for (const svc of [webService.ecsService, worker.ecsService]) {
      const resource = services[logicalId(f.stack, svc)];
      expect(resource.Properties.CapacityProviderStrategy[0].CapacityProvider).toEqual({ Ref: logicalId(f.stack, f.capacity.capacityProvider) });
      expect(resource.DependsOn).toEqual(expect.arrayContaining(associations));
    }
  });
});

describe('Managed Instances placement validation (one rule each)', () => {
  test('spot with managedInstancesCapacity names both', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, spot: { spotWeight: 1 } }))
      .toThrow(/TestStack\/Web: spot .* cannot be combined with managedInstancesCapacity/);
  });

  test('ec2Capacity and managedInstancesCapacity together name both', () => {
    // GIVEN
    const f = fixture();
    const ec2Capacity = f.cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('t4g.medium') });
    // WHEN / THEN
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, ec2Capacity }))
      .toThrow(/managedInstancesCapacity "TestStack\/Cluster\/MI" cannot be combined with ec2Capacity \(TestStack\/Cluster\/Ec2\)/);
  });

  test('architecture must match the capacity\'s', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, architecture: Architecture.X86_64 }))
      .toThrow(/architecture "X86_64" does not match the ARM64 instances of managedInstancesCapacity/);
  });

  test('cpu above maxVcpus does not fit', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, cpu: 16384, memoryMiB: 32768 }))
      .toThrow(/cpu 16384 does not fit on the largest instance managedInstancesCapacity allows \(maxVcpus 8 = 8192 CPU units\)/);
  });

  test('memory above maxMemory (less the agent\'s share) does not fit', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const capacity = cluster.addManagedInstancesCapacity('MI', { maxMemory: Size.gibibytes(8) });
    // WHEN / THEN
    expect(() => new WorkerService(stack, 'Worker', { cluster, image: NGINX, managedInstancesCapacity: capacity, cpu: 1024, memoryMiB: 8192 }))
      .toThrow(/memoryMiB 8192 does not fit on the largest instance managedInstancesCapacity allows \(7444 MiB/);
  });

  test('a non-Fargate task size is fine on instances', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, cpu: 768, memoryMiB: 1000 })).not.toThrow();
  });

  test('capacity of another cluster', () => {
    // GIVEN
    const f = fixture();
    const other = new ServiceCluster(f.stack, 'Other', { restrictDefaultSecurityGroup: false });
    // WHEN / THEN
    expect(() => new WorkerService(f.stack, 'Worker', { cluster: other, image: NGINX, managedInstancesCapacity: f.capacity }))
      .toThrow(/managedInstancesCapacity "TestStack\/Cluster\/MI" belongs to the cluster TestStack\/Cluster, not to the service's cluster TestStack\/Other/);
  });

  test('assignPublicIp: true', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN (the cluster check names the private subnets first)
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, assignPublicIp: true })).toThrow(/assignPublicIp true/);
  });

  test('ephemeralStorageSize is Fargate-only', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN
    expect(() => web(f, 'Web', { managedInstancesCapacity: f.capacity, ephemeralStorageSize: Size.gibibytes(50) }))
      .toThrow(/ephemeralStorageSize "50 GiB" only applies to Fargate; tasks on managedInstancesCapacity use the instances' volume; leave ephemeralStorageSize out and size the instances' volume with taskVolumeSize/);
  });
});

describe('update: moving a service from Fargate to Managed Instances', () => {
  test('LaunchType FARGATE gives way to a capacity provider strategy, which ECS cannot change in place: CloudFormation replaces the service (the new one is created first, the old one deleted in cleanup; an explicit serviceName would fail the update)', () => {
    // GIVEN version 1 on Fargate
    const before = fixture();
    const v1 = web(before, 'Web');
    // WHEN version 2 on Managed Instances
    const after = fixture();
    const v2 = web(after, 'Web', { managedInstancesCapacity: after.capacity });
    // THEN the logical ids stay, and the comparison the deploy checks use names the replacement
    const serviceId = logicalId(after.stack, v2.ecsService);
    expect(serviceId).toBe(logicalId(before.stack, v1.ecsService));
    const replaced = replacedResources(Template.fromStack(before.stack).toJSON(), Template.fromStack(after.stack).toJSON());
    expect(replaced.get(serviceId)).toEqual([expect.stringMatching(/^LaunchType changed from "FARGATE" to \(absent\)/)]);
    expect(replaced.get(logicalId(after.stack, v2.taskDefinition))).toEqual(expect.arrayContaining([expect.stringMatching(/^RequiresCompatibilities changed/)]));
  });
});
