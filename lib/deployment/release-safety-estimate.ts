/**
 * How long a bad release (it starts, passes its health checks, then fails requests) stays in
 * front of users, by the template's settings. The 5xx verdict needs `minimumRequestsPerMinute`
 * (10) requests a minute on the new revision's target group: with a 5 % canary that is 200 a
 * minute on the service (50 for 20 % linear steps); below it no minute counts as bad, so
 * only the circuit breaker (tasks that fail to start or fail their health checks) catches the
 * release, and the figures here do not hold. A formula, not a measurement: README and
 * docs/figures.md quote it, and a test recomputes it from the synthesized template.
 */
export interface ReleaseSafetyEstimate {
  /**
   * Seconds from the first request the new revision answers to its deployment alarm going off:
   * datapoints to alarm × period + the assumed metric delay (60 s). Undefined without alarms: no
   * alarm detects such a release, only a person.
   */
  readonly detectSeconds?: number;
  /**
   * Seconds ECS keeps watching the alarms once the new revision has all the traffic: with rolling,
   * the bake ECS derives from the alarms (evaluation periods × period); with canary, linear and
   * blue/green, the bake time. `detectSeconds` fits in it. Undefined without alarms.
   */
  readonly watchSeconds?: number;
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
