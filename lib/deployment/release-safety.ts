/**
 * How long a bad release (it starts, passes its health checks, then fails requests) stays in
 * front of users, by the template's settings. A formula, not a measurement: README and
 * docs/figures.md quote it, and a test recomputes it from the synthesized template.
 */
export interface ReleaseSafetyEstimate {
  /**
   * Seconds from the first request the new revision answers to its deployment alarm going off:
   * evaluation periods × period + the assumed metric delay (60 s). Undefined without alarms: no
   * alarm detects such a release, only a person.
   */
  readonly detectSeconds?: number;
  /**
   * Seconds from the alarm to the end of the rollback: with rolling, a rolling deploy of the
   * previous revision (the rolling-deploy estimate); with canary, linear and blue/green, one
   * traffic shift back to the old revision, still running, plus the deregistration delay in
   * which the new revision's last requests finish.
   */
  readonly rollbackSeconds: number;
  /**
   * The share of production traffic, in percent, the bad revision answers when the alarm goes
   * off: 100 with rolling and blue/green, the canary's share, or the linear steps reached by then.
   */
  readonly exposedPercent: number;
  /** `detectSeconds + rollbackSeconds`; undefined without alarms. */
  readonly totalSeconds?: number;
}

/** The template's settings the estimate reads. Internal. */
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
