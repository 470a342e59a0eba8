import { Annotations, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { Governance, governedLogRetention } from '../governance/governance';
import { Architecture, toCpuArchitecture } from '../image/architecture';
import { ContainerOptions } from './container-options';
import { MAIN_CONTAINER_NAME, ServiceTaskOptions } from './service-task-options';
import { validateTaskOptions } from './task-validation';
import { assetEnvironmentFiles, grantEnvironmentFiles, warnSkippedLines } from './environment-files';
import { attachEfsVolumes } from '../file-system/efs-volume-attach';
import { skipCheckov } from '../validation/checkov';
import { checkRange, fail } from '../validation/checks';
import type { Ec2Capacity } from '../cluster/ec2-capacity';
import type { ManagedInstancesCapacity } from '../cluster/managed-instances-capacity';

/**
 * Properties of a ServiceTaskDefinition.
 */
export interface ServiceTaskDefinitionProps extends ServiceTaskOptions {
  /**
   * Run the task on these EC2 container instances instead of Fargate: an EC2-compatible task
   * definition in awsvpc network mode, sized against the instance type rather than Fargate's
   * table, with the instances' architecture unless `architecture` says otherwise (it must match).
   *
   * @default - a Fargate task definition
   */
  readonly ec2Capacity?: Ec2Capacity;

  /**
   * Run the task on ECS Managed Instances instead of Fargate: a task definition compatible with
   * MANAGED_INSTANCES in awsvpc network mode, sized against the capacity's largest instance
   * rather than Fargate's table, with the capacity's architecture unless `architecture` says
   * otherwise (it must match). Not together with `ec2Capacity`.
   *
   * @default - a Fargate task definition
   */
  readonly managedInstancesCapacity?: ManagedInstancesCapacity;

  /**
   * Task memory no container limit may take: room for the Service Connect proxy, which ECS adds
   * to the task at run time and which lives on the task memory that the containers' hard limits
   * leave free. A lone container's default limit is the task memory less this; limits given
   * for the containers must leave it free. WebService, WorkerService and NetworkService set it to
   * 64 MiB (ECS's recommended minimum) when the service uses Service Connect.
   *
   * @default 0
   */
  readonly serviceConnectProxyMemoryMiB?: number;
}

/**
 * A task definition for a service, Fargate (default), EC2 (`ec2Capacity`) or ECS Managed Instances
 * (`managedInstancesCapacity`): validated size, a
 * main container and sidecars, one log group with retention, least-privilege secret reads,
 * read-only root filesystems.
 */
export class ServiceTaskDefinition extends Construct {
  /**
   * The ECS task definition: an ecs.FargateTaskDefinition, EC2-compatible with `ec2Capacity`, or
   * MANAGED_INSTANCES-compatible with `managedInstancesCapacity`.
   */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The sidecar containers, in the order given. */
  public readonly sidecars: ecs.ContainerDefinition[];
  /** The log group every container of the task writes to. */
  public readonly logGroup: logs.LogGroup;
  /** The task's CPU architecture. */
  public readonly architecture: Architecture;
  /** The port of the main container, if it has one. */
  public readonly containerPort?: number;

  private readonly volumeNames = new Set<string>();

  constructor(scope: Construct, id: string, props: ServiceTaskDefinitionProps) {
    super(scope, id);
    validateTaskOptions(this, props, '', props.ec2Capacity, props.managedInstancesCapacity);
    warnSkippedLines(this, new Map([['', props.environmentFiles], ...(props.sidecars ?? []).map((s, i): [string, ecs.EnvironmentFile[] | undefined] => [`sidecars[${i}].`, s.environmentFiles])]));

    const cpu = props.cpu ?? Defaults.cpu;
    const memoryMiB = props.memoryMiB ?? Defaults.memoryMiB;
    // With Service Connect the proxy lives on what the limits leave free (ECS requires some).
    const proxyMemoryMiB = props.serviceConnectProxyMemoryMiB ?? 0;
    checkProxyMemory(this, props, memoryMiB, proxyMemoryMiB);
    this.architecture = props.architecture ?? props.ec2Capacity?.architecture ?? props.managedInstancesCapacity?.architecture ?? Architecture.X86_64;
    this.containerPort = props.containerPort;

    // Under ecs-service-kit:governance=control-tower: a year of retention and the stack's log key.
    const logEncryptionKey = props.logEncryptionKey ?? Governance.logEncryptionKey(this);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: governedLogRetention(this, 'logRetention', props.logRetention, Defaults.logRetentionDays),
      removalPolicy: props.logRemovalPolicy ?? Defaults.logRemovalPolicy,
      encryptionKey: logEncryptionKey,
    });
    if (!logEncryptionKey) {
      skipCheckov(this.logGroup, 'CKV_AWS_158', 'CloudWatch Logs encrypts every log group at rest with service-owned keys; give logEncryptionKey for a customer-managed KMS key.');
    }

    this.taskDefinition = props.ec2Capacity
      ? new ecs.TaskDefinition(this, 'TaskDefinition', {
        compatibility: ecs.Compatibility.EC2,
        // Each task gets its own network interface and security group, as on Fargate.
        networkMode: ecs.NetworkMode.AWS_VPC,
        cpu: Tokenization.stringifyNumber(cpu),
        memoryMiB: Tokenization.stringifyNumber(memoryMiB),
        family: props.family,
        // EC2 task definitions carry no runtime platform: pin the architecture with a placement constraint.
        placementConstraints: [ecs.PlacementConstraint.memberOf(
          `attribute:ecs.cpu-architecture == ${this.architecture === Architecture.ARM64 ? 'arm64' : 'x86_64'}`)],
      })
      : props.managedInstancesCapacity ? new ecs.TaskDefinition(this, 'TaskDefinition', {
        compatibility: ecs.Compatibility.MANAGED_INSTANCES,
        networkMode: ecs.NetworkMode.AWS_VPC,
        cpu: Tokenization.stringifyNumber(cpu),
        memoryMiB: Tokenization.stringifyNumber(memoryMiB),
        family: props.family,
        runtimePlatform: {
          cpuArchitecture: toCpuArchitecture(this.architecture),
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      }) : new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
        cpu,
        memoryLimitMiB: memoryMiB,
        family: props.family,
        ephemeralStorageGiB: props.ephemeralStorageSize?.toGibibytes(),
        runtimePlatform: {
          cpuArchitecture: toCpuArchitecture(this.architecture),
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });

    const mainName = props.containerName ?? MAIN_CONTAINER_NAME;
    // A lone container gets the task's memory as its hard limit: the limit it has in effect
    // anyway, written out for AWS Control Tower CT.ECS.PR.7 (less the Service Connect proxy's). Next to sidecars the containers'
    // memory must fit in the task's together, so their limits are the user's to split.
    const soleContainer = (props.sidecars ?? []).length === 0;
    const soleLimit = soleContainer && !Token.isUnresolved(memoryMiB) ? memoryMiB - proxyMemoryMiB : undefined;
    this.container = this.addContainer(mainName, { ...props, memoryLimitMiB: props.memoryLimitMiB ?? soleLimit }, true);
    this.sidecars = (props.sidecars ?? []).map((sidecar) => {
      const container = this.addContainer(sidecar.containerName, sidecar, sidecar.essential ?? true);
      if (sidecar.startBeforeMain) {
        this.container.addContainerDependencies({
          container,
          condition: sidecar.containerHealthCheck ? ecs.ContainerDependencyCondition.HEALTHY : ecs.ContainerDependencyCondition.START,
        });
      }
      return container;
    });
    const containers = new Map<string, ecs.ContainerDefinition>([[mainName, this.container]]);
    (props.sidecars ?? []).forEach((sidecar, i) => containers.set(sidecar.containerName, this.sidecars[i]));
    attachEfsVolumes(this, props.efsVolumes, this.taskDefinition, containers, mainName);
    grantEnvironmentFiles(this.taskDefinition, [...containers.values()]);

    if (this.taskDefinition.executionRole) {
      Validations.of(this.taskDefinition.executionRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken, which every ECR image pull needs, supports no resource-level permissions; image reads, logs and secrets stay scoped to their ARNs.',
      });
    }
  }

  private addContainer(name: string, options: ContainerOptions, essential: boolean): ecs.ContainerDefinition {
    const image = options.image.bind(this, this.architecture);
    const readonlyRootFilesystem = options.readonlyRootFilesystem ?? true;
    const container = this.taskDefinition.addContainer(this.containerId(name), {
      containerName: name,
      image: image.image,
      essential,
      environment: options.environment,
      secrets: options.secrets,
      environmentFiles: assetEnvironmentFiles(this, name, options.environmentFiles),
      dockerLabels: options.dockerLabels,
      command: options.command,
      entryPoint: options.entryPoint,
      healthCheck: options.containerHealthCheck,
      readonlyRootFilesystem,
      user: options.user,
      cpu: options.cpuReservation,
      memoryLimitMiB: options.memoryLimitMiB,
      stopTimeout: options.stopTimeout ?? Defaults.stopTimeout,
      enableRestartPolicy: options.restartPolicy ? true : undefined,
      restartIgnoredExitCodes: options.restartPolicy?.ignoredExitCodes,
      restartAttemptPeriod: options.restartPolicy?.attemptPeriod,
      portMappings: options.containerPort !== undefined
        ? [{ containerPort: options.containerPort, protocol: ecs.Protocol.TCP, name: `${name}-${options.containerPort}` }]
        : undefined,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: name,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
    });
    if (readonlyRootFilesystem) {
      const writablePaths = options.writablePaths ?? ['/tmp'];
      for (const path of writablePaths) {
        const volumeName = this.volumeName(`${name}${path.replace(/[^a-zA-Z0-9]+/g, '-')}`.replace(/-+$/, ''));
        this.taskDefinition.addVolume({ name: volumeName });
        container.addMountPoints({ containerPath: path, sourceVolume: volumeName, readOnly: false });
      }
      this.warnIfNotWritable(name, options.user, writablePaths);
    }
    return container;
  }

  /**
   * A writable path is a bind mount owned by root (mode 0755) unless the image declares it as a
   * VOLUME with other ownership. The image is out of sight; a non-root `user` is not.
   */
  private warnIfNotWritable(containerName: string, user: string | undefined, paths: string[]): void {
    if (user === undefined || Token.isUnresolved(user) || paths.length === 0) return;
    const [uid] = user.split(':');
    if (uid === 'root' || uid === '0') return;
    const quoted = paths.map((path) => JSON.stringify(path));
    Annotations.of(this).addWarningV2(WRITABLE_PATH_OWNER_WARNING,
      `Container "${containerName}" runs as user "${user}" on a read-only root filesystem; its writable paths (${paths.join(', ')}) are bind mounts ` +
      'that Fargate creates owned by root with mode 0755, so the user cannot write to them unless the image declares each path as a VOLUME ' +
      '(ECS then gives the mount the ownership of the image\'s directory). Add to the Dockerfile, after the user exists and in this order: ' +
      `RUN mkdir -p ${paths.join(' ')} && chown ${user} ${paths.join(' ')} then VOLUME [${quoted.join(', ')}]. ` +
      `Then acknowledge this warning: Validations.of(<this construct>).acknowledge({ id: 'Annotation::${WRITABLE_PATH_OWNER_WARNING}', reason }).`);
  }

  /**
   * The container's construct id. Distinct container names can share a PascalCase form
   * ('my-proxy' and 'my_proxy', or a sidecar 'App' next to the main 'app') or clash with the
   * task definition's own children; the container name itself is unique, so fall back to it.
   */
  private containerId(name: string): string {
    const preferred = name === MAIN_CONTAINER_NAME ? 'App' : toPascalId(name);
    const taken = this.taskDefinition.node.tryFindChild(preferred) !== undefined || RESERVED_CHILD_IDS.includes(preferred);
    return taken ? `Container-${name}` : preferred;
  }

  /**
   * A volume name no other volume of the task has: different paths can reduce to the same name
   * ('/var/cache' and '/var-cache'), and ECS rejects a task with two volumes of one name.
   */
  private volumeName(base: string): string {
    // ECS volume names are at most 255 characters; leave room for a suffix.
    const trimmed = base.slice(0, 250);
    let candidate = trimmed;
    for (let i = 2; this.volumeNames.has(candidate); i++) candidate = `${trimmed}-${i}`;
    this.volumeNames.add(candidate);
    return candidate;
  }
}

/** The synth warning for a non-root `user` whose writable paths the image may not own. */
const WRITABLE_PATH_OWNER_WARNING = 'ecs-service-kit:writable-path-owner';

/** Children the task definition creates itself (the execution role appears with the first container). */
const RESERVED_CHILD_IDS = ['ExecutionRole', 'TaskRole', 'Resource'];

function toPascalId(name: string): string {
  return name.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('') || 'Container';
}

/**
 * ECS refuses a Service Connect task whose containers' hard limits take all of its memory: the
 * proxy it adds needs what they leave free.
 */
function checkProxyMemory(scope: Construct, props: ServiceTaskDefinitionProps, memoryMiB: number, proxyMemoryMiB: number): void {
  checkRange(scope, 'serviceConnectProxyMemoryMiB', props.serviceConnectProxyMemoryMiB, 0, memoryMiB - 6, { unit: 'MiB' });
  if (proxyMemoryMiB === 0 || Token.isUnresolved(memoryMiB)) return;
  const limits = [props.memoryLimitMiB, ...(props.sidecars ?? []).map((sidecar) => sidecar.memoryLimitMiB)]
    .filter((limit): limit is number => limit !== undefined && !Token.isUnresolved(limit));
  const sum = limits.reduce((total, limit) => total + limit, 0);
  if (sum > memoryMiB - proxyMemoryMiB) {
    fail(scope, 'memoryLimitMiB', sum,
      `(the sum of the containers' hard limits) leaves less than ${proxyMemoryMiB} MiB of the task's ${memoryMiB} MiB for the Service Connect proxy ECS adds`,
      `keep the limits at or below ${memoryMiB - proxyMemoryMiB} MiB together, or raise memoryMiB`);
  }
}
