import { ReleaseSafetyEstimate } from './release-safety-estimate';

/** The template's settings the estimate reads. Internal: not exported from index.ts (jsii exports no free functions). */
export interface ReleaseSafetyInput {
  /** 'ROLLING' | 'CANARY' | 'LINEAR' | 'BLUE_GREEN'. */
  readonly strategy: string;
  /** Undefined without deployment alarms. */
  readonly alarmPeriodSeconds?: number;
  readonly alarmEvaluationPeriods?: number;
  readonly metricDelaySeconds: number;
  readonly rollingDeployEstimateSeconds: number;
  readonly deregistrationDelaySeconds: number;
  /** Canary: the canary's share; linear: the step. */
  readonly stepPercent?: number;
  /** Canary and linear: the wait between steps. */
  readonly stepBakeSeconds?: number;
}

/** The formula. */
export function estimateReleaseSafety(input: ReleaseSafetyInput): ReleaseSafetyEstimate {
  const detectSeconds = input.alarmPeriodSeconds !== undefined && input.alarmEvaluationPeriods !== undefined
    ? input.alarmPeriodSeconds * input.alarmEvaluationPeriods + input.metricDelaySeconds
    : undefined;
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
    rollbackSeconds,
    exposedPercent,
    totalSeconds: detectSeconds === undefined ? undefined : detectSeconds + rollbackSeconds,
  };
}
