import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { Architecture } from '../image/architecture';
import { checkDurationSeconds, checkOneOf, checkPattern, checkPort, checkRange, fail, failWithText, LOG_RETENTION_DAYS } from '../validation/checks';
import { ContainerOptions } from './container-options';
import { checkFargateSize } from './fargate-size';
import { MAIN_CONTAINER_NAME, ServiceTaskOptions } from './service-task-options';
import { validateEnvironmentFiles } from './environment-files';
import { validateEfsVolumes } from '../file-system/efs-volume-attach';
import type { Ec2Capacity } from '../cluster/ec2-capacity';
import type { ManagedInstancesCapacity } from '../cluster/managed-instances-capacity';

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const ENV_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FAMILY_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;

/**
 * Checks everything about a task that Fargate or ECS would reject at deploy time. `prefix`
 * names the prop path the options came from (`''` at the top level). With `ec2Capacity` the
 * task runs on those EC2 instances: its size is checked against them instead of Fargate's table;
 * likewise with `managedInstancesCapacity` (not both).
 */
export function validateTaskOptions(
  scope: IConstruct, props: ServiceTaskOptions, prefix: string, ec2Capacity?: Ec2Capacity, managedInstancesCapacity?: ManagedInstancesCapacity,
): void {
  const p = (name: string) => `${prefix}${name}`;
  if (props.image === undefined || props.image === null) {
    fail(scope, p('image'), props.image, 'is missing', 'give an image, e.g. ServiceImage.fromAsset(\'./app\')');
  }
  if (ec2Capacity && managedInstancesCapacity) {
    fail(scope, 'managedInstancesCapacity', managedInstancesCapacity.node.path, `cannot be combined with ec2Capacity (${ec2Capacity.node.path}): a task runs on one kind of capacity`,
      'give either ec2Capacity (your Auto Scaling group) or managedInstancesCapacity (instances ECS manages), not both');
  }
  const cpu = props.cpu ?? Defaults.cpu;
  const memoryMiB = props.memoryMiB ?? Defaults.memoryMiB;
  if (ec2Capacity) {
    checkEc2Size(scope, cpu, memoryMiB, ec2Capacity, p);
    if ((props.efsVolumes ?? []).length > 0 && String(ec2Capacity.os) === 'BOTTLEROCKET') {
      // IAM authorization and TLS on an EFS mount need amazon-efs-utils, which Bottlerocket's ECS
      // variant does not ship (bottlerocket-os/bottlerocket#1080): the tasks could not mount.
      fail(scope, p('efsVolumes'), `${props.efsVolumes!.length} volume(s)`, `cannot be mounted on the Bottlerocket instances of ec2Capacity (${ec2Capacity.node.path}): an EFS volume here mounts with IAM authorization and TLS, which need amazon-efs-utils, and Bottlerocket's ECS variant has none`,
        'run the tasks on Amazon Linux 2023 instances (the default os), Fargate or Managed Instances');
    }
  } else if (managedInstancesCapacity) {
    checkManagedInstancesSize(scope, cpu, memoryMiB, managedInstancesCapacity, p);
  } else {
    checkFargateSize(scope, cpu, memoryMiB);
  }
  if (props.architecture !== undefined && !Object.values(Architecture).includes(props.architecture)) {
    fail(scope, p('architecture'), props.architecture, 'is not an architecture', 'use Architecture.X86_64 or Architecture.ARM64');
  }
  if (ec2Capacity && props.architecture !== undefined && props.architecture !== ec2Capacity.architecture) {
    fail(scope, p('architecture'), props.architecture, `does not match the ${ec2Capacity.architecture} instances of ec2Capacity (${ec2Capacity.instanceType.toString()})`,
      `leave architecture unset (tasks take the instances' architecture), set it to Architecture.${ec2Capacity.architecture}, or use ${props.architecture} instances`);
  }
  if (managedInstancesCapacity && props.architecture !== undefined && props.architecture !== managedInstancesCapacity.architecture) {
    fail(scope, p('architecture'), props.architecture, `does not match the ${managedInstancesCapacity.architecture} instances of managedInstancesCapacity (${managedInstancesCapacity.node.path})`,
      `leave architecture unset (tasks take the instances' architecture), set it to Architecture.${managedInstancesCapacity.architecture}, or give the capacity architecture ${props.architecture}`);
  }
  checkEphemeralStorage(scope, props.ephemeralStorageSize, p, ec2Capacity ? 'ec2Capacity' : managedInstancesCapacity ? 'managedInstancesCapacity' : undefined);
  checkPattern(scope, p('family'), props.family, FAMILY_PATTERN, 'use 1–255 letters, digits, hyphens and underscores');
  // CloudWatch Logs accepts only its fixed list of retention periods; anything else fails inside aws-cdk-lib or at deploy.
  checkOneOf(scope, p('logRetention'), props.logRetention, LOG_RETENTION_DAYS);
  // Log groups cannot be snapshotted: SNAPSHOT would fail the stack delete (or synth, with validateSnapshotRemovalPolicy).
  checkOneOf(scope, p('logRemovalPolicy'), props.logRemovalPolicy, [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]);

  const mainName = props.containerName ?? MAIN_CONTAINER_NAME;
  checkPattern(scope, p('containerName'), mainName, NAME_PATTERN, 'use 1–255 letters, digits, hyphens and underscores');
  validateContainer(scope, props, p(''), { cpu, memoryMiB });

  const names = new Set<string>([mainName]);
  const ports = new Map<number, string>();
  if (props.containerPort !== undefined && !Token.isUnresolved(props.containerPort)) ports.set(props.containerPort, p('containerPort'));
  let reservedCpu = props.cpuReservation ?? 0;
  (props.sidecars ?? []).forEach((sidecar, index) => {
    const sp = p(`sidecars[${index}].`);
    if (sidecar.image === undefined || sidecar.image === null) {
      fail(scope, `${sp}image`, sidecar.image, 'is missing', 'give each sidecar an image');
    }
    checkPattern(scope, `${sp}containerName`, sidecar.containerName, NAME_PATTERN, 'use 1–255 letters, digits, hyphens and underscores');
    if (names.has(sidecar.containerName)) {
      fail(scope, `${sp}containerName`, sidecar.containerName, 'is already used in this task', 'give every container a unique name');
    }
    names.add(sidecar.containerName);
    validateContainer(scope, sidecar, sp, { cpu, memoryMiB });
    if (sidecar.containerPort !== undefined && !Token.isUnresolved(sidecar.containerPort)) {
      const holder = ports.get(sidecar.containerPort);
      if (holder) {
        fail(scope, `${sp}containerPort`, sidecar.containerPort, `is already used by ${holder}`, 'containers of one task share a network namespace: give each its own port');
      }
      ports.set(sidecar.containerPort, `${sp}containerPort`);
    }
    reservedCpu += sidecar.cpuReservation ?? 0;
  });
  validateEnvironmentFiles(scope, p('environmentFiles'), new Map([
    [p(''), props.environmentFiles],
    ...(props.sidecars ?? []).map((sidecar, index): [string, typeof props.environmentFiles] => [p(`sidecars[${index}].`), sidecar.environmentFiles]),
  ]));
  if (!Token.isUnresolved(reservedCpu) && !Token.isUnresolved(cpu) && reservedCpu > cpu) {
    fail(scope, p('cpuReservation'), reservedCpu, `(summed over all containers) exceeds the task's cpu ${cpu}`, `keep the containers' reservations at or below ${cpu}`);
  }
  validateEfsVolumes(scope, props.efsVolumes,
    [{ name: mainName, user: props.user }, ...(props.sidecars ?? []).map((sidecar) => ({ name: sidecar.containerName, user: sidecar.user }))],
    mainContainerPaths(props));
}

/** The paths the main container already mounts something at: its writable paths and a service's EBS volume. */
function mainContainerPaths(props: ServiceTaskOptions): Map<string, string> {
  const paths = new Map<string, string>();
  const strip = (path: string) => path.replace(/\/+$/, '') || '/';
  if (props.readonlyRootFilesystem ?? true) {
    for (const path of props.writablePaths ?? ['/tmp']) {
      if (!Token.isUnresolved(path)) paths.set(strip(path), `a writable path of the main container (writablePaths${props.writablePaths ? '' : ' defaults to [\'/tmp\']'})`);
    }
  }
  // A service's EBS volume (ServiceOptions.ebsVolume) sits beside the task options.
  const ebs = (props as { ebsVolume?: { mountPath?: string } }).ebsVolume;
  if (ebs?.mountPath !== undefined && !Token.isUnresolved(ebs.mountPath)) paths.set(strip(ebs.mountPath), 'the mountPath of ebsVolume');
  return paths;
}

function validateContainer(scope: IConstruct, options: ContainerOptions, prefix: string, task: { cpu: number; memoryMiB: number }): void {
  checkPort(scope, `${prefix}containerPort`, options.containerPort);
  // A task size from a token (a CfnParameter) is only known at deploy time: check the lower bounds only.
  const maxCpu = Token.isUnresolved(task.cpu) ? Number.MAX_SAFE_INTEGER : task.cpu;
  const maxMemory = Token.isUnresolved(task.memoryMiB) ? Number.MAX_SAFE_INTEGER : task.memoryMiB;
  checkRange(scope, `${prefix}cpuReservation`, options.cpuReservation, 0, maxCpu, { unit: 'CPU units (the task\'s cpu)' });
  // ECS needs at least 6 MiB for a container.
  checkRange(scope, `${prefix}memoryLimitMiB`, options.memoryLimitMiB, 6, maxMemory, { unit: 'MiB (the task\'s memoryMiB)' });
  // Fargate allows at most 120 s between SIGTERM and SIGKILL.
  checkDurationSeconds(scope, `${prefix}stopTimeout`, options.stopTimeout, 2, 120);
  if (options.restartPolicy) {
    // ECS's limits for the container restart policy.
    checkDurationSeconds(scope, `${prefix}restartPolicy.attemptPeriod`, options.restartPolicy.attemptPeriod, 60, 1800);
    const codes = options.restartPolicy.ignoredExitCodes ?? [];
    if (codes.length > 50) {
      fail(scope, `${prefix}restartPolicy.ignoredExitCodes`, codes.length, 'exit codes is more than ECS takes', 'give at most 50 exit codes');
    }
    codes.forEach((code, i) => checkRange(scope, `${prefix}restartPolicy.ignoredExitCodes[${i}]`, code, -2147483648, 2147483647));
  }

  const envNames = Object.keys(options.environment ?? {});
  for (const name of envNames) {
    checkPattern(scope, `${prefix}environment`, name, ENV_NAME_PATTERN, 'variable names use letters, digits and underscores and do not start with a digit');
  }
  for (const name of Object.keys(options.secrets ?? {})) {
    checkPattern(scope, `${prefix}secrets`, name, ENV_NAME_PATTERN, 'variable names use letters, digits and underscores and do not start with a digit');
    if (envNames.includes(name)) {
      fail(scope, `${prefix}secrets`, name, 'is also a plain environment variable', 'give each variable once, in environment or in secrets');
    }
  }

  for (const [name, value] of Object.entries(options.dockerLabels ?? {})) {
    if (name === '' || typeof value !== 'string') fail(scope, `${prefix}dockerLabels`, { [name]: value }, 'is not a label', 'give non-empty names and string values');
  }

  const healthCheck = options.containerHealthCheck;
  if (healthCheck) {
    const hp = `${prefix}containerHealthCheck`;
    if (!healthCheck.command || healthCheck.command.length === 0) {
      fail(scope, `${hp}.command`, healthCheck.command, 'is empty', 'give a command, e.g. [\'CMD-SHELL\', \'curl -f http://localhost:8080/ || exit 1\']');
    }
    // ECS's ranges for container health checks.
    checkDurationSeconds(scope, `${hp}.interval`, healthCheck.interval, 5, 300);
    checkDurationSeconds(scope, `${hp}.timeout`, healthCheck.timeout, 2, 60);
    checkRange(scope, `${hp}.retries`, healthCheck.retries, 1, 10);
    checkDurationSeconds(scope, `${hp}.startPeriod`, healthCheck.startPeriod, 0, 300);
    const interval = healthCheck.interval ?? Duration.seconds(30);
    const timeout = healthCheck.timeout ?? Duration.seconds(5);
    if (!interval.isUnresolved() && !timeout.isUnresolved() && timeout.toSeconds() >= interval.toSeconds()) {
      fail(scope, `${hp}.timeout`, timeout, `is not shorter than the interval ${interval.toHumanString()}`, 'make the timeout shorter than the interval');
    }
  }

  const readonlyRoot = options.readonlyRootFilesystem ?? true;
  if (options.writablePaths !== undefined) {
    if (!readonlyRoot) {
      fail(scope, `${prefix}writablePaths`, options.writablePaths, 'only applies with a read-only root filesystem', 'remove writablePaths or set readonlyRootFilesystem to true');
    }
    const seen = new Set<string>();
    for (const path of options.writablePaths) {
      checkPattern(scope, `${prefix}writablePaths`, path, /^\/[^\s]*$/, 'use absolute container paths such as \'/tmp\'');
      // '/tmp' and '/tmp/' are one directory: ECS rejects two mount points at one path.
      const normalized = path.replace(/\/+$/, '') || '/';
      if (seen.has(normalized)) fail(scope, `${prefix}writablePaths`, path, 'is listed twice', 'list each path once');
      seen.add(normalized);
    }
  }
}

/**
 * An EC2 task needs no Fargate size, only ECS's range (128 to 196,608 CPU units) and room on one
 * instance of the capacity's type (when the library knows the type's size).
 */
function checkEc2Size(scope: IConstruct, cpu: number, memoryMiB: number, capacity: Ec2Capacity, p: (name: string) => string): void {
  checkRange(scope, p('cpu'), cpu, 128, 196_608, { unit: 'CPU units (ECS\'s range for tasks on EC2)' });
  // Docker's floor for a container's memory; the instance bounds it from above.
  checkRange(scope, p('memoryMiB'), memoryMiB, 6, Number.MAX_SAFE_INTEGER, { unit: 'MiB' });
  const instanceType = capacity.instanceType.toString();
  if (capacity.maxTaskCpu !== undefined && !Token.isUnresolved(cpu) && cpu > capacity.maxTaskCpu) {
    fail(scope, p('cpu'), cpu, `does not fit on one ${instanceType} instance of ec2Capacity (${capacity.maxTaskCpu / 1024} vCPUs = ${capacity.maxTaskCpu} CPU units)`,
      `use at most ${capacity.maxTaskCpu}, or a larger instance type`);
  }
  if (capacity.maxTaskMemoryMiB !== undefined && !Token.isUnresolved(memoryMiB) && memoryMiB > capacity.maxTaskMemoryMiB) {
    fail(scope, p('memoryMiB'), memoryMiB, `does not fit on one ${instanceType} instance of ec2Capacity (${capacity.maxTaskMemoryMiB} MiB left for tasks after the kernel, the OS and the ECS agent)`,
      `use at most ${capacity.maxTaskMemoryMiB}, or a larger instance type`);
  }
}

/**
 * Tasks on ECS Managed Instances: ECS's range for tasks on instances, and room on the largest
 * instance the capacity allows (`maxVcpus`, and `maxMemory` when given).
 */
function checkManagedInstancesSize(scope: IConstruct, cpu: number, memoryMiB: number, capacity: ManagedInstancesCapacity, p: (name: string) => string): void {
  checkRange(scope, p('cpu'), cpu, 128, 196_608, { unit: 'CPU units (ECS\'s range for tasks on instances)' });
  checkRange(scope, p('memoryMiB'), memoryMiB, 6, Number.MAX_SAFE_INTEGER, { unit: 'MiB' });
  if (!Token.isUnresolved(cpu) && !Token.isUnresolved(capacity.maxTaskCpu) && cpu > capacity.maxTaskCpu) {
    fail(scope, p('cpu'), cpu, `does not fit on the largest instance managedInstancesCapacity allows (maxVcpus ${capacity.maxTaskCpu / 1024} = ${capacity.maxTaskCpu} CPU units)`,
      `use at most ${capacity.maxTaskCpu}, or raise the capacity's maxVcpus`);
  }
  if (capacity.maxTaskMemoryMiB !== undefined && !Token.isUnresolved(memoryMiB) && memoryMiB > capacity.maxTaskMemoryMiB) {
    fail(scope, p('memoryMiB'), memoryMiB, `does not fit on the largest instance managedInstancesCapacity allows (${capacity.maxTaskMemoryMiB} MiB of its maxMemory left for tasks after the kernel, the OS and the ECS agent)`,
      `use at most ${capacity.maxTaskMemoryMiB}, or raise the capacity's maxMemory`);
  }
}

/** Fargate's ephemeral storage: whole GiB from 21 to 200, and only on Fargate. */
function checkEphemeralStorage(scope: IConstruct, size: Size | undefined, p: (name: string) => string, placement: string | undefined): void {
  if (size === undefined) return;
  if (placement !== undefined) {
    fail(scope, p('ephemeralStorageSize'), size instanceof Size && !size.isUnresolved() ? `${size.toGibibytes({ rounding: SizeRoundingBehavior.NONE })} GiB` : size,
      `only applies to Fargate; tasks on ${placement} use the instances' volume`,
      placement === 'ec2Capacity' ? 'leave ephemeralStorageSize out and size the instances\' volume with volumeSize' : 'leave ephemeralStorageSize out and size the instances\' volume with taskVolumeSize');
  }
  if (!(size instanceof Size)) fail(scope, p('ephemeralStorageSize'), size, 'is not a Size', 'use Size.gibibytes(21) to Size.gibibytes(200)');
  if (size.isUnresolved()) return;
  const gib = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(gib) || gib < 21 || gib > 200) {
    failWithText(scope, p('ephemeralStorageSize'), `${gib} GiB`, 'is out of range', 'use whole GiB from 21 to 200 (every Fargate task already has 20 GiB; leave it out for that)');
  }
}
