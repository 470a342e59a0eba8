import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { checkDurationSeconds, checkPattern, checkRange, fail } from '../validation/checks';
import { ScalingOptions } from './scaling-options';

/** The CPU target used when scaling is on and no target is given. */
const DEFAULT_TARGET_CPU_PERCENT = 70;

/**
 * Checks scaling options and the desired count against each other. `prefix` is the prop
 * path of the options (`scaling.`).
 */
export function validateScaling(
  scope: IConstruct, scaling: ScalingOptions | undefined, desiredCount: number | undefined, hasLoadBalancer: boolean,
): void {
  checkRange(scope, 'desiredCount', desiredCount, 0, 5000);
  if (!scaling) return;
  const min = scaling.minCapacity ?? Defaults.minCapacity;
  const max = scaling.maxCapacity ?? Defaults.maxCapacity;
  checkRange(scope, 'scaling.minCapacity', scaling.minCapacity, 0, 5000);
  checkRange(scope, 'scaling.maxCapacity', scaling.maxCapacity, 1, 5000);
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
    fail(scope, 'scaling.minCapacity', min, `is above scaling.maxCapacity ${max}`, 'keep 0 ≤ minCapacity ≤ maxCapacity');
  }
  if (desiredCount !== undefined && !Token.isUnresolved(desiredCount) && (desiredCount < min || desiredCount > max)) {
    fail(scope, 'desiredCount', desiredCount, `is outside scaling's range [${min}, ${max}]`, `use a count from ${min} to ${max}, or leave desiredCount to scaling`);
  }
  checkRange(scope, 'scaling.targetCpuPercent', scaling.targetCpuPercent, 1, 100, { integer: false });
  checkRange(scope, 'scaling.targetMemoryPercent', scaling.targetMemoryPercent, 1, 100, { integer: false });
  checkRange(scope, 'scaling.requestsPerTarget', scaling.requestsPerTarget, 1, 1_000_000);
  if (scaling.requestsPerTarget !== undefined && !hasLoadBalancer) {
    fail(scope, 'scaling.requestsPerTarget', scaling.requestsPerTarget, 'needs a load balancer', 'scale on CPU or memory for a service without one');
  }
  checkDurationSeconds(scope, 'scaling.scaleInCooldown', scaling.scaleInCooldown, 0, 3600);
  checkDurationSeconds(scope, 'scaling.scaleOutCooldown', scaling.scaleOutCooldown, 0, 3600);

  const names = new Set<string>();
  (scaling.schedules ?? []).forEach((entry, index) => {
    const sp = `scaling.schedules[${index}]`;
    checkPattern(scope, `${sp}.name`, entry.name, /^[A-Za-z0-9][A-Za-z0-9-_]{0,63}$/, 'use 1–64 letters, digits, hyphens and underscores');
    if (names.has(entry.name)) fail(scope, `${sp}.name`, entry.name, 'is used twice', 'give each schedule its own name');
    names.add(entry.name);
    if (entry.minCapacity === undefined && entry.maxCapacity === undefined) {
      fail(scope, sp, entry.name, 'changes nothing', 'give minCapacity and/or maxCapacity');
    }
    checkRange(scope, `${sp}.minCapacity`, entry.minCapacity, 0, 5000);
    checkRange(scope, `${sp}.maxCapacity`, entry.maxCapacity, 0, 5000);
    if (entry.minCapacity !== undefined && entry.maxCapacity !== undefined && entry.minCapacity > entry.maxCapacity) {
      fail(scope, `${sp}.minCapacity`, entry.minCapacity, `is above ${sp}.maxCapacity ${entry.maxCapacity}`, 'keep minCapacity ≤ maxCapacity');
    }
  });
}

/** Turns validated scaling options into a scalable task count with its policies. */
export function applyScaling(
  service: ecs.BaseService, scaling: ScalingOptions, targetGroup?: elbv2.ApplicationTargetGroup,
): ecs.ScalableTaskCount {
  const taskCount = service.autoScaleTaskCount({
    minCapacity: scaling.minCapacity ?? Defaults.minCapacity,
    maxCapacity: scaling.maxCapacity ?? Defaults.maxCapacity,
  });
  const cooldowns = {
    scaleInCooldown: scaling.scaleInCooldown ?? Defaults.scaleInCooldown,
    scaleOutCooldown: scaling.scaleOutCooldown ?? Defaults.scaleOutCooldown,
  };
  const noTarget = scaling.targetCpuPercent === undefined && scaling.targetMemoryPercent === undefined
    && scaling.requestsPerTarget === undefined;
  const cpuTarget = scaling.targetCpuPercent ?? (noTarget ? DEFAULT_TARGET_CPU_PERCENT : undefined);
  if (cpuTarget !== undefined) {
    taskCount.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: cpuTarget, ...cooldowns });
  }
  if (scaling.targetMemoryPercent !== undefined) {
    taskCount.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: scaling.targetMemoryPercent, ...cooldowns });
  }
  if (scaling.requestsPerTarget !== undefined && targetGroup) {
    taskCount.scaleOnRequestCount('RequestScaling', { requestsPerTarget: scaling.requestsPerTarget, targetGroup, ...cooldowns });
  }
  for (const entry of scaling.schedules ?? []) {
    taskCount.scaleOnSchedule(entry.name, {
      schedule: entry.schedule,
      minCapacity: entry.minCapacity,
      maxCapacity: entry.maxCapacity,
      timeZone: entry.timeZone,
    });
  }
  return taskCount;
}
