import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * vCPUs and memory of the EC2 instance types we can size-check tasks against.
 * Internal helper: not exported from lib/cluster/index.ts.
 *
 * Not a full catalogue: general-purpose, compute- and memory-optimized families of the last
 * generations plus the burstable ones. For any other type `instanceSize` returns undefined and
 * task-size checks are skipped (ECS then rejects a task that fits nowhere only at placement time).
 */
export interface InstanceSize {
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** GiB of memory per vCPU of the M (4), C (2) and R (8) families; sizes follow medium = 1, large = 2, xlarge = 4, Nxlarge = 4N vCPUs. */
const MEMORY_GIB_PER_VCPU: Readonly<Record<string, number>> = {
  'm5': 4, 'm5a': 4, 'm6i': 4, 'm6a': 4, 'm6g': 4, 'm7i': 4, 'm7i-flex': 4, 'm7a': 4, 'm7g': 4, 'm8g': 4,
  'c5': 2, 'c5a': 2, 'c6i': 2, 'c6a': 2, 'c6g': 2, 'c7i': 2, 'c7i-flex': 2, 'c7a': 2, 'c7g': 2, 'c8g': 2,
  'r5': 8, 'r5a': 8, 'r6i': 8, 'r6a': 8, 'r6g': 8, 'r7i': 8, 'r7a': 8, 'r7g': 8, 'r8g': 8,
};

/** Burstable families: their sizes do not follow the M/C/R pattern. [vCPUs, GiB] */
const BURSTABLE: Readonly<Record<string, readonly [number, number]>> = {
  nano: [2, 0.5],
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  '2xlarge': [8, 32],
};
const BURSTABLE_FAMILIES = ['t3', 't3a', 't4g'];

/** The vCPUs and memory of `instanceType`, or undefined when it is not in the table (or a token). */
export function instanceSize(instanceType: ec2.InstanceType): InstanceSize | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9]+)$/.exec(instanceType.toString());
  if (!match) return undefined;
  const [, family, size] = match;
  if (BURSTABLE_FAMILIES.includes(family)) {
    const entry = BURSTABLE[size];
    return entry ? { vcpus: entry[0], memoryMiB: entry[1] * 1024 } : undefined;
  }
  const perVcpu = MEMORY_GIB_PER_VCPU[family];
  if (perVcpu === undefined) return undefined;
  const vcpus = vcpusOfSize(size);
  return vcpus === undefined ? undefined : { vcpus, memoryMiB: vcpus * perVcpu * 1024 };
}

function vcpusOfSize(size: string): number | undefined {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const multiple = /^(\d+)xlarge$/.exec(size);
  return multiple ? Number(multiple[1]) * 4 : undefined;
}

/**
 * Memory ECS leaves for tasks on an instance with `memoryMiB` installed: the agent registers
 * less than the installed memory (kernel and platform overhead, a few percent), and AWS
 * recommends keeping some free for the agent and system daemons. 6 % + 256 MiB covers both on
 * the ECS-optimized Amazon Linux 2023 and Bottlerocket AMIs, erring on the side of rejecting a
 * task that would only just fit.
 */
export function taskMemoryMiBOn(memoryMiB: number): number {
  return Math.floor(memoryMiB * 0.94) - 256;
}
