import { App, Size, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployChecks } from '../../lib';
import { ManagedInstancesCapacity, ManagedInstancesCapacityOptions, ServiceCluster } from '../../lib/cluster';
import { Architecture, ServiceImage } from '../../lib/image';
import { NetworkLayout } from '../../lib/network';
import { WorkerService } from '../../lib/worker';
import { describeWithSchemas, schemaFacts } from '../util/cfn-schemas';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function cluster(network = NetworkLayout.SINGLE_NAT, app: App = testApp()): { stack: Stack; cluster: ServiceCluster } {
  const stack = testStack(app);
  return { stack, cluster: new ServiceCluster(stack, 'Cluster', { network, restrictDefaultSecurityGroup: false }) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

function capacityWith(options: ManagedInstancesCapacityOptions): () => ManagedInstancesCapacity {
  return () => cluster().cluster.addManagedInstancesCapacity('MI', options);
}

describe('ManagedInstancesCapacity defaults (x86, 2-8 vCPUs, On-Demand)', () => {
  // GIVEN a SINGLE_NAT cluster (one synth for the block)
  let stack: Stack;
  let serviceCluster: ServiceCluster;
  let capacity: ManagedInstancesCapacity;
  let template: Template;
  beforeAll(() => {
    ({ stack, cluster: serviceCluster } = cluster());
    // WHEN
    capacity = serviceCluster.addManagedInstancesCapacity('MI');
    template = Template.fromStack(stack);
  });

  test('public members: x86, On-Demand, tasks up to 8 vCPUs, memory unbounded', () => {
    // THEN
    expect(capacity.node.path).toBe('TestStack/Cluster/MI');
    expect(capacity.cluster).toBe(serviceCluster);
    expect(capacity.architecture).toBe(Architecture.X86_64);
    expect(capacity.spot).toBe(false);
    expect(capacity.maxTaskCpu).toBe(8192);
    expect(capacity.maxTaskMemoryMiB).toBeUndefined();
    expect(capacity.infrastructureRole).toBe(capacity.capacityProvider.infrastructureRole);
  });

  test('a cluster-scoped capacity provider in the private task subnets: Intel/AMD, current generation, no burstable or bare metal, basic monitoring, tags propagated', () => {
    // THEN
    template.resourceCountIs('AWS::ECS::CapacityProvider', 1);
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      ClusterName: { Ref: logicalId(stack, serviceCluster.ecsCluster) },
      ManagedInstancesProvider: {
        InstanceLaunchTemplate: {
          CapacityOptionType: 'ON_DEMAND',
          InstanceRequirements: {
            CpuManufacturers: ['intel', 'amd'],
            InstanceGenerations: ['current'],
            BurstablePerformance: 'excluded',
            BareMetal: 'excluded',
            VCpuCount: { Min: 2, Max: 8 },
            MemoryMiB: { Min: 4096 },
          },
          Monitoring: 'BASIC',
          StorageConfiguration: Match.absent(),
          NetworkConfiguration: {
            Subnets: serviceCluster.vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })),
            SecurityGroups: [{ 'Fn::GetAtt': [logicalId(stack, capacity.securityGroup), 'GroupId'] }],
          },
        },
        PropagateTags: 'CAPACITY_PROVIDER',
      },
    });
  });

  test('not in the cluster\'s ClusterCapacityProviderAssociations (ECS rejects a Managed Instances provider there: it is cluster-scoped)', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
  });

  test('the security group has no inbound rule', () => {
    // THEN
    const group = template.findResources('AWS::EC2::SecurityGroup')[logicalId(stack, capacity.securityGroup)] as any;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('instance role: only the ECS agent\'s calls, no managed policies; instance profile and role named ecsInstanceRole* (the managed infrastructure policy passes only those)', () => {
    // THEN
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] } } });
    const [role] = Object.values(roles) as any[];
    expect(Object.keys(roles)).toHaveLength(1);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.RoleName).toMatch(/^ecsInstanceRole/);
    const actions = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions.every((a: string) => a.startsWith('ecs:'))).toBe(true);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: Match.stringLikeRegexp('^ecsInstanceRole') });
  });

  test('infrastructure role: assumed by ECS, with AmazonECSInfrastructureRolePolicyForManagedInstances', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances']] }],
    });
  });

  test('create and delete order: the provider references the infrastructure role, the instance profile and the security group, so CloudFormation creates them first and deletes them only after the provider (ECS still terminates the instances with the role while the provider goes)', () => {
    // THEN
    const provider = (template.findResources('AWS::ECS::CapacityProvider') as any)[logicalId(stack, capacity.capacityProvider)];
    const launch = provider.Properties.ManagedInstancesProvider;
    const infraRoleId = stack.getLogicalId(capacity.infrastructureRole.node.defaultChild as any);
    const profileId = stack.getLogicalId(capacity.instanceProfile.node.defaultChild as any);
    expect(launch.InfrastructureRoleArn).toEqual({ 'Fn::GetAtt': [infraRoleId, 'Arn'] });
    expect(launch.InstanceLaunchTemplate.Ec2InstanceProfileArn).toEqual({ 'Fn::GetAtt': [profileId, 'Arn'] });
    // The role's permissions are part of the role resource itself (no separate AWS::IAM::Policy
    // that could be deleted before the provider).
    const infraRole = (template.findResources('AWS::IAM::Role') as any)[infraRoleId];
    expect(infraRole.Properties.ManagedPolicyArns).toHaveLength(1);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    expect(policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(infraRoleId))).toEqual([]);
  });

  test('delete order: the provider goes before the task subnets\' NAT routes, so draining instances still reach ECS (aws-cdk #36071)', () => {
    // THEN the provider DependsOn every default route of the private task subnets (and so their NAT gateway)
    const provider = (template.findResources('AWS::ECS::CapacityProvider') as any)[logicalId(stack, capacity.capacityProvider)];
    const routes = Object.entries(template.findResources('AWS::EC2::Route'))
      .filter(([id]) => id.includes('Private'))
      .map(([id]) => id);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(provider.DependsOn).toContain(route);
  });

  test('no warning', () => {
    // THEN
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('ManagedInstancesCapacity options', () => {
  test('ARM64 allows only Graviton (AWS) CPUs', () => {
    // GIVEN
    const { stack, cluster: c } = cluster();
    // WHEN
    const capacity = c.addManagedInstancesCapacity('MI', { architecture: Architecture.ARM64 });
    // THEN
    expect(capacity.architecture).toBe(Architecture.ARM64);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::CapacityProvider', {
      ManagedInstancesProvider: { InstanceLaunchTemplate: { InstanceRequirements: { CpuManufacturers: ['amazon-web-services'] } } },
    });
  });

  test('spot, sizes, task volume, detailed monitoring and no tag propagation', () => {
    // GIVEN
    const { stack, cluster: c } = cluster();
    // WHEN
    const capacity = c.addManagedInstancesCapacity('MI', {
      spot: true, minVcpus: 4, maxVcpus: 16, minMemory: Size.gibibytes(8), maxMemory: Size.gibibytes(64),
      taskVolumeSize: Size.gibibytes(120), detailedMonitoring: true, propagateTags: false,
    });
    // THEN
    expect(capacity.maxTaskCpu).toBe(16384);
    expect(capacity.maxTaskMemoryMiB).toBe(Math.floor(65536 * 0.94) - 256);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::CapacityProvider', {
      ManagedInstancesProvider: {
        InstanceLaunchTemplate: {
          CapacityOptionType: 'SPOT',
          InstanceRequirements: { VCpuCount: { Min: 4, Max: 16 }, MemoryMiB: { Min: 8192, Max: 65536 } },
          StorageConfiguration: { StorageSizeGiB: 120 },
          Monitoring: 'DETAILED',
        },
        PropagateTags: 'NONE',
      },
    });
  });

  test('stack tags reach the capacity provider, from which ECS copies them to the instances', () => {
    // GIVEN
    const { stack, cluster: c } = cluster();
    c.addManagedInstancesCapacity('MI');
    // WHEN
    Tags.of(stack).add('team', 'payments');
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::CapacityProvider', {
      Tags: Match.arrayWith([{ Key: 'team', Value: 'payments' }]),
      ManagedInstancesProvider: { PropagateTags: 'CAPACITY_PROVIDER' },
    });
  });
});

describe('ManagedInstancesCapacity validation (one rule each)', () => {
  test.each<[string, ManagedInstancesCapacityOptions, RegExp]>([
    ['minVcpus', { minVcpus: 0 }, /minVcpus 0 is out of range/],
    ['maxVcpus', { maxVcpus: 193 }, /maxVcpus 193 is out of range/],
    ['maxVcpus below minVcpus', { minVcpus: 16 }, /maxVcpus 8 is below minVcpus 16; give maxVcpus \(default 8\)/],
    ['minMemory whole GiB', { minMemory: Size.mebibytes(1536) }, /minMemory 1.5 GiB is out of range/],
    ['maxMemory below minMemory', { minMemory: Size.gibibytes(16), maxMemory: Size.gibibytes(8) }, /maxMemory 8 GiB is below minMemory 16 GiB/],
    ['taskVolumeSize', { taskVolumeSize: Size.gibibytes(20) }, /taskVolumeSize 20 GiB is out of range; use whole GiB from 30 to 16384/],
    ['architecture', { architecture: 'X86' as Architecture }, /architecture "X86" is not an architecture/],
    ['spot', { spot: 'yes' as unknown as boolean }, /spot "yes" is not a boolean/],
  ])('%s', (_name, options, message) => {
    // WHEN / THEN
    expect(capacityWith(options)).toThrow(message);
  });

  test('a public-IP cluster is rejected by name', () => {
    // GIVEN
    const { cluster: c } = cluster(NetworkLayout.PUBLIC_ONLY);
    // WHEN / THEN
    expect(() => c.addManagedInstancesCapacity('MI')).toThrow(/TestStack\/Cluster\/MI: cluster "TestStack\/Cluster" runs tasks in public subnets/);
  });

  test('PRIVATE_WITH_ENDPOINTS is rejected (no ecs agent endpoints)', () => {
    // GIVEN
    const { cluster: c } = cluster(NetworkLayout.PRIVATE_WITH_ENDPOINTS);
    // WHEN / THEN
    expect(() => c.addManagedInstancesCapacity('MI')).toThrow(/uses NetworkLayout.PRIVATE_WITH_ENDPOINTS/);
  });
});

describe('cdk-nag and the deploy checks', () => {
  test('a worker on Managed Instances synthesizes with zero cdk-nag findings and zero deploy-check findings in strict mode', () => {
    // GIVEN
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new DeployChecks());
    const { stack, cluster: c } = cluster(NetworkLayout.SINGLE_NAT, app);
    const capacity = c.addManagedInstancesCapacity('MI', { architecture: Architecture.ARM64 });
    // WHEN
    new WorkerService(stack, 'Worker', { cluster: c, image: NGINX, managedInstancesCapacity: capacity });
    // THEN (strict mode: any plugin finding fails synth)
    expect(() => app.synth()).not.toThrow();
  });
});

/** The template of a stack with one Managed Instances capacity (and a worker on it), as one version of an app. */
function version(options: ManagedInstancesCapacityOptions, stackName = 'TestStack'): { stack: Stack; capacity: ManagedInstancesCapacity; resources: Record<string, any> } {
  const app = testApp();
  const stack = testStack(app, stackName);
  const c = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  const capacity = c.addManagedInstancesCapacity('MI', options);
  new WorkerService(stack, 'Worker', { cluster: c, image: NGINX, managedInstancesCapacity: capacity });
  return { stack, capacity, resources: Template.fromStack(stack).toJSON().Resources };
}

function providers(resources: Record<string, any>): Array<[string, any]> {
  return Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::CapacityProvider');
}

describeWithSchemas('changing spot replaces the capacity provider (AWS::ECS::CapacityProvider schema)', () => {
  // ECS's UpdateCapacityProvider has no capacity option type: a change CloudFormation would update
  // in place would leave the instances as they were. It must be a replacement: a new logical id,
  // or a change of a create-only property, with nothing the new and old providers share by name.
  const { createOnly, primaryIdentifier } = schemaFacts('AWS::ECS::CapacityProvider');

  test.each([['TestStack'], ['ecs-prod']])('On-Demand → Spot in stack %s: a new provider, instance role and instance profile, none with the old names', (stackName) => {
    // GIVEN the previous version (On-Demand) and the next one (Spot)
    const onDemand = version({}, stackName);
    // WHEN
    const spot = version({ spot: true }, stackName);
    // THEN the provider is replaced: another logical id, or a changed create-only property
    const [[oldId, oldProvider]] = providers(onDemand.resources);
    const [[newId, newProvider]] = providers(spot.resources);
    const createOnlyChanged = createOnly.filter((p) => JSON.stringify(oldProvider.Properties[p]) !== JSON.stringify(newProvider.Properties[p]));
    expect({ replaced: newId !== oldId || createOnlyChanged.length > 0 }).toEqual({ replaced: true });
    expect(newProvider.Properties.ManagedInstancesProvider.InstanceLaunchTemplate.CapacityOptionType).toBe('SPOT');
    // and the new one is created while the old one still exists: its identifier (Name) must
    // differ, or be left to CloudFormation, which generates a new one per logical id
    expect(primaryIdentifier).toEqual(['Name']);
    const oldName = oldProvider.Properties.Name;
    const newName = newProvider.Properties.Name;
    expect({ collides: oldName !== undefined && JSON.stringify(oldName) === JSON.stringify(newName) }).toEqual({ collides: false });
    // so are the named IAM resources aws-cdk-lib creates with it (their names derive from the path)
    for (const type of ['AWS::IAM::InstanceProfile', 'AWS::IAM::Role']) {
      const names = (resources: Record<string, any>) => Object.values(resources)
        .filter((r) => r.Type === type).map((r) => r.Properties.InstanceProfileName ?? r.Properties.RoleName).filter((n) => n !== undefined);
      const shared = names(spot.resources).filter((n) => names(onDemand.resources).includes(n));
      expect([type, shared]).toEqual([type, []]);
    }
    // and the worker names the new provider
    const service = Object.values(spot.resources).find((r) => r.Type === 'AWS::ECS::Service');
    expect(service.Properties.CapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: newId }, Weight: 1 }]);
  });

  test('the On-Demand provider keeps its logical id (no replacement for apps deployed before)', () => {
    // GIVEN / WHEN
    const { stack, capacity, resources } = version({});
    // THEN
    expect(capacity.capacityProvider.node.id).toBe('CapacityProvider');
    expect(providers(resources).map(([id]) => id)).toEqual([stack.getLogicalId(capacity.capacityProvider.node.defaultChild as ecs.CfnCapacityProvider)]);
    expect(providers(resources)[0][0]).toMatch(/^ClusterMICapacityProvider/);
  });

  test('a change of sizes, task volume or monitoring is an update in place: same logical id, no create-only property changes', () => {
    // GIVEN / WHEN
    const before = providers(version({}).resources);
    const after = providers(version({ minVcpus: 4, maxVcpus: 16, taskVolumeSize: Size.gibibytes(120), detailedMonitoring: true }).resources);
    // THEN
    expect(after[0][0]).toBe(before[0][0]);
    expect(createOnly.filter((p) => JSON.stringify(before[0][1].Properties[p]) !== JSON.stringify(after[0][1].Properties[p]))).toEqual([]);
  });
});

describe('order against the cluster\'s ClusterCapacityProviderAssociations (both call PutClusterCapacityProviders)', () => {
  test('create: the provider first, then the associations, then the service; delete: the reverse', () => {
    // GIVEN / WHEN a cluster with Fargate providers (so it has associations) and a worker on Managed Instances
    const { stack, capacity, resources } = version({});
    // THEN
    const providerId = stack.getLogicalId(capacity.capacityProvider.node.defaultChild as ecs.CfnCapacityProvider);
    const [[associationsId, associations]] = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::ClusterCapacityProviderAssociations');
    expect(associations.DependsOn).toContain(providerId);
    // the provider does not depend on the associations (that would be a cycle)
    expect(resources[providerId].DependsOn ?? []).not.toContain(associationsId);
    const [service] = Object.values(resources).filter((r) => r.Type === 'AWS::ECS::Service');
    expect(service.DependsOn).toContain(associationsId);
    // CloudFormation creates in dependency order and deletes in the reverse
    const createOrder = topologicalOrder(resources);
    const position = (id: string) => createOrder.indexOf(id);
    const serviceId = Object.keys(resources).find((id) => resources[id] === service)!;
    expect(position(providerId)).toBeLessThan(position(associationsId));
    expect(position(associationsId)).toBeLessThan(position(serviceId));
    const deleteOrder = [...createOrder].reverse();
    expect(deleteOrder.indexOf(associationsId)).toBeLessThan(deleteOrder.indexOf(providerId));
  });

  test('a default capacity provider strategy naming the provider synthesizes without a cycle', () => {
    // GIVEN
    const { stack, cluster: c } = cluster();
    const capacity = c.addManagedInstancesCapacity('MI');
    // WHEN
    c.ecsCluster.addDefaultCapacityProviderStrategy([{ capacityProvider: capacity.capacityProvider.capacityProviderName, weight: 1 }]);
    // THEN
    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(topologicalOrder(resources)).toHaveLength(Object.keys(resources).length);
  });

  test('without Fargate providers the cluster has no associations, and the provider stands alone', () => {
    // GIVEN
    const stack = testStack();
    const c = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false, enableFargateSpot: false });
    // WHEN
    c.addManagedInstancesCapacity('MI');
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
    template.resourceCountIs('AWS::ECS::CapacityProvider', 1);
  });
});

/** Resource ids in an order CloudFormation may create them (Ref, GetAtt, Sub and DependsOn); throws on a cycle. */
function topologicalOrder(resources: Record<string, any>): string[] {
  const deps = (id: string): string[] => {
    const found = new Set<string>([resources[id].DependsOn ?? []].flat());
    const walk = (v: any): void => {
      if (Array.isArray(v)) { v.forEach(walk); return; }
      if (v === null || typeof v !== 'object') return;
      if (typeof v.Ref === 'string') found.add(v.Ref);
      if (Array.isArray(v['Fn::GetAtt'])) found.add(v['Fn::GetAtt'][0]);
      Object.values(v).forEach(walk);
    };
    walk(resources[id].Properties);
    return [...found].filter((d) => d in resources);
  };
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`cycle through ${id}`);
    state.set(id, 'visiting');
    deps(id).forEach(visit);
    state.set(id, 'done');
    order.push(id);
  };
  Object.keys(resources).forEach(visit);
  return order;
}

describe('capacity and its services in other stacks than the cluster', () => {
  const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36');

  test('a capacity in another stack than its cluster synthesizes: no cycle through the associations', () => {
    // GIVEN the cluster in Net, the capacity and a worker on it in Svc
    const app = testApp();
    const net = testStack(app, 'Net');
    const svc = testStack(app, 'Svc');
    const cluster = new ServiceCluster(net, 'Cluster', { restrictDefaultSecurityGroup: false });
    const capacity = new ManagedInstancesCapacity(svc, 'Capacity', { cluster });
    new WorkerService(svc, 'Worker', { cluster, image: IMAGE, managedInstancesCapacity: capacity, cpu: 512, memoryMiB: 1024 });
    // WHEN / THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('a service in another stack than its capacity warns: a later change of spot would replace the provider its stack imports', () => {
    // GIVEN the cluster and its capacity in Net, a worker in Svc
    const app = testApp();
    const net = testStack(app, 'Net');
    const svc = testStack(app, 'Svc');
    const cluster = new ServiceCluster(net, 'Cluster', { restrictDefaultSecurityGroup: false });
    const capacity = cluster.addManagedInstancesCapacity('Capacity', {});
    // WHEN
    new WorkerService(svc, 'Worker', { cluster, image: IMAGE, managedInstancesCapacity: capacity, cpu: 512, memoryMiB: 1024 });
    const same = new WorkerService(net, 'Local', { cluster, image: IMAGE, managedInstancesCapacity: capacity, cpu: 512, memoryMiB: 1024 });
    // THEN
    Annotations.fromStack(svc).hasWarning('/Svc/Worker', Match.stringLikeRegexp('Changing that capacity\'s spot later replaces its provider, which CloudFormation refuses while this stack imports the export'));
    Annotations.fromStack(net).hasNoWarning(`/${same.node.path}`, Match.stringLikeRegexp('capacity-in-other-stack'));
  });
});
