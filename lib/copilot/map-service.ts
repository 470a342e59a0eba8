import { Duration } from 'aws-cdk-lib';
import { ScalingOptions } from '../auto-scaling/scaling-options';
import { FargateSpotOptions, ServiceConnectOptions, ServiceOptions } from '../service/service-options';
import { ManifestReader } from './manifest-reader';
import { ManifestNode } from './manifest-tree';
import { taskNetwork } from './map-network';
import { taskOptions, WorkloadContext } from './map-task';

/** The metrics a `count` may scale on, per workload kind (Copilot's own rule). */
const SCALING_METRICS = {
  loadBalanced: ['cpu_percentage', 'memory_percentage', 'requests'],
  worker: ['cpu_percentage', 'memory_percentage', 'queue_delay'],
  backend: ['cpu_percentage', 'memory_percentage'],
} as const;

/** What a long-running service's manifest says beyond its task: count, scaling, Spot, exec, rolling, Service Connect. */
export interface ServiceMapping {
  readonly options: ServiceOptions;
  /** The backlog per task `count.queue_delay` asks for (a worker's `backlogPerTask`). */
  readonly backlogPerTask?: number;
}

export function serviceOptions(reader: ManifestReader, ctx: WorkloadContext, kind: keyof typeof SCALING_METRICS, behindLoadBalancer: boolean): ServiceMapping {
  const task = taskOptions(reader, ctx);
  const count = countOf(reader, kind);
  const rolling = reader.string('deployment.rolling');
  if (rolling !== undefined && !['default', 'recreate'].includes(rolling.toLowerCase())) {
    reader.fail('deployment.rolling', reader.peek('deployment.rolling'), 'is not a rolling strategy', 'use default or recreate');
  }
  const recreate = rolling?.toLowerCase() === 'recreate';
  const exec = reader.boolean('exec');
  if (exec && task.readonlyRootFilesystem === true) {
    reader.fail('exec', reader.peek('exec'), 'needs a writable root filesystem (ECS Exec\'s agent writes to it), and storage.readonly_fs is true',
      'remove exec, or storage.readonly_fs');
  }
  return {
    options: {
      ...task,
      ...count.options,
      enableExecuteCommand: exec,
      // Copilot's `recreate` stops every task before it starts new ones.
      minHealthyPercent: recreate ? 0 : undefined,
      maxHealthyPercent: recreate ? 100 : undefined,
      serviceConnect: serviceConnect(reader, ctx, task.containerPort),
      ...taskNetwork(reader, ctx, behindLoadBalancer ? 2 : 1),
    },
    backlogPerTask: count.backlogPerTask,
  };
}

/** `network.connect`: a Service Connect service named by the workload (or its alias); without a port, a client only, as Copilot makes it. */
function serviceConnect(reader: ManifestReader, ctx: WorkloadContext, port: number | undefined): ServiceConnectOptions | undefined {
  const node = reader.peek('network.connect');
  if (node === undefined) return undefined;
  const name = serviceConnectName(reader, ctx);
  if (!node.entries && !reader.boolean('network.connect')) return undefined;
  return port === undefined ? { clientOnly: true } : { name };
}

/** The name a connected workload is published under: `network.connect.alias`, else the workload's. */
export function serviceConnectName(reader: ManifestReader, ctx: WorkloadContext): string {
  return (reader.peek('network.connect')?.entries ? reader.string('network.connect.alias') : undefined) ?? ctx.name;
}

function countOf(reader: ManifestReader, kind: keyof typeof SCALING_METRICS): { options: Pick<ServiceOptions, 'desiredCount' | 'scaling' | 'spot'>; backlogPerTask?: number } {
  const node = reader.peek('count');
  if (node === undefined) return { options: {} };
  if (!node.entries) return { options: { desiredCount: reader.number('count', { min: 0 }) } };

  const spotCount = reader.number('count.spot', { min: 0 });
  if (spotCount !== undefined) {
    // `spot: N`: N tasks, all on Fargate Spot, no autoscaling.
    return { options: { desiredCount: spotCount, spot: { spotWeight: 1, onDemandWeight: 0, onDemandBase: 0 } } };
  }
  const { min, max, spotFrom } = rangeOf(reader, node);
  // response_time is no scaling target of this library: it is reported as not mapped, not refused.
  for (const metric of ['cpu_percentage', 'memory_percentage', 'requests', 'queue_delay']) {
    if (reader.has(`count.${metric}`) && !(SCALING_METRICS[kind] as readonly string[]).includes(metric)) {
      reader.fail(`count.${metric}`, reader.peek(`count.${metric}`), `is not a metric a ${kind === 'loadBalanced' ? 'load-balanced service' : kind === 'worker' ? 'worker' : 'backend service'} scales on`,
        `use ${SCALING_METRICS[kind].join(', ')}`);
    }
  }
  const scaleIn = reader.duration('count.cooldown.in');
  const scaleOut = reader.duration('count.cooldown.out');
  const scaling: ScalingOptions = {
    minCapacity: min,
    maxCapacity: max,
    targetCpuPercent: metricValue(reader, 'count.cpu_percentage'),
    targetMemoryPercent: metricValue(reader, 'count.memory_percentage'),
    requestsPerTarget: metricValue(reader, 'count.requests'),
    // Copilot's default cooldowns (120 s in, 60 s out) are ours too.
    scaleInCooldown: scaleIn ?? Duration.seconds(120),
    scaleOutCooldown: scaleOut ?? Duration.seconds(60),
  };
  const latency = reader.duration('count.queue_delay.acceptable_latency');
  const processing = reader.duration('count.queue_delay.msg_processing_time');
  if ((latency === undefined) !== (processing === undefined)) {
    reader.fail('count.queue_delay', reader.peek('count.queue_delay'), 'needs both acceptable_latency and msg_processing_time', 'give both');
  }
  if (latency && min === 0) {
    reader.fail('count.range', reader.peek('count.range'), 'starts at 0 with queue_delay scaling; this library\'s backlog scaling needs a running task to divide by',
      'start the range at 1 (one task waits for messages), or scale on cpu_percentage only');
  }
  // Copilot's formula: the backlog one task clears within the acceptable latency.
  const backlogPerTask = latency && processing ? Math.ceil(latency.toMilliseconds() / processing.toMilliseconds()) : undefined;
  return { options: { desiredCount: min, scaling, spot: spotFrom === undefined ? undefined : spotFromOptions(spotFrom, min) }, backlogPerTask };
}

/** `spot_from: N`: the first N-1 tasks on Fargate, the rest on Spot; below `min` every task is on Spot (Copilot's rule). */
function spotFromOptions(spotFrom: number, min: number): FargateSpotOptions {
  return spotFrom >= min
    ? { spotWeight: 1, onDemandWeight: 0, onDemandBase: Math.max(spotFrom - 1, 0) }
    : { spotWeight: 1, onDemandWeight: 0, onDemandBase: 0 };
}

function rangeOf(reader: ManifestReader, count: ManifestNode): { min: number; max: number; spotFrom?: number } {
  const node = reader.peek('count.range');
  if (node === undefined) reader.fail('count.range', count, 'is missing', 'give count.range (min-max, or min, max and spot_from) with the scaling targets');
  let min: number;
  let max: number;
  let spotFrom: number | undefined;
  if (node.entries) {
    min = reader.number('count.range.min', { min: 0 }) ?? reader.fail('count.range.min', node, 'is missing', 'give min and max');
    max = reader.number('count.range.max', { min: 1 }) ?? reader.fail('count.range.max', node, 'is missing', 'give min and max');
    spotFrom = reader.number('count.range.spot_from', { min: 0 });
  } else {
    const text = reader.string('count.range')!;
    const match = /^(\d+)-(\d+)$/.exec(text.trim());
    if (!match) reader.fail('count.range', node, 'is not a range', 'write min-max, e.g. 1-10');
    min = Number(match[1]);
    max = Number(match[2]);
  }
  if (min > max) reader.fail('count.range', node, `has min ${min} above max ${max}`, 'give min ≤ max');
  return { min, max, spotFrom };
}

/** A scaling target: `70`, or `{value: 70, cooldown: {…}}` (whose own cooldown this library does not keep apart). */
function metricValue(reader: ManifestReader, field: string): number | undefined {
  const node = reader.peek(field);
  if (node === undefined) return undefined;
  return node.entries ? reader.number(`${field}.value`, { integer: false, min: 1 }) : reader.number(field, { integer: false, min: 1 });
}

/** Whether the manifest asks for Service Connect (`network.connect: true` or a map). */
export function usesServiceConnect(reader: ManifestReader): boolean {
  const node = reader.peek('network.connect');
  return node !== undefined && (node.entries !== undefined || node.scalar === true);
}

/**
 * `subscribe.queue.delay` in whole seconds, cut as Copilot cuts it (`int64(d.Seconds())`), and
 * checked against SQS's 0 to 15 minutes at the manifest line.
 */
export function queueDelay(reader: ManifestReader): Duration | undefined {
  const delay = reader.duration('subscribe.queue.delay');
  if (delay === undefined) return undefined;
  const whole = Math.floor(delay.toMilliseconds() / 1000);
  if (whole > 900) reader.fail('subscribe.queue.delay', reader.peek('subscribe.queue.delay'), 'is longer than the 15 minutes SQS delays a message', 'use 0s to 15m');
  return Duration.seconds(whole);
}
