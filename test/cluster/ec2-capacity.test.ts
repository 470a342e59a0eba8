import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Size, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ContainerInstanceOs, Ec2Capacity, Ec2CapacityOptions, ServiceCluster } from '../../lib/cluster';
import { instanceSize, taskMemoryMiBOn } from '../../lib/cluster/instance-sizes';
import { Architecture } from '../../lib/image';
import { NetworkLayout } from '../../lib/network';
import { testApp, testStack } from '../util/test-app';

function cluster(network = NetworkLayout.SINGLE_NAT): { stack: Stack; cluster: ServiceCluster } {
  const stack = testStack(testApp());
  return { stack, cluster: new ServiceCluster(stack, 'Cluster', { network, restrictDefaultSecurityGroup: false }) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The user data of the only launch template, with tokens flattened to their logical ids. */
function userData(template: Template): string {
  const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate')) as any[];
  expect(templates).toHaveLength(1);
  const parts = templates[0].Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as any[];
  return parts.map((p) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join('');
}

describe('Ec2Capacity defaults (Amazon Linux 2023 on t3.medium)', () => {
  // GIVEN a SINGLE_NAT cluster (one synth for every test of this block)
  let stack: Stack;
  let serviceCluster: ServiceCluster;
  let capacity: Ec2Capacity;
  let template: Template;
  beforeAll(() => {
    ({ stack, cluster: serviceCluster } = cluster());
    // WHEN
    capacity = serviceCluster.addEc2Capacity('Ec2');
    template = Template.fromStack(stack);
  });

  test('public members: x86 t3.medium, AL2023, task limits from the size table', () => {
    // THEN
    expect(capacity.node.path).toBe('TestStack/Cluster/Ec2');
    expect(capacity.cluster).toBe(serviceCluster);
    expect(capacity.instanceType.toString()).toBe('t3.medium');
    expect(capacity.os).toBe(ContainerInstanceOs.AMAZON_LINUX_2023);
    expect(capacity.architecture).toBe(Architecture.X86_64);
    expect(capacity.maxTaskCpu).toBe(2048);
    expect(capacity.maxTaskMemoryMiB).toBe(3594);
    expect(capacity.capacityProvider.autoScalingGroup).toBe(capacity.autoScalingGroup);
  });

  test('Auto Scaling group: 1 to 4 instances in the private task subnets, new instances not protected from scale-in (so a stack delete can terminate them)', () => {
    // THEN
    expect(capacity.managedTerminationProtection).toBe(false);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '4',
      DesiredCapacity: Match.absent(),
      NewInstancesProtectedFromScaleIn: Match.absent(),
      LaunchTemplate: { LaunchTemplateId: { Ref: logicalId(stack, capacity.launchTemplate) }, Version: Match.anyValue() },
      VPCZoneIdentifier: serviceCluster.vpc.privateSubnets.map((s) => ({ Ref: logicalId(stack, s) })),
    });
    template.resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
  });

  test('launch template: IMDSv2 only with hop limit 1, no SSH key, no public IP, encrypted gp3 root volume, ECS-optimized AL2023 AMI', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 't3.medium',
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        KeyName: Match.absent(),
        NetworkInterfaces: Match.absent(),
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3' } }],
        ImageId: { Ref: Match.stringLikeRegexp('^SsmParameterValueawsserviceecsoptimizedamiamazonlinux2023recommendedimageid') },
        SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(stack, capacity.securityGroup), 'GroupId'] }],
      }),
    });
  });

  test('user data joins the cluster and blocks IMDS for awsvpc tasks', () => {
    // THEN
    const clusterId = logicalId(stack, serviceCluster.ecsCluster);
    expect(userData(template)).toBe(
      `#!/bin/bash\necho ECS_CLUSTER=<${clusterId}> >> /etc/ecs/ecs.config\necho ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config`);
  });

  test('capacity provider: managed scaling at 100 % and managed draining on, managed termination protection off; associated with the cluster', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: {
        AutoScalingGroupArn: { Ref: logicalId(stack, capacity.autoScalingGroup) },
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100 },
        ManagedTerminationProtection: 'DISABLED',
        ManagedDraining: 'ENABLED',
      },
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT', { Ref: stack.getLogicalId(capacity.capacityProvider.node.findChild('CapacityProvider') as any) }],
      Cluster: { Ref: logicalId(stack, serviceCluster.ecsCluster) },
    });
  });

  test('instance role: no managed policy, only the agent\'s ECS actions (no ECR, no logs); the group waits for it', () => {
    // THEN
    const roleId = logicalId(stack, capacity.instanceRole);
    const clusterArn = { 'Fn::GetAtt': [logicalId(stack, serviceCluster.ecsCluster), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const policyIds = Object.keys(policies);
    expect(policyIds).toHaveLength(1);
    expect((policies[policyIds[0]] as any).Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance', 'ecs:SubmitAttachmentStateChanges',
          'ecs:SubmitContainerStateChange', 'ecs:SubmitTaskStateChange'],
        Effect: 'Allow',
        Resource: clusterArn,
      },
      { Action: ['ecs:Poll', 'ecs:StartTelemetrySession'], Condition: { ArnEquals: { 'ecs:cluster': clusterArn } }, Effect: 'Allow', Resource: '*' },
      { Action: 'ecs:DiscoverPollEndpoint', Effect: 'Allow', Resource: '*' },
    ]);
    const asg = template.findResources('AWS::AutoScaling::AutoScalingGroup')[logicalId(stack, capacity.autoScalingGroup)] as any;
    expect(asg.DependsOn).toEqual(expect.arrayContaining([roleId, policyIds[0]]));
  });

  test('the group waits for the task subnets\' NAT routes: created after them, deleted before them, so the agents can deregister on destroy', () => {
    // THEN
    const asg = template.findResources('AWS::AutoScaling::AutoScalingGroup')[logicalId(stack, capacity.autoScalingGroup)] as any;
    const natRoutes = Object.keys(template.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } }));
    expect(natRoutes).toHaveLength(2);
    expect(asg.DependsOn).toEqual(expect.arrayContaining(natRoutes));
  });

  test('no delete-hang warning without termination protection', () => {
    // THEN
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('managedTerminationProtection'));
  });

  test('instance security group: no inbound rule', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Container instances of TestStack/Cluster/Ec2'),
      SecurityGroupIngress: Match.absent(),
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});

describe('Ec2Capacity on Bottlerocket with Graviton', () => {
  test('ARM64 from the instance type, Bottlerocket aws-ecs-2 arm64 AMI, both volumes encrypted, TOML user data, target 80 %', () => {
    // GIVEN
    const { stack, cluster: serviceCluster } = cluster();

    // WHEN
    const capacity = serviceCluster.addEc2Capacity('Graviton', {
      instanceType: new ec2.InstanceType('m7g.large'),
      os: ContainerInstanceOs.BOTTLEROCKET,
      minInstances: 0,
      maxInstances: 10,
      targetCapacityPercent: 80,
      volumeSize: Size.gibibytes(50),
    });

    // THEN
    expect(capacity.architecture).toBe(Architecture.ARM64);
    expect(capacity.maxTaskCpu).toBe(2048);
    expect(capacity.maxTaskMemoryMiB).toBe(taskMemoryMiBOn(8192));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 'm7g.large',
        ImageId: { Ref: Match.stringLikeRegexp('^SsmParameterValueawsservicebottlerocketawsecs2arm64') },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3' } },
          { DeviceName: '/dev/xvdb', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 50 } },
        ],
      }),
    });
    // awsvpc-block-imds sits in the [settings.ecs] table the cluster's join settings open (the last table).
    expect(userData(template)).toBe(`\n[settings.ecs]\ncluster = "<${logicalId(stack, serviceCluster.ecsCluster)}>"\nawsvpc-block-imds = true`);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', MaxSize: '10' });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: { Status: 'ENABLED', TargetCapacity: 80 } }),
    });
    // aws-cdk-lib's Bottlerocket managed policies never reach the role.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
  });
});

describe('Ec2Capacity with managedTerminationProtection (opt-in)', () => {
  test('protects new instances from scale-in, enables ECS termination protection, and warns that a stack delete will hang', () => {
    // GIVEN
    const { stack, cluster: serviceCluster } = cluster();

    // WHEN
    const capacity = serviceCluster.addEc2Capacity('Ec2', { managedTerminationProtection: true });

    // THEN
    expect(capacity.managedTerminationProtection).toBe(true);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { NewInstancesProtectedFromScaleIn: true });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedTerminationProtection: 'ENABLED', ManagedDraining: 'ENABLED' }),
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Cluster/Ec2',
      Match.stringLikeRegexp('managedTerminationProtection is on: .* a stack delete .* waits on them'));
  });

  test('the warning is acknowledgeable by its id', () => {
    // GIVEN
    const { stack, cluster: serviceCluster } = cluster();
    const capacity = serviceCluster.addEc2Capacity('Ec2', { managedTerminationProtection: true });

    // WHEN
    Validations.of(capacity).acknowledge({
      id: 'Annotation::ecs-service-kit:ec2-termination-protection-blocks-delete',
      reason: 'test: instances are unprotected by the delete runbook',
    });

    // THEN
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('managedTerminationProtection'));
  });

  test('false is the default, given explicitly', () => {
    // GIVEN
    const { stack, cluster: serviceCluster } = cluster();
    // WHEN
    serviceCluster.addEc2Capacity('Ec2', { managedTerminationProtection: false });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedTerminationProtection: 'DISABLED', ManagedDraining: 'ENABLED' }),
    });
  });
});

describe('Ec2Capacity validation', () => {
  function add(options: Ec2CapacityOptions, network = NetworkLayout.SINGLE_NAT): Ec2Capacity {
    return cluster(network).cluster.addEc2Capacity('Ec2', options);
  }

  test('minInstances below 0', () => {
    expect(() => add({ minInstances: -1 })).toThrow(/^TestStack\/Cluster\/Ec2: minInstances -1 is out of range; use an integer from 0 to 1000/);
  });

  test('maxInstances of 0', () => {
    expect(() => add({ maxInstances: 0 })).toThrow(/TestStack\/Cluster\/Ec2: maxInstances 0 is out of range; use an integer from 1 to 1000/);
  });

  test('minInstances above maxInstances (the default 4)', () => {
    expect(() => add({ minInstances: 5 })).toThrow(/TestStack\/Cluster\/Ec2: maxInstances 4 is below minInstances 5; give maxInstances \(default 4\) of at least 5/);
  });

  test.each([0, 101, 50.5])('targetCapacityPercent %p', (value) => {
    expect(() => add({ targetCapacityPercent: value })).toThrow(new RegExp(`TestStack/Cluster/Ec2: targetCapacityPercent ${value} is out of range; use an integer from 1 to 100 percent`));
  });

  test('volumeSize below the AMI\'s size', () => {
    expect(() => add({ volumeSize: Size.gibibytes(20) })).toThrow(/TestStack\/Cluster\/Ec2: volumeSize 20 GiB is out of range for AMAZON_LINUX_2023; use whole GiB from 30/);
  });

  test('an instance type only known at deploy time', () => {
    const { stack, cluster: c } = cluster();
    const type = new CfnParameter(stack, 'InstanceType', { type: 'String' }).valueAsString;
    expect(() => c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType(type) }))
      .toThrow(/TestStack\/Cluster\/Ec2: instanceType "\$\{Token\[.*\]\}" is only known at deploy time; give a concrete instance type/);
  });

  test('managedTerminationProtection that is not a boolean', () => {
    expect(() => add({ managedTerminationProtection: 'yes' as unknown as boolean }))
      .toThrow(/^TestStack\/Cluster\/Ec2: managedTerminationProtection "yes" is not a boolean; use true or false/);
  });

  test('os that is not a ContainerInstanceOs', () => {
    expect(() => add({ os: 'WINDOWS' as ContainerInstanceOs })).toThrow(/TestStack\/Cluster\/Ec2: os "WINDOWS" is not an operating system/);
  });

  test('a cluster whose tasks run in public subnets (PUBLIC_ONLY)', () => {
    expect(() => add({}, NetworkLayout.PUBLIC_ONLY)).toThrow(/TestStack\/Cluster\/Ec2: cluster "TestStack\/Cluster" runs tasks in public subnets with public IPs; tasks on EC2 get no public IP/);
  });

  test('a PRIVATE_WITH_ENDPOINTS cluster (no ecs, ecs-agent, ecs-telemetry endpoints)', () => {
    expect(() => add({}, NetworkLayout.PRIVATE_WITH_ENDPOINTS)).toThrow(/TestStack\/Cluster\/Ec2: cluster "TestStack\/Cluster" uses NetworkLayout.PRIVATE_WITH_ENDPOINTS/);
  });
});

describe('instance size table', () => {
  test.each([
    ['t3.medium', { vcpus: 2, memoryMiB: 4096 }],
    ['t4g.nano', { vcpus: 2, memoryMiB: 512 }],
    ['m7g.medium', { vcpus: 1, memoryMiB: 4096 }],
    ['c7i.xlarge', { vcpus: 4, memoryMiB: 8192 }],
    ['c5.9xlarge', { vcpus: 36, memoryMiB: 73728 }],
    ['r8g.2xlarge', { vcpus: 8, memoryMiB: 65536 }],
    ['m7i-flex.large', { vcpus: 2, memoryMiB: 8192 }],
  ])('%s', (type, size) => {
    expect(instanceSize(new ec2.InstanceType(type))).toEqual(size);
  });

  test.each(['x2idn.large', 'c5n.large', 'm7g.metal', 't4g.4xlarge'])('%s is not in the table: no size check', (type) => {
    expect(instanceSize(new ec2.InstanceType(type))).toBeUndefined();
  });
});

describe('examples/ec2-capacity.ts says what it deploys', () => {
  test('its header promises no termination protection the capacity provider does not have, and the draining it has', () => {
    // GIVEN the example's stack
    const file = path.join(__dirname, '..', '..', 'examples', 'ec2-capacity.ts');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildExample } = require(file) as { buildExample: (app: App) => Stack[] };
    const [stack] = buildExample(testApp());
    // WHEN
    const [provider] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::CapacityProvider')) as any[];
    const header = fs.readFileSync(file, 'utf-8').split('*/')[0].replace(/\s*\n\s*\*\s*/g, ' ');
    // THEN
    const { ManagedTerminationProtection: protection, ManagedDraining: draining } = provider.Properties.AutoScalingGroupProvider;
    expect(protection).toBe('DISABLED');
    expect(draining).toBe('ENABLED');
    // a mention of termination protection is a "without"/"no"; draining is promised
    const mentions = [...header.matchAll(/(\S+ \S+ )(managed )?termination protection/g)].map((m) => m[1].trim());
    expect(mentions.filter((before) => !/\b(without|no)\b/.test(before))).toEqual([]);
    expect(header).toMatch(/draining/);
  });
});
