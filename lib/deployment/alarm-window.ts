import { Defaults } from '../defaults';

/**
 * The time ECS watches a deployment alarm, and the time the alarm needs to go off, from the
 * alarm's configuration alone. Internal: the services' validation, the release-safety estimate
 * and the deploy check ESK-ECS7 (which reads any app's template) share it.
 *
 * ECS documents that, with deployment alarms, it keeps watching them for a bake time after the
 * new revision has scaled out and the old one in, and that it computes this time from the alarms'
 * configuration (Amazon ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment
 * failures"). The formula is not published; AWS's announcement describes it as derived from the
 * alarms' period and evaluation periods. We take evaluation periods × period, the time the alarm
 * itself looks back over: the window in which an alarm that needs `datapointsToAlarm` bad periods,
 * plus the delay before a period's datapoint reaches the alarm, must go off.
 */

/** What an alarm's timing is made of, in the template's words. */
export interface AlarmTiming {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** CloudWatch's DatapointsToAlarm; absent means EvaluationPeriods. */
  readonly datapointsToAlarm?: number;
}

/** Seconds ECS keeps watching the alarm after a rolling deployment's tasks are replaced. */
export function ecsWatchSeconds(timing: AlarmTiming): number {
  return timing.evaluationPeriods * timing.periodSeconds;
}

/**
 * Seconds from the first bad period to the alarm going off: `datapointsToAlarm` periods plus the
 * assumed delay of a datapoint (one minute: ELB, SQS and ECS metrics reach CloudWatch about a
 * minute after the minute they describe).
 */
export function detectionSeconds(timing: AlarmTiming, metricDelaySeconds: number = Defaults.assumedMetricDelaySeconds): number {
  return (timing.datapointsToAlarm ?? timing.evaluationPeriods) * timing.periodSeconds + metricDelaySeconds;
}

/** Whether the alarm can go off inside the window ECS watches. */
export function goesOffInsideWatch(timing: AlarmTiming): boolean {
  return detectionSeconds(timing) <= ecsWatchSeconds(timing);
}

/**
 * An alarm's timing from its CloudFormation properties (`AWS::CloudWatch::Alarm`), or undefined
 * where a value is not a literal number. The period of a metric-math alarm is its expression's,
 * else the longest of the metrics it reads.
 */
export function alarmTimingOf(properties: Record<string, unknown>): AlarmTiming | undefined {
  interface MetricQuery { readonly Period?: unknown; readonly MetricStat?: { readonly Period?: unknown } }
  const metrics: MetricQuery[] = Array.isArray(properties.Metrics) ? properties.Metrics as MetricQuery[] : [];
  const periods = [properties.Period, ...metrics.map((m) => m.Period), ...metrics.map((m) => m.MetricStat?.Period)]
    .filter((p): p is number => typeof p === 'number');
  const evaluationPeriods = properties.EvaluationPeriods;
  const datapointsToAlarm = properties.DatapointsToAlarm;
  if (periods.length === 0 || typeof evaluationPeriods !== 'number') return undefined;
  if (datapointsToAlarm !== undefined && typeof datapointsToAlarm !== 'number') return undefined;
  return { periodSeconds: Math.max(...periods), evaluationPeriods, datapointsToAlarm };
}
