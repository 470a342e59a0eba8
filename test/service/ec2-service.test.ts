import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Ec2Capacity, ServiceCluster } from '../../lib/cluster';
import { Architecture, ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService, WebServiceOptions } from '../../lib/service';
import { ServiceTaskDefinition } from '../../lib/task-definition';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

interface Fixture {
  stack: Stack;
  cluster: ServiceCluster;
  loadBalancer: ServiceLoadBalancer;
  graviton: Ec2Capacity;
}

/** A SINGLE_NAT cluster with Graviton (t4g.medium) capacity and a shared load balancer. */
function fixture(instanceType = 't4g.medium'): Fixture {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const graviton = cluster.addEc2Capacity('Graviton', { instanceType: new ec2.InstanceType(instanceType) });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  return { stack, cluster, loadBalancer, graviton };
}

function webService(f: Fixture, id: string, options: Partial<WebServiceOptions> = {}): WebService {
  return new WebService(f.stack, id, { cluster: f.cluster, loadBalancer: f.loadBalancer, image: NGINX, ...options });
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('WebService on EC2 capacity next to a Fargate one (one synth)', () => {
  // GIVEN a cluster with Graviton capacity
  let f: Fixture;
  let onEc2: WebService;
  let onFargate: WebService;
  let template: Template;
  beforeAll(() => {
    f = fixture();
    // WHEN one service on the instances (a size Fargate does not offer) and one on Fargate
    onEc2 = webService(f, 'OnEc2', { ec2Capacity: f.graviton, cpu: 384, memoryMiB: 768, pathPatterns: ['/ec2/*'] });
    onFargate = webService(f, 'OnFargate');
    template = Template.fromStack(f.stack);
  });

  test('an ecs.Ec2Service whose capacity provider strategy names the capacity\'s provider, with no launch type', () => {
    // THEN
    expect(onEc2.ecsService).toBeInstanceOf(ecs.Ec2Service);
    const providerId = f.stack.getLogicalId(f.graviton.capacityProvider.node.findChild('CapacityProvider') as any);
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: logicalId(f.stack, onEc2.taskDefinition) },
      CapacityProviderStrategy: [{ CapacityProvider: { Ref: providerId }, Weight: 1 }],
      LaunchType: Match.absent(),
      PlacementStrategies: [
        { Type: 'spread', Field: 'attribute:ecs.availability-zone' },
        { Type: 'binpack', Field: 'MEMORY' },
      ],
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [
            { 'Fn::GetAtt': [logicalId(f.stack, onEc2.securityGroup), 'GroupId'] },
            { 'Fn::GetAtt': [logicalId(f.stack, f.loadBalancer.targetSecurityGroup), 'GroupId'] },
          ],
          Subnets: f.cluster.vpc.privateSubnets.map((s) => ({ Ref: logicalId(f.stack, s) })),
        },
      },
    });
  });

  test('the service waits for the cluster\'s capacity provider association', () => {
    // THEN
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(associations).toHaveLength(1);
    const service = template.findResources('AWS::ECS::Service')[logicalId(f.stack, onEc2.ecsService)] as any;
    expect(service.DependsOn).toEqual(expect.arrayContaining(associations));
  });

  test('an EC2-compatible task definition in awsvpc mode, sized at task level, pinned to arm64 (the instances\' architecture)', () => {
    // THEN
    expect(onEc2.task.architecture).toBe(Architecture.ARM64);
    expect(onEc2.taskDefinition.isEc2Compatible).toBe(true);
    expect(onEc2.taskDefinition.isFargateCompatible).toBe(false);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: Match.stringLikeRegexp('OnEc2'),
      RequiresCompatibilities: ['EC2'],
      NetworkMode: 'awsvpc',
      Cpu: '384',
      Memory: '768',
      RuntimePlatform: Match.absent(),
      PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.cpu-architecture == arm64' }],
    });
  });

  test('the Fargate service in the same cluster is unchanged', () => {
    // THEN
    expect(onFargate.ecsService).toBeInstanceOf(ecs.FargateService);
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: logicalId(f.stack, onFargate.taskDefinition) },
      LaunchType: 'FARGATE',
      CapacityProviderStrategy: Match.absent(),
      PlacementStrategies: Match.absent(),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: Match.stringLikeRegexp('OnFargate'),
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      PlacementConstraints: Match.absent(),
    });
  });
});

describe('ServiceTaskDefinition with ec2Capacity', () => {
  test('an explicit matching architecture, a size no Fargate table has, no synth needed for the members', () => {
    // GIVEN
    const f = fixture('m7g.xlarge');

    // WHEN
    const task = new ServiceTaskDefinition(f.stack, 'Task', {
      image: NGINX, ec2Capacity: f.graviton, architecture: Architecture.ARM64, cpu: 3072, memoryMiB: 12000,
    });

    // THEN
    expect(task.taskDefinition.compatibility).toBe(ecs.Compatibility.EC2);
    expect(task.taskDefinition.networkMode).toBe(ecs.NetworkMode.AWS_VPC);
    expect(task.architecture).toBe(Architecture.ARM64);
  });
});

describe('services on EC2 capacity: validation', () => {
  // One fixture: every case throws before anything is added to the stack.
  let f: Fixture;
  beforeAll(() => {
    f = fixture();
  });

  test('task cpu above the instance type\'s vCPUs × 1024', () => {
    expect(() => webService(f, 'BigCpu', { ec2Capacity: f.graviton, cpu: 4096, memoryMiB: 2048 }))
      .toThrow(/^TestStack\/BigCpu: cpu 4096 does not fit on one t4g.medium instance of ec2Capacity \(2 vCPUs = 2048 CPU units\); use at most 2048, or a larger instance type/);
  });

  test('task memory above what the instance type leaves for tasks', () => {
    expect(() => webService(f, 'BigMemory', { ec2Capacity: f.graviton, cpu: 1024, memoryMiB: 4096 }))
      .toThrow(/^TestStack\/BigMemory: memoryMiB 4096 does not fit on one t4g.medium instance of ec2Capacity \(3594 MiB left for tasks .*\); use at most 3594/);
  });

  test('task cpu below ECS\'s 128 units for tasks on EC2 (Fargate\'s table does not apply)', () => {
    expect(() => webService(f, 'TinyCpu', { ec2Capacity: f.graviton, cpu: 64, memoryMiB: 512 }))
      .toThrow(/^TestStack\/TinyCpu: cpu 64 is out of range; use an integer from 128 to 196608 CPU units/);
  });

  test('spot with ec2Capacity: ECS does not mix Fargate and Auto Scaling group providers', () => {
    expect(() => webService(f, 'Mixed', { ec2Capacity: f.graviton, spot: { spotWeight: 1 } }))
      .toThrow(/^TestStack\/Mixed: spot \{"spotWeight":1\} cannot be combined with ec2Capacity/);
  });

  test('x86 tasks on Graviton instances', () => {
    expect(() => webService(f, 'X86OnArm', { ec2Capacity: f.graviton, architecture: Architecture.X86_64 }))
      .toThrow(/^TestStack\/X86OnArm: architecture "X86_64" does not match the ARM64 instances of ec2Capacity \(t4g.medium\)/);
  });

  test('ARM64 tasks on x86 instances', () => {
    const x86 = f.cluster.addEc2Capacity('Intel', { instanceType: new ec2.InstanceType('m7i.large') });
    expect(() => webService(f, 'ArmOnX86', { ec2Capacity: x86, architecture: Architecture.ARM64 }))
      .toThrow(/^TestStack\/ArmOnX86: architecture "ARM64" does not match the X86_64 instances of ec2Capacity \(m7i.large\)/);
  });

  test('assignPublicIp: tasks on EC2 get no public IP', () => {
    expect(() => webService(f, 'PublicIp', { ec2Capacity: f.graviton, assignPublicIp: true }))
      .toThrow(/^TestStack\/PublicIp: assignPublicIp true is not possible on ec2Capacity/);
  });

  test('capacity of another cluster', () => {
    const other = new ServiceCluster(f.stack, 'Other', { vpc: f.cluster.vpc });
    const foreign = other.addEc2Capacity('Ec2');
    expect(() => webService(f, 'Foreign', { ec2Capacity: foreign, architecture: Architecture.X86_64 }))
      .toThrow(/^TestStack\/Foreign: ec2Capacity "TestStack\/Other\/Ec2" belongs to the cluster TestStack\/Other, not to the service's cluster TestStack\/Cluster/);
  });

  test('an instance type outside the size table skips the fit check (ECS decides at placement)', () => {
    const unknown = f.cluster.addEc2Capacity('Unknown', { instanceType: new ec2.InstanceType('x2gd.large') });
    expect(unknown.maxTaskCpu).toBeUndefined();
    expect(() => webService(f, 'Unsized', { ec2Capacity: unknown, cpu: 8192, memoryMiB: 30000 })).not.toThrow();
  });
});
