import { Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Ec2Capacity, ManagedInstancesCapacity, ServiceCluster } from '../../lib/cluster';
import { Architecture, ServiceImage } from '../../lib/image';
import { OneOffTask, OneOffTaskProps, ScheduledTask, TaskSchedule } from '../../lib/task';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/node:20-alpine');

interface Fixture {
  stack: Stack;
  cluster: ServiceCluster;
  ec2Capacity: Ec2Capacity;
  managed: ManagedInstancesCapacity;
}

function fixture(): Fixture {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('t4g.medium') });
  const managed = cluster.addManagedInstancesCapacity('MI');
  return { stack, cluster, ec2Capacity, managed };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('ScheduledTask and OneOffTask on EC2 capacity and on Managed Instances (one synth)', () => {
  let f: Fixture;
  let onEc2: ScheduledTask;
  let onManaged: ScheduledTask;
  let oneOff: OneOffTask;
  let template: Template;
  beforeAll(() => {
    // GIVEN a cluster with Graviton EC2 capacity and x86 Managed Instances
    f = fixture();
    // WHEN
    onEc2 = new ScheduledTask(f.stack, 'OnEc2', { cluster: f.cluster, image: IMAGE, schedule: TaskSchedule.cron({ hour: '2' }), ec2Capacity: f.ec2Capacity });
    onManaged = new ScheduledTask(f.stack, 'OnManaged', { cluster: f.cluster, image: IMAGE, schedule: TaskSchedule.cron({ hour: '3' }), managedInstancesCapacity: f.managed });
    oneOff = new OneOffTask(f.stack, 'Migrate', { cluster: f.cluster, image: IMAGE, managedInstancesCapacity: f.managed });
    template = Template.fromStack(f.stack);
  });

  test('task definitions: EC2-compatible with the instances\' architecture; MANAGED_INSTANCES with a runtime platform', () => {
    // THEN
    expect(onEc2.oneOffTask.serviceTaskDefinition.architecture).toBe(Architecture.ARM64);
    const tasks = template.findResources('AWS::ECS::TaskDefinition') as any;
    expect(tasks[logicalId(f.stack, onEc2.oneOffTask.taskDefinition)].Properties).toMatchObject({ RequiresCompatibilities: ['EC2'], NetworkMode: 'awsvpc' });
    expect(tasks[logicalId(f.stack, onManaged.oneOffTask.taskDefinition)].Properties).toMatchObject({
      RequiresCompatibilities: ['MANAGED_INSTANCES'], NetworkMode: 'awsvpc', RuntimePlatform: { CpuArchitecture: 'X86_64' },
    });
  });

  test('the schedules start runs with the capacity\'s provider instead of the FARGATE launch type, without a public IP', () => {
    // THEN
    const schedules = template.findResources('AWS::Scheduler::Schedule') as any;
    for (const [job, capacity] of [[onEc2, f.ec2Capacity], [onManaged, f.managed]] as const) {
      const ecsParameters = schedules[logicalId(f.stack, job.schedule)].Properties.Target.EcsParameters;
      expect(ecsParameters.LaunchType).toBeUndefined();
      expect(ecsParameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: f.stack.resolve(capacity.capacityProvider.capacityProviderName), Weight: 1 }]);
      expect(ecsParameters.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    }
  });

  test('create and delete order: each schedule references its provider and depends on the cluster\'s associations (an EC2 provider is associated there)', () => {
    // THEN
    const schedules = template.findResources('AWS::Scheduler::Schedule') as any;
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith([f.stack.resolve(f.ec2Capacity.capacityProvider.capacityProviderName)]),
    });
    for (const job of [onEc2, onManaged]) {
      expect(schedules[logicalId(f.stack, job.schedule)].DependsOn).toEqual(expect.arrayContaining(associations));
    }
  });

  test('runTaskCommand names the capacity provider strategy', () => {
    // THEN
    expect(oneOff.capacityProviderStrategy()).toEqual([{ capacityProvider: f.managed.capacityProvider.capacityProviderName, weight: 1 }]);
    expect(oneOff.runTaskCommand).toContain('--capacity-provider-strategy capacityProvider=');
    expect(oneOff.runTaskCommand).not.toContain('--launch-type');
  });
});

describe('task placement validation (one rule each)', () => {
  function oneOff(props: Partial<OneOffTaskProps>, f = fixture()): () => OneOffTask {
    return () => new OneOffTask(f.stack, 'Job', { cluster: f.cluster, image: IMAGE, ...props });
  }

  test('fargateSpot with ec2Capacity', () => {
    const f = fixture();
    expect(oneOff({ fargateSpot: true, ec2Capacity: f.ec2Capacity }, f)).toThrow(/TestStack\/Job: fargateSpot true cannot be combined with ec2Capacity/);
  });

  test('fargateSpot with managedInstancesCapacity', () => {
    const f = fixture();
    expect(oneOff({ fargateSpot: true, managedInstancesCapacity: f.managed }, f)).toThrow(/fargateSpot true cannot be combined with managedInstancesCapacity.*give the capacity spot: true/);
  });

  test('both capacities name both props', () => {
    const f = fixture();
    expect(oneOff({ ec2Capacity: f.ec2Capacity, managedInstancesCapacity: f.managed }, f)).toThrow(/managedInstancesCapacity "TestStack\/Cluster\/MI" cannot be combined with ec2Capacity/);
  });

  test('a task too large for the instance type', () => {
    const f = fixture();
    expect(oneOff({ ec2Capacity: f.ec2Capacity, cpu: 4096, memoryMiB: 2048 }, f)).toThrow(/cpu 4096 does not fit on one t4g.medium instance of ec2Capacity/);
  });

  test('architecture mismatch with ec2Capacity', () => {
    const f = fixture();
    expect(oneOff({ ec2Capacity: f.ec2Capacity, architecture: Architecture.X86_64 }, f)).toThrow(/architecture "X86_64" does not match the ARM64 instances of ec2Capacity/);
  });

  test('capacity of another cluster', () => {
    const f = fixture();
    const other = new ServiceCluster(f.stack, 'Other', { restrictDefaultSecurityGroup: false });
    expect(oneOff({ cluster: other, ec2Capacity: f.ec2Capacity }, f)).toThrow(/ec2Capacity "TestStack\/Cluster\/Ec2" belongs to the cluster TestStack\/Cluster, not to the task's cluster TestStack\/Other/);
  });

  test('ephemeralStorageSize on ec2Capacity', () => {
    const f = fixture();
    expect(oneOff({ ec2Capacity: f.ec2Capacity, ephemeralStorageSize: Size.gibibytes(30) }, f)).toThrow(/ephemeralStorageSize "30 GiB" only applies to Fargate; tasks on ec2Capacity use the instances' volume; .*volumeSize/);
  });

  test('an EBS volume is for services only, named', () => {
    expect(oneOff({ ebsVolume: { mountPath: '/data', size: Size.gibibytes(10) } } as any)).toThrow(/TestStack\/Job: ebsVolume .* is only for services/);
  });
});
