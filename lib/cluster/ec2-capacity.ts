import { Annotations, Size, SizeRoundingBehavior, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Architecture } from '../image/architecture';
import { checkRange, fail, failWithText } from '../validation/checks';
import { instanceSize, taskMemoryMiBOn } from './instance-sizes';
import type { ServiceCluster } from './service-cluster';
import { Defaults } from '../defaults';
import { checkInstanceNetwork } from './instance-network';
import { Governance } from '../governance/governance';

/**
 * The operating system of the EC2 container instances. Both are ECS-optimized AMIs that AWS
 * publishes in SSM Parameter Store; the latest one is resolved at each deployment, so new
 * instances always start patched (running ones are not replaced by a deploy).
 */
export enum ContainerInstanceOs {
  /** Amazon Linux 2023, ECS-optimized: a general-purpose OS with the ECS agent and Docker. */
  AMAZON_LINUX_2023 = 'AMAZON_LINUX_2023',
  /**
   * Bottlerocket (the `aws-ecs-2` variant): a minimal, container-only OS with an immutable
   * root filesystem and atomic updates; no package manager, no shell by default.
   */
  BOTTLEROCKET = 'BOTTLEROCKET',
}

/**
 * How EC2 capacity is sized and built. `ServiceCluster.addEc2Capacity(id, options)` takes these.
 */
export interface Ec2CapacityOptions {
  /**
   * The instance type. Its CPU architecture (Graviton `*g` types are ARM64) picks the AMI and
   * becomes the architecture of the tasks that run on this capacity.
   *
   * @default t3.medium - the cheapest current x86 size with room for the agent and a few small
   *   tasks (2 vCPUs, 4 GiB, 3 network interfaces: 2 awsvpc tasks per instance). Burstable:
   *   for steady CPU-heavy load choose m7i/m7g (or t4g for cheap Graviton).
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The instances' operating system.
   *
   * @default ContainerInstanceOs.AMAZON_LINUX_2023
   */
  readonly os?: ContainerInstanceOs;

  /**
   * The fewest instances the Auto Scaling group keeps (0 to 1000). ECS managed scaling adds
   * instances above it when tasks need room and removes empty ones.
   *
   * @default 1 - one warm instance, so a deploy does not wait for an instance to boot
   */
  readonly minInstances?: number;

  /**
   * The most instances the Auto Scaling group may run (1 to 1000): the cap on EC2 spend.
   * A rolling deploy at 200 % briefly needs room for twice the tasks.
   *
   * @default 4
   */
  readonly maxInstances?: number;

  /**
   * How full ECS managed scaling keeps the instances, in percent of the tasks' reserved CPU and
   * memory (1 to 100). 100 packs instances fully; lower values keep spare room so new tasks
   * start without waiting for an instance.
   *
   * @default 100
   */
  readonly targetCapacityPercent?: number;

  /**
   * Size of the encrypted volume that holds container images and writable layers (the root
   * volume on Amazon Linux 2023, the data volume on Bottlerocket). At least the AMI's own size
   * (30 GiB on Amazon Linux 2023, 20 GiB on Bottlerocket), at most 16,384 GiB, whole GiB.
   *
   * @default - the AMI's size
   */
  readonly volumeSize?: Size;

  /**
   * ECS managed termination protection: the Auto Scaling group protects every new instance from
   * scale-in (`NewInstancesProtectedFromScaleIn`) and ECS lifts the protection only from
   * instances without tasks.
   *
   * Off by default: with it on, a stack delete does not finish. CloudFormation waits for the
   * group to terminate instances that are still protected, and nothing lifts the protection once
   * the services are gone (aws-cdk #18179, #14732; containers-roadmap #631). Managed draining (always
   * on) already keeps scale-in from killing tasks: ECS moves them off an instance before it
   * terminates. Turning this on emits the `ecs-service-kit:ec2-termination-protection-blocks-delete`
   * warning; acknowledge it once you have a delete procedure (remove the instances' scale-in
   * protection or delete the Auto Scaling group by hand before `cdk destroy`).
   *
   * @default false - managed draining without termination protection, so `cdk destroy` does not wait on protected instances
   */
  readonly managedTerminationProtection?: boolean;
}

/**
 * Properties of Ec2Capacity.
 */
export interface Ec2CapacityProps extends Ec2CapacityOptions {
  /**
   * The cluster the instances join. They run in its task subnets, which must be private with
   * outbound access (a NAT gateway): tasks on EC2 get no public IP address.
   */
  readonly cluster: ServiceCluster;
}

/** Default instance type (see `instanceType`). */
const DEFAULT_INSTANCE_TYPE = Defaults.ec2InstanceType;
const DEFAULT_MIN_INSTANCES = Defaults.ec2MinInstances;
const DEFAULT_MAX_INSTANCES = Defaults.ec2MaxInstances;
const DEFAULT_TARGET_CAPACITY_PERCENT = Defaults.ec2TargetCapacityPercent;
/** Sizes of the volumes the AMIs ship with, in GiB: a smaller volume fails at launch. */
const AMI_VOLUME_GIB: Record<ContainerInstanceOs, number> = {
  [ContainerInstanceOs.AMAZON_LINUX_2023]: 30,
  [ContainerInstanceOs.BOTTLEROCKET]: 20,
};

/**
 * EC2 capacity for a ServiceCluster: an Auto Scaling group of ECS-optimized instances (Amazon
 * Linux 2023 or Bottlerocket) registered as an ECS capacity provider with managed scaling and
 * managed draining, so ECS adds instances when tasks need room and moves tasks off an instance
 * before it terminates. No managed termination protection by default: with it, a stack delete
 * hangs on scale-in-protected instances (see `managedTerminationProtection`).
 *
 * Hardened by default: IMDSv2 only with a hop limit of 1, awsvpc tasks blocked from the instance
 * metadata service (`ECS_AWSVPC_BLOCK_IMDS` on Amazon Linux 2023, `awsvpc-block-imds` on
 * Bottlerocket), no SSH key, no inbound rule, no public IP, encrypted
 * EBS volumes, and an instance role with only the inline permissions the ECS agent uses (no
 * managed policies, no ECR or logs access: tasks pull and log with their execution roles).
 *
 * Services and tasks run here with their `ec2Capacity` prop.
 */
export class Ec2Capacity extends Construct {
  /** The cluster the instances join. */
  public readonly cluster: ServiceCluster;
  /** The Auto Scaling group of container instances. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The ECS capacity provider that services name in their capacity provider strategy. */
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  /** The launch template of the instances. */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The instances' security group: no inbound rule; tasks have their own security groups. */
  public readonly securityGroup: ec2.SecurityGroup;
  /**
   * The instances' IAM role: only what the ECS agent calls. Add to it for host access, e.g.
   * AmazonSSMManagedInstanceCore for Session Manager (or Bottlerocket's control container).
   */
  public readonly instanceRole: iam.Role;
  /** The instance type. */
  public readonly instanceType: ec2.InstanceType;
  /** The instances' operating system. */
  public readonly os: ContainerInstanceOs;
  /** Whether ECS managed termination protection is on (see `managedTerminationProtection`). */
  public readonly managedTerminationProtection: boolean;
  /** The CPU architecture of the instances, and so of every task that runs on them. */
  public readonly architecture: Architecture;
  /**
   * The most CPU units one task can reserve here (the instance's vCPUs × 1024), or undefined
   * when the instance type is not in the library's size table.
   */
  public readonly maxTaskCpu?: number;
  /**
   * The most memory (MiB) one task can reserve here: the instance's memory minus 6 % and
   * 256 MiB for the kernel, the OS and the ECS agent. Undefined when the instance type is not
   * in the library's size table.
   */
  public readonly maxTaskMemoryMiB?: number;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    const cluster = props.cluster;
    if (!cluster) fail(this, 'cluster', cluster, 'is missing', 'give a ServiceCluster');
    checkInstanceNetwork(this, cluster, 'EC2', 'container instances');
    const instanceType = props.instanceType ?? new ec2.InstanceType(DEFAULT_INSTANCE_TYPE);
    if (Token.isUnresolved(instanceType.toString())) {
      fail(this, 'instanceType', instanceType.toString(), 'is only known at deploy time',
        'give a concrete instance type: it picks the AMI and the architecture of the tasks');
    }
    if (props.os !== undefined && !Object.values(ContainerInstanceOs).includes(props.os)) {
      fail(this, 'os', props.os, 'is not an operating system', 'use ContainerInstanceOs.AMAZON_LINUX_2023 or ContainerInstanceOs.BOTTLEROCKET');
    }
    const os = props.os ?? ContainerInstanceOs.AMAZON_LINUX_2023;
    checkRange(this, 'minInstances', props.minInstances, 0, 1000);
    checkRange(this, 'maxInstances', props.maxInstances, 1, 1000);
    const minInstances = props.minInstances ?? DEFAULT_MIN_INSTANCES;
    const maxInstances = props.maxInstances ?? DEFAULT_MAX_INSTANCES;
    if (!Token.isUnresolved(minInstances) && !Token.isUnresolved(maxInstances) && minInstances > maxInstances) {
      fail(this, 'maxInstances', maxInstances, `is below minInstances ${minInstances}`,
        props.maxInstances === undefined
          ? `give maxInstances (default ${DEFAULT_MAX_INSTANCES}) of at least ${minInstances}`
          : `give a maxInstances of at least ${minInstances}, or lower minInstances`);
    }
    checkRange(this, 'targetCapacityPercent', props.targetCapacityPercent, 1, 100, { unit: 'percent' });
    const volumeGiB = this.checkVolumeSize(props.volumeSize, os);
    if (props.managedTerminationProtection !== undefined && typeof props.managedTerminationProtection !== 'boolean') {
      fail(this, 'managedTerminationProtection', props.managedTerminationProtection, 'is not a boolean', 'use true or false');
    }
    const managedTerminationProtection = props.managedTerminationProtection ?? Defaults.ec2ManagedTerminationProtection;

    this.cluster = cluster;
    this.instanceType = instanceType;
    this.os = os;
    this.managedTerminationProtection = managedTerminationProtection;
    const cpuArchitecture = instanceType.architecture;
    this.architecture = cpuArchitecture === ec2.InstanceArchitecture.ARM_64 ? Architecture.ARM64 : Architecture.X86_64;
    const size = instanceSize(instanceType);
    this.maxTaskCpu = size ? size.vcpus * 1024 : undefined;
    this.maxTaskMemoryMiB = size ? taskMemoryMiBOn(size.memoryMiB) : undefined;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: `Container instances of ${this.node.path}: no inbound; the ECS agent reaches AWS APIs outbound`,
      allowAllOutbound: true,
    });
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS agent on the container instances of ${this.node.path}`,
    });

    const bottlerocket = os === ContainerInstanceOs.BOTTLEROCKET;
    const machineImage = bottlerocket
      ? new ecs.BottleRocketImage({ variant: ecs.BottlerocketEcsVariant.AWS_ECS_2, architecture: cpuArchitecture })
      : ecs.EcsOptimizedImage.amazonLinux2023(
        cpuArchitecture === ec2.InstanceArchitecture.ARM_64 ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD);
    const governed = Governance.isControlTower(this);
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType,
      machineImage,
      // Given explicitly: the cluster appends its join settings to it (TOML on Bottlerocket, shell on Amazon Linux).
      userData: bottlerocket ? ec2.UserData.custom('') : ec2.UserData.forLinux(),
      // aws-cdk-lib would add its agent policy (logs and ECR on "*", and managed policies on
      // Bottlerocket) through the group's role: hand it a view that ignores additions, and grant
      // exactly what the agent uses below.
      role: this.instanceRole.withoutPolicyUpdates(),
      securityGroup: this.securityGroup,
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      // 1 hop: the agent runs on the host network; nothing behind a bridge needs instance credentials.
      httpPutResponseHopLimit: 1,
      blockDevices: encryptedVolumes(os, volumeGiB),
      // ecs-service-kit:governance=control-tower: CT.EC2.PR.10 (1-minute EC2 metrics, about $2.10 per instance-month).
      detailedMonitoring: governed ? true : undefined,
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: cluster.vpc,
      vpcSubnets: cluster.taskSubnets,
      launchTemplate: this.launchTemplate,
      minCapacity: minInstances,
      maxCapacity: maxInstances,
    });
    if (governed) {
      Annotations.of(this).addInfo(`${Governance.CONTEXT_KEY}=control-tower turns on detailed (1-minute) monitoring of the container instances `
        + '(AWS Control Tower CT.EC2.PR.10): 7 CloudWatch metrics per instance at $0.30 each, about $2.10 per instance-month (us-east-1).');
    }
    if (governed) {
      // CT.AUTOSCALING.PR.1 reads AvailabilityZones; the group places instances by its subnets,
      // whose zones these are, so the two agree.
      const zones = cluster.vpc.selectSubnets(cluster.taskSubnets).subnets.map((subnet) => subnet.availabilityZone);
      (this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).availabilityZones = zones;
    }
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-AS3',
      reason: 'ECS managed scaling drives this group; scaling activity is visible in the capacity provider and the group\'s activity history, so no SNS topic for scaling notifications.',
    });

    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      machineImageType: bottlerocket ? ecs.MachineImageType.BOTTLEROCKET : ecs.MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      // Managed draining moves tasks off an instance before scale-in, instance refresh or the
      // maximum instance lifetime terminates it (ECS developer guide, "managed instance
      // draining"). Termination protection on top would make the group mark every new instance
      // protected from scale-in, and a stack delete then waits on instances nobody unprotects
      // (aws-cdk #18179, #14732): opt-in only, with a warning.
      enableManagedTerminationProtection: managedTerminationProtection,
      enableManagedDraining: true,
      targetCapacityPercent: props.targetCapacityPercent ?? DEFAULT_TARGET_CAPACITY_PERCENT,
    });
    if (managedTerminationProtection) {
      Annotations.of(this).addWarningV2('ecs-service-kit:ec2-termination-protection-blocks-delete',
        'managedTerminationProtection is on: the Auto Scaling group protects new instances from scale-in, and a stack delete ' +
        '(`cdk destroy`) waits on them until CloudFormation gives up (aws-cdk #18179). Before deleting, remove the instances\' ' +
        'scale-in protection (aws autoscaling set-instance-protection --no-protected-from-scale-in) or delete the Auto Scaling ' +
        'group yourself. Managed draining alone (the default) already keeps scale-in from killing tasks.');
    }
    cluster.ecsCluster.addAsgCapacityProvider(this.capacityProvider);
    // awsvpc tasks could otherwise read the instance role's credentials from IMDS. Appended after
    // the cluster's own join settings: on Bottlerocket the key lands in the `[settings.ecs]` table
    // addAsgCapacityProvider just opened (TOML forbids declaring that table a second time).
    this.autoScalingGroup.addUserData(bottlerocket
      ? 'awsvpc-block-imds = true'
      : 'echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');

    this.grantAgentPermissions();
    // Instances launched before the agent's policy exists would fail to register at first.
    this.autoScalingGroup.node.addDependency(this.instanceRole);
    // The agent reaches ECS through the task subnets' NAT (or internet) routes, and ECS
    // deregisters a terminated instance only while its agent is connected (ECS API reference,
    // DeregisterContainerInstance). Without this, `cdk destroy` could delete the routes while the
    // group terminates its instances: they stay registered and the cluster's delete fails with
    // ClusterContainsContainerInstancesException. Created before the group, deleted after it.
    this.autoScalingGroup.node.addDependency(cluster.vpc.selectSubnets(cluster.taskSubnets).internetConnectivityEstablished);
  }

  /**
   * What the ECS agent itself calls: register and deregister the instance, report state, poll
   * for work and send telemetry, all in this cluster. Image pulls, logs and secrets use each
   * task's execution role (the agent hands its credentials to Docker), so the instance role
   * needs no ECR, CloudWatch Logs or Secrets Manager access; tasks cannot reach these
   * credentials (IMDS is blocked for awsvpc tasks).
   */
  private grantAgentPermissions(): void {
    const clusterArn = this.cluster.clusterArn;
    this.instanceRole.addToPolicy(new iam.PolicyStatement({
      actions: [
        'ecs:RegisterContainerInstance',
        'ecs:DeregisterContainerInstance',
        'ecs:SubmitAttachmentStateChanges',
        'ecs:SubmitContainerStateChange',
        'ecs:SubmitTaskStateChange',
      ],
      resources: [clusterArn],
    }));
    this.instanceRole.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:Poll', 'ecs:StartTelemetrySession'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
    }));
    this.instanceRole.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:DiscoverPollEndpoint'],
      resources: ['*'],
    }));
    Validations.of(this.instanceRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ecs:DiscoverPollEndpoint supports no resource-level permissions; ecs:Poll and ecs:StartTelemetrySession act on container instances and are limited to this cluster by the ecs:cluster condition.',
    });
  }

  /**
   * Instances in public subnets would need public IPs while their awsvpc tasks get none (no
   * outbound); PRIVATE_WITH_ENDPOINTS lacks the ecs, ecs-agent and ecs-telemetry endpoints the
   * agent needs to register.
   */

  private checkVolumeSize(volumeSize: Size | undefined, os: ContainerInstanceOs): number | undefined {
    if (volumeSize === undefined) return undefined;
    if (volumeSize.isUnresolved()) return volumeSize.toGibibytes();
    const gib = volumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    const min = AMI_VOLUME_GIB[os];
    if (!Number.isInteger(gib) || gib < min || gib > 16384) {
      failWithText(this, 'volumeSize', `${gib} GiB`, `is out of range for ${os}`, `use whole GiB from ${min} (the AMI's size) to 16384`);
    }
    return gib;
  }
}

/**
 * The encrypted volume mappings for `os`. Without a size a volume keeps the AMI snapshot's size,
 * so a later, larger AMI never fails to launch on a stale number.
 */
function encryptedVolumes(os: ContainerInstanceOs, imageVolumeGiB: number | undefined): ec2.BlockDevice[] {
  const volume = (sizeGiB: number | undefined) => sizeGiB === undefined
    ? SnapshotSizedVolume.encrypted()
    : ec2.BlockDeviceVolume.ebs(sizeGiB, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 });
  if (os === ContainerInstanceOs.BOTTLEROCKET) {
    // Bottlerocket: /dev/xvda holds the OS, /dev/xvdb the images and containers.
    return [
      { deviceName: '/dev/xvda', volume: volume(undefined) },
      { deviceName: '/dev/xvdb', volume: volume(imageVolumeGiB) },
    ];
  }
  return [{ deviceName: '/dev/xvda', volume: volume(imageVolumeGiB) }];
}

/** An EBS volume of the AMI snapshot's size, encrypted (BlockDeviceVolume.ebs() insists on a size). */
class SnapshotSizedVolume extends ec2.BlockDeviceVolume {
  public static encrypted(): ec2.BlockDeviceVolume {
    return new SnapshotSizedVolume();
  }

  private constructor() {
    super({ encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 });
  }
}
