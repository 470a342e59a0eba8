import { detectionSeconds, ecsWatchSeconds } from './alarm-window';
import { ReleaseSafetyEstimate } from './release-safety-estimate';

/** The template's settings the estimate reads. Internal: not exported from index.ts (jsii exports no free functions). */
export interface ReleaseSafetyInput {
  /** 'ROLLING' | 'CANARY' | 'LINEAR' | 'BLUE_GREEN'. */
  readonly strategy: string;
  /** Undefined without deployment alarms. */
  readonly alarmPeriodSeconds?: number;
  readonly alarmEvaluationPeriods?: number;
  /** Undefined without deployment alarms; absent in the template means alarmEvaluationPeriods. */
  readonly alarmDatapointsToAlarm?: number;
  readonly metricDelaySeconds: number;
  readonly rollingDeployEstimateSeconds: number;
  readonly deregistrationDelaySeconds: number;
  /** Canary: the canary's share; linear: the step. */
  readonly stepPercent?: number;
  /** Canary and linear: the wait between steps. */
  readonly stepBakeSeconds?: number;
  /** Canary, linear and blue/green: how long the old revision outlives the last traffic shift. */
  readonly bakeSeconds?: number;
}

/** The formula. */
export function estimateReleaseSafety(input: ReleaseSafetyInput): ReleaseSafetyEstimate {
  const timing = input.alarmPeriodSeconds !== undefined && input.alarmEvaluationPeriods !== undefined
    ? { periodSeconds: input.alarmPeriodSeconds, evaluationPeriods: input.alarmEvaluationPeriods, datapointsToAlarm: input.alarmDatapointsToAlarm }
    : undefined;
  const detectSeconds = timing ? detectionSeconds(timing, input.metricDelaySeconds) : undefined;
  // Rolling: the bake ECS derives from the alarms; the others: the bake after the last shift.
  const watchSeconds = timing === undefined ? undefined : input.strategy === 'ROLLING' ? ecsWatchSeconds(timing) : (input.bakeSeconds ?? 0);
  const rollbackSeconds = input.strategy === 'ROLLING' ? input.rollingDeployEstimateSeconds : input.deregistrationDelaySeconds;
  let exposedPercent = 100;
  const step = input.stepPercent ?? 100;
  const bake = input.stepBakeSeconds ?? 0;
  if (input.strategy === 'CANARY') {
    // The canary's share until its bake ends, then all of it.
    exposedPercent = detectSeconds !== undefined && detectSeconds < bake ? step : 100;
  } else if (input.strategy === 'LINEAR') {
    // One more step every stepBake seconds, until all of it.
    const steps = detectSeconds === undefined || bake === 0 ? Infinity : 1 + Math.floor(detectSeconds / bake);
    exposedPercent = Math.min(100, Math.round(step * steps * 10) / 10);
  }
  return {
    detectSeconds,
    watchSeconds,
    rollbackSeconds,
    exposedPercent,
    totalSeconds: detectSeconds === undefined ? undefined : detectSeconds + rollbackSeconds,
  };
}
