import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Defaults } from '../defaults';
import { AlarmSettings } from './alarm-settings';
import { elb5xxPercent, maxOverGroups, target5xxPercent, tasksBelowDesired, triggeredRules } from './metric-factory';

/**
 * One kind of operational alarm: its defaults, and how to build its metric from what it watches
 * (`S`: a service, target groups, a queue...). Internal.
 */
export interface AlarmKind<S> {
  /** The alarm's child id is `${id}Alarm`. */
  readonly id: string;
  /** The option that holds its settings (error messages name it). */
  readonly prop: string;
  readonly threshold: number;
  readonly thresholdMax: number;
  /** Whether the threshold must be a whole number (counts). */
  readonly integer: boolean;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** What is measured, given the monitored construct's path; the engine adds comparison, threshold and datapoints. */
  readonly description: (path: string) => string;
  readonly metric: (source: S, period: Duration) => cloudwatch.IMetric;
}

/** One alarm the monitoring may create: a kind bound to what it watches and the user's settings. */
export interface AlarmSpec extends Omit<AlarmKind<unknown>, 'description' | 'metric'> {
  readonly settings: AlarmSettings | undefined;
  readonly description: string;
  readonly metric: (period: Duration) => cloudwatch.IMetric;
}

/** Binds a kind to its source, the monitored construct's path and the settings given for it. */
export function alarmSpec<S>(kind: AlarmKind<S>, source: S, path: string, settings: AlarmSettings | undefined): AlarmSpec {
  return { ...kind, settings, description: kind.description(path), metric: (period) => kind.metric(source, period) };
}

function kind<S>(spec: AlarmKind<S>): AlarmKind<S> {
  return spec;
}

const ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const AT_OR_ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

/**
 * Every operational alarm kind. Thresholds, periods and evaluation periods come from `Defaults`
 * (the README's defaults table); `thresholdMax` is the largest threshold a user may set.
 */
export const AlarmCatalog = {
  cpu: kind<ecs.BaseService>({
    id: 'Cpu', prop: 'cpuPercent', threshold: Defaults.monitoringCpuPercent, thresholdMax: 100, integer: false,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: ABOVE,
    description: (path) => `average CPU utilization of ${path} in percent`,
    metric: (service, period) => service.metricCpuUtilization({ statistic: 'Average', period }),
  }),
  memory: kind<ecs.BaseService>({
    id: 'Memory', prop: 'memoryPercent', threshold: Defaults.monitoringMemoryPercent, thresholdMax: 100, integer: false,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: ABOVE,
    description: (path) => `average memory utilization of ${path} in percent`,
    metric: (service, period) => service.metricMemoryUtilization({ statistic: 'Average', period }),
  }),
  runningTasks: kind<ecs.BaseService>({
    id: 'RunningTasks', prop: 'runningTasksBelowDesired', threshold: Defaults.monitoringTasksBelowDesired, thresholdMax: 5000, integer: true,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: AT_OR_ABOVE,
    description: (path) => `tasks of ${path} missing: desired minus running`,
    metric: tasksBelowDesired,
  }),
  http5xx: kind<elbv2.IApplicationTargetGroup[]>({
    id: 'Http5xx', prop: 'http5xxPercent', threshold: Defaults.monitoringHttp5xxPercent, thresholdMax: 100, integer: false,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: ABOVE,
    description: (path) => `5xx responses of ${path} in percent of its requests`,
    metric: target5xxPercent,
  }),
  p99ResponseTime: kind<elbv2.IApplicationTargetGroup[]>({
    id: 'P99ResponseTime', prop: 'p99ResponseTimeSeconds', threshold: Defaults.monitoringP99ResponseTimeSeconds, thresholdMax: 3600, integer: false,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: ABOVE,
    description: (path) => `p99 target response time of ${path} in seconds`,
    metric: (groups, period) => maxOverGroups(groups, 'p99', (group) => group.metrics.targetResponseTime({ statistic: 'p99', period }), period),
  }),
  unhealthyHosts: kind<elbv2.IApplicationTargetGroup[]>({
    id: 'UnhealthyHosts', prop: 'unhealthyHosts', threshold: Defaults.monitoringUnhealthyHosts, thresholdMax: 1000, integer: true,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: AT_OR_ABOVE,
    description: (path) => `unhealthy targets of ${path}`,
    metric: (groups, period) => maxOverGroups(groups, 'unhealthy', (group) => group.metrics.unhealthyHostCount({ statistic: 'Maximum', period }), period),
  }),
  /** A network service's target group (AWS/NetworkELB): the same alarm as the web service's. */
  networkUnhealthyHosts: kind<elbv2.INetworkTargetGroup>({
    id: 'UnhealthyHosts', prop: 'unhealthyHosts', threshold: Defaults.monitoringUnhealthyHosts, thresholdMax: 1000, integer: true,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: AT_OR_ABOVE,
    description: (path) => `unhealthy targets of ${path}`,
    metric: (group, period) => group.metrics.unHealthyHostCount({ statistic: 'Maximum', period }),
  }),
  oldestMessageAge: kind<sqs.IQueue>({
    id: 'OldestMessageAge', prop: 'oldestMessageAgeSeconds', threshold: Defaults.monitoringOldestMessageAgeSeconds, thresholdMax: 14 * 86400, integer: true,
    period: Defaults.monitoringQueuePeriod, evaluationPeriods: Defaults.monitoringOldestMessageEvaluationPeriods, comparison: AT_OR_ABOVE,
    description: (path) => `age of the oldest message in the queue of ${path} in seconds`,
    metric: (queue, period) => queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period }),
  }),
  workerDeadLetterMessages: kind<sqs.IQueue>({
    id: 'DeadLetterMessages', prop: 'deadLetterMessages', threshold: Defaults.monitoringDeadLetterMessages, thresholdMax: 1_000_000, integer: true,
    period: Defaults.monitoringQueuePeriod, evaluationPeriods: 1, comparison: AT_OR_ABOVE,
    description: (path) => `messages in the dead-letter queue of ${path}`,
    metric: (queue, period) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
  }),
  /** A schedule's dead-letter queue: the worker's alarm, said of runs. */
  scheduleDeadLetterMessages: kind<sqs.IQueue>({
    id: 'DeadLetterMessages', prop: 'deadLetterMessages', threshold: Defaults.monitoringDeadLetterMessages, thresholdMax: 1_000_000, integer: true,
    period: Defaults.monitoringQueuePeriod, evaluationPeriods: 1, comparison: AT_OR_ABOVE,
    description: (path) => `runs of ${path} the Scheduler could not start`,
    metric: (queue, period) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
  }),
  /** Its source is read when the alarm is made: the rule is created after the settings are validated, and only when the alarm is on. */
  failedRuns: kind<() => events.IRule>({
    id: 'FailedRuns', prop: 'failedRuns', threshold: Defaults.monitoringFailedRuns, thresholdMax: 10_000, integer: true,
    period: Defaults.monitoringQueuePeriod, evaluationPeriods: 1, comparison: AT_OR_ABOVE,
    description: (path) => `failed runs of ${path}`,
    metric: (rule, period) => triggeredRules(rule(), period),
  }),
  /** A schedule's state machine (`rerunFailedRuns`, `runTimeout`): what the failed-run rule and the dead-letter queue cannot see. */
  failedExecutions: kind<sfn.IStateMachine>({
    id: 'FailedExecutions', prop: 'failedExecutions', threshold: Defaults.monitoringFailedRuns, thresholdMax: 10_000, integer: true,
    period: Defaults.monitoringQueuePeriod, evaluationPeriods: 1, comparison: AT_OR_ABOVE,
    description: (path) => `runs of ${path} that failed after their re-runs, timed out or were aborted (executions of its state machine)`,
    metric: (machine, period) => new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: machine.metricFailed({ statistic: 'Sum', period }),
        timedOut: machine.metricTimedOut({ statistic: 'Sum', period }),
        aborted: machine.metricAborted({ statistic: 'Sum', period }),
      },
      period,
      label: 'failed, timed-out and aborted executions',
    }),
  }),
  elb5xx: kind<elbv2.IApplicationLoadBalancerMetrics>({
    id: 'Elb5xx', prop: 'elb5xxPercent', threshold: Defaults.monitoringHttp5xxPercent, thresholdMax: 100, integer: false,
    period: Defaults.monitoringServicePeriod, evaluationPeriods: Defaults.monitoringServiceEvaluationPeriods, comparison: ABOVE,
    description: (path) => `5xx responses generated by ${path} in percent of its requests`,
    metric: elb5xxPercent,
  }),
};
