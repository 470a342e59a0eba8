import { AspectPriority, Aspects, IAspect, Size, SizeRoundingBehavior, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { Architecture } from '../image/architecture';
import { checkRange, fail, failWithText } from '../validation/checks';
import { nagArn } from '../validation/nag';
import { taskMemoryMiBOn } from './instance-sizes';
import type { ServiceCluster } from './service-cluster';
import { checkInstanceNetwork } from './instance-network';

/**
 * How ECS Managed Instances capacity is sized. `ServiceCluster.addManagedInstancesCapacity(id, options)`
 * takes these.
 */
export interface ManagedInstancesCapacityOptions {
  /**
   * The CPU architecture of the instances ECS may launch, and so of every task that runs on
   * them: X86_64 allows Intel and AMD instance types, ARM64 allows Graviton.
   *
   * @default Architecture.X86_64 - the default architecture of tasks and images
   */
  readonly architecture?: Architecture;

  /**
   * The fewest vCPUs an instance ECS launches may have (1 to 192).
   *
   * @default 2 - the smallest non-burstable sizes (c/m/r `.large`)
   */
  readonly minVcpus?: number;

  /**
   * The most vCPUs an instance ECS launches may have (1 to 192, at least `minVcpus`): a bound
   * on the cost of one instance, and the largest task CPU this capacity can run
   * (`maxVcpus` × 1024 units).
   *
   * @default 8 - up to `.2xlarge` sizes
   */
  readonly maxVcpus?: number;

  /**
   * The least memory an instance ECS launches may have, in whole GiB.
   *
   * @default Size.gibibytes(4) - a 2-vCPU compute-optimized instance
   */
  readonly minMemory?: Size;

  /**
   * The most memory an instance ECS launches may have, in whole GiB, at least `minMemory`. With
   * it, a task must fit in it after the kernel, the OS and the ECS agent (6 % + 256 MiB).
   *
   * @default - no upper bound beyond what `maxVcpus` allows
   */
  readonly maxMemory?: Size;

  /**
   * Launch Spot instances (up to 90 % off; AWS may take an instance back with two minutes'
   * notice and ECS then moves its tasks). Changing it replaces the capacity provider (its child
   * id is `SpotCapacityProvider` with Spot, `CapacityProvider` without): in one stack, the new
   * provider, with its own generated name and roles, is created first and the services move to
   * it; the old one is deleted in the cleanup phase, and ECS terminates its instances. A service
   * in another stack names the provider through a stack export, which CloudFormation will not
   * change while it is imported, so such a change fails: those services warn at synth
   * (`ecs-service-kit:capacity-in-other-stack`).
   *
   * @default false - On-Demand instances
   */
  readonly spot?: boolean;

  /**
   * Size of each instance's task volume (container images, writable layers, logs), in whole
   * GiB from 30 to 16,384.
   *
   * @default Size.gibibytes(80) - ECS's own default
   */
  readonly taskVolumeSize?: Size;

  /**
   * One-minute CloudWatch metrics for the instances (billed per instance) instead of five-minute
   * ones.
   *
   * @default false - basic monitoring, free
   */
  readonly detailedMonitoring?: boolean;

  /**
   * Copy the capacity provider's tags (the stack's tags, `Tags.of(...)`) to the instances ECS
   * launches, so cost allocation and tag-based policies see them.
   *
   * @default true
   */
  readonly propagateTags?: boolean;
}

/**
 * Properties of ManagedInstancesCapacity.
 */
export interface ManagedInstancesCapacityProps extends ManagedInstancesCapacityOptions {
  /**
   * The cluster the instances join. They run in its task subnets, which must be private with
   * outbound access (a NAT gateway): tasks on Managed Instances get no public IP address.
   */
  readonly cluster: ServiceCluster;
}

/** vCPU limits of EC2 attribute-based instance selection that ECS Managed Instances accepts. */
const MAX_VCPUS = 192;

/**
 * ECS Managed Instances for a ServiceCluster: a cluster-scoped capacity provider with which ECS
 * itself launches, patches (a new AMI at most every 21 days), scales and terminates EC2
 * instances for the tasks that name it. There is no Auto Scaling group and no AMI to keep: you
 * say which instances are allowed (architecture, vCPUs, memory), ECS picks the cheapest that
 * fits the pending tasks and packs several tasks per instance.
 *
 * Hardened by default: instances in the cluster's private task subnets, a security group with no
 * inbound rule (tasks have their own), the instance role with only what the ECS agent calls
 * (aws-cdk-lib's scoped policy, no managed policies), non-burstable current-generation instance
 * types. The OS, its patching, IMDS and host access are AWS's: the instances run a
 * locked-down, AWS-maintained image with no SSH or Session Manager access.
 *
 * Services, workers and tasks run here with their `managedInstancesCapacity` prop.
 */
export class ManagedInstancesCapacity extends Construct {
  /** The cluster the instances join. */
  public readonly cluster: ServiceCluster;
  /** The ECS capacity provider that services and tasks name in their capacity provider strategy. */
  public readonly capacityProvider: ecs.ManagedInstancesCapacityProvider;
  /** The instances' security group: no inbound rule; tasks have their own security groups. */
  public readonly securityGroup: ec2.SecurityGroup;
  /**
   * The role ECS assumes to launch and terminate the instances (managed policy
   * AmazonECSInfrastructureRolePolicyForManagedInstances).
   */
  public readonly infrastructureRole: iam.IRole;
  /** The instance profile of the instances (its role is named `ecsInstanceRole…`, see the README). */
  public readonly instanceProfile: iam.IInstanceProfile;
  /** The CPU architecture of the instances, and so of every task that runs on them. */
  public readonly architecture: Architecture;
  /** Whether the instances are Spot instances. */
  public readonly spot: boolean;
  /** The most CPU units one task can reserve here (`maxVcpus` × 1024). */
  public readonly maxTaskCpu: number;
  /**
   * The most memory (MiB) one task can reserve here, from `maxMemory` minus 6 % and 256 MiB for
   * the kernel, the OS and the ECS agent. Undefined without `maxMemory`.
   */
  public readonly maxTaskMemoryMiB?: number;

  constructor(scope: Construct, id: string, props: ManagedInstancesCapacityProps) {
    super(scope, id);
    const cluster = props.cluster;
    if (!cluster) fail(this, 'cluster', cluster, 'is missing', 'give a ServiceCluster');
    checkInstanceNetwork(this, cluster, 'Managed Instances', 'Managed Instances');
    if (props.architecture !== undefined && !Object.values(Architecture).includes(props.architecture)) {
      fail(this, 'architecture', props.architecture, 'is not an architecture', 'use Architecture.X86_64 or Architecture.ARM64');
    }
    checkRange(this, 'minVcpus', props.minVcpus, 1, MAX_VCPUS);
    checkRange(this, 'maxVcpus', props.maxVcpus, 1, MAX_VCPUS);
    const minVcpus = props.minVcpus ?? Defaults.managedInstancesMinVcpus;
    const maxVcpus = props.maxVcpus ?? Defaults.managedInstancesMaxVcpus;
    if (!Token.isUnresolved(minVcpus) && !Token.isUnresolved(maxVcpus) && minVcpus > maxVcpus) {
      fail(this, 'maxVcpus', maxVcpus, `is below minVcpus ${minVcpus}`,
        props.maxVcpus === undefined
          ? `give maxVcpus (default ${Defaults.managedInstancesMaxVcpus}) of at least ${minVcpus}`
          : `give a maxVcpus of at least ${minVcpus}, or lower minVcpus`);
    }
    const minMemoryGiB = wholeGiB(this, 'minMemory', props.minMemory, 1, 24_576) ?? Defaults.managedInstancesMinMemoryGiB;
    const maxMemoryGiB = wholeGiB(this, 'maxMemory', props.maxMemory, 1, 24_576);
    if (maxMemoryGiB !== undefined && maxMemoryGiB < minMemoryGiB) {
      failWithText(this, 'maxMemory', `${maxMemoryGiB} GiB`, `is below minMemory ${minMemoryGiB} GiB`, `give a maxMemory of at least ${minMemoryGiB} GiB, or lower minMemory`);
    }
    const taskVolumeGiB = wholeGiB(this, 'taskVolumeSize', props.taskVolumeSize, 30, 16_384);
    for (const [prop, value] of [['spot', props.spot], ['detailedMonitoring', props.detailedMonitoring], ['propagateTags', props.propagateTags]] as const) {
      if (value !== undefined && typeof value !== 'boolean') fail(this, prop, value, 'is not a boolean', 'use true or false');
    }

    this.cluster = cluster;
    this.architecture = props.architecture ?? Architecture.X86_64;
    this.spot = props.spot ?? false;
    this.maxTaskCpu = maxVcpus * 1024;
    this.maxTaskMemoryMiB = maxMemoryGiB === undefined ? undefined : taskMemoryMiBOn(maxMemoryGiB * 1024);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: `ECS Managed Instances of ${this.node.path}: no inbound; the ECS agent reaches AWS APIs outbound`,
      allowAllOutbound: true,
    });

    // ECS cannot change a provider's capacity option type (UpdateCapacityProvider has no such
    // field) and CloudFormation sees no create-only property change, so a changed `spot` would be
    // an update that leaves the instances as they were. A child id per option type makes it a
    // replacement under a new logical id, and a new generated name (and instance role and profile
    // names, which derive from the path): nothing collides with the old provider while both exist.
    this.capacityProvider = new ecs.ManagedInstancesCapacityProvider(this, this.spot ? 'SpotCapacityProvider' : 'CapacityProvider', {
      subnets: cluster.vpc.selectSubnets(cluster.taskSubnets).subnets,
      securityGroups: [this.securityGroup],
      capacityOptionType: this.spot ? ecs.CapacityOptionType.SPOT : ecs.CapacityOptionType.ON_DEMAND,
      taskVolumeStorage: taskVolumeGiB === undefined ? undefined : Size.gibibytes(taskVolumeGiB),
      monitoring: (props.detailedMonitoring ?? false) ? ecs.InstanceMonitoring.DETAILED : ecs.InstanceMonitoring.BASIC,
      propagateTags: (props.propagateTags ?? true) ? ecs.PropagateManagedInstancesTags.CAPACITY_PROVIDER : ecs.PropagateManagedInstancesTags.NONE,
      instanceRequirements: {
        vCpuCountMin: minVcpus,
        vCpuCountMax: maxVcpus,
        memoryMin: Size.gibibytes(minMemoryGiB),
        memoryMax: maxMemoryGiB === undefined ? undefined : Size.gibibytes(maxMemoryGiB),
        // The image's architecture decides: Graviton for ARM64, Intel or AMD for X86_64.
        cpuManufacturers: this.architecture === Architecture.ARM64
          ? [ec2.CpuManufacturer.AWS]
          : [ec2.CpuManufacturer.INTEL, ec2.CpuManufacturer.AMD],
        instanceGenerations: [ec2.InstanceGeneration.CURRENT],
        // CPU credits would throttle steady container load without warning.
        burstablePerformance: ec2.BurstablePerformance.EXCLUDED,
        bareMetal: ec2.BareMetal.EXCLUDED,
      },
    });
    // The instances reach ECS through the task subnets' NAT (or internet) routes: created before
    // the provider, deleted after it, so draining instances can still report to ECS on delete
    // (aws-cdk #36071: a stack delete that removed the routes first could not finish).
    this.capacityProvider.node.addDependency(cluster.vpc.selectSubnets(cluster.taskSubnets).internetConnectivityEstablished);
    this.infrastructureRole = this.capacityProvider.infrastructureRole;
    this.instanceProfile = this.capacityProvider.ec2InstanceProfile;
    cluster.ecsCluster.addManagedInstancesCapacityProvider(this.capacityProvider);
    // The provider's create and delete handlers and the cluster's ClusterCapacityProviderAssociations
    // (added by aws-cdk-lib at synth time) all call PutClusterCapacityProviders on one cluster,
    // which ECS refuses while another update of the cluster is in progress. The associations go
    // after the provider: created after it, deleted before it.
    Aspects.of(cluster.ecsCluster).add(new AssociationsAfterProvider(this.capacityProvider), { priority: AspectPriority.DEFAULT + 1 });
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    Validations.of(this.capacityProvider).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances]',
      reason: 'The ECS infrastructure role of Managed Instances uses AmazonECSInfrastructureRolePolicyForManagedInstances, the policy AWS maintains for it: it lets ECS launch and terminate only the instances it manages, and pass only roles named ecsInstanceRole*.',
    });
    Validations.of(this.capacityProvider).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'The instance role\'s ecs:DiscoverPollEndpoint supports no resource-level permissions; the other agent calls are limited to this cluster or its container instances.',
    });
    Validations.of(this.capacityProvider).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(this, 'ecs', 'container-instance/*')}]`,
      reason: 'ecs:Poll, ecs:StartTelemetrySession and ecs:PutSystemLogEvents act on container instances, whose ids are not known before ECS launches them.',
    });
  }

  /**
   * Instances in public subnets would need public IPs while their awsvpc tasks get none (no
   * outbound); PRIVATE_WITH_ENDPOINTS lacks the ecs, ecs-agent and ecs-telemetry endpoints the
   * agent needs to register.
   */
}

/**
 * Runs after aws-cdk-lib's own aspect (priority MUTATING or DEFAULT) has added the cluster's
 * CfnClusterCapacityProviderAssociations, and makes it depend on the provider. The other way round
 * would be a cycle as soon as a default capacity provider strategy names the provider.
 */
class AssociationsAfterProvider implements IAspect {
  constructor(private readonly provider: ecs.ManagedInstancesCapacityProvider) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof ecs.Cluster)) return;
    // In another stack than the cluster, the provider's stack already depends on the cluster's
    // (the provider names the cluster): ordering the associations after it would be a cycle, and
    // CloudFormation runs the two stacks one after the other anyway.
    if (Stack.of(node) !== Stack.of(this.provider)) return;
    for (const child of node.node.children) {
      if (child instanceof ecs.CfnClusterCapacityProviderAssociations) child.node.addDependency(this.provider.node.defaultChild!);
    }
  }
}

/** A Size in whole GiB within [min, max], or undefined when not given (a token is passed through unchecked). */
function wholeGiB(scope: Construct, prop: string, size: Size | undefined, min: number, max: number): number | undefined {
  if (size === undefined) return undefined;
  if (!(size instanceof Size)) fail(scope, prop, size, 'is not a Size', 'use Size.gibibytes(...)');
  if (size.isUnresolved()) return size.toGibibytes();
  const gib = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(gib) || gib < min || gib > max) {
    failWithText(scope, prop, `${gib} GiB`, 'is out of range', `use whole GiB from ${min} to ${max}`);
  }
  return gib;
}
