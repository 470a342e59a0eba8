import { Duration } from 'aws-cdk-lib';

/**
 * The settings of one operational alarm. Every field is optional: what is left out keeps the
 * library's default for that alarm (see each alarm's TSDoc and the README's defaults table).
 */
export interface AlarmSettings {
  /**
   * Create this alarm. `false` leaves it out (and its cost).
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The value the alarm compares the metric with, in the alarm's unit (percent, seconds, tasks,
   * messages: the unit is in the name of the option that holds these settings).
   *
   * @default - the alarm's own default (README defaults table)
   */
  readonly threshold?: number;

  /**
   * The length of one datapoint: a whole number of minutes, 1 minute to 1 day.
   *
   * @default - the alarm's own default (1 minute for service metrics, 5 minutes for queues)
   */
  readonly period?: Duration;

  /**
   * How many of the latest datapoints the alarm looks at, 1–1440 (and `period` × this at most 1 day).
   *
   * @default - the alarm's own default
   */
  readonly evaluationPeriods?: number;

  /**
   * How many of those datapoints must breach for the alarm to fire, 1 to `evaluationPeriods`.
   *
   * @default - `evaluationPeriods` (every datapoint must breach)
   */
  readonly datapointsToAlarm?: number;
}

/**
 * The operational alarms every service gets (web service or worker). Each one pages a person
 * (through the monitoring's notifications); none of them rolls a deployment back.
 */
export interface ServiceAlarmOptions {
  /**
   * Average CPU utilization of the service's tasks (AWS/ECS CPUUtilization), in percent of the
   * task's CPU, above `threshold`.
   *
   * @default - on: above 90 % in 5 of 5 one-minute datapoints
   */
  readonly cpuPercent?: AlarmSettings;

  /**
   * Average memory utilization of the service's tasks (AWS/ECS MemoryUtilization), in percent of
   * the task's memory, above `threshold`. A task at 100 % is killed.
   *
   * @default - on: above 90 % in 5 of 5 one-minute datapoints
   */
  readonly memoryPercent?: AlarmSettings;

  /**
   * Running tasks below the desired count by at least `threshold` tasks
   * (ECS/ContainerInsights DesiredTaskCount − RunningTaskCount). Needs Container Insights on
   * the cluster: without it the alarm is left out with the warning
   * `ecs-service-kit:monitoring-no-container-insights`, and asking for it explicitly is an error.
   *
   * @default - on (with Container Insights): 1 task or more missing in 5 of 5 one-minute datapoints
   */
  readonly runningTasksBelowDesired?: AlarmSettings;
}

/**
 * The operational alarms of a WebService: the service alarms plus its target group's.
 */
export interface WebServiceAlarmOptions extends ServiceAlarmOptions {
  /**
   * 5xx responses of the service's targets in percent of its requests
   * (`100 × HTTPCode_Target_5XX_Count / RequestCount` of its target group; 0 without requests).
   * Left out when an alarm under the service already watches HTTPCode_Target_5XX_Count of this
   * target group (for example its deployment alarm): that one then gets the notifications.
   *
   * @default - on: above 5 % in 5 of 5 one-minute datapoints
   */
  readonly http5xxPercent?: AlarmSettings;

  /**
   * The 99th percentile of the target response time (TargetResponseTime p99 of the target
   * group), in seconds, above `threshold`.
   *
   * @default - on: above 2 seconds in 5 of 5 one-minute datapoints
   */
  readonly p99ResponseTimeSeconds?: AlarmSettings;

  /**
   * Unhealthy targets (UnHealthyHostCount Maximum of the target group) at or above `threshold`.
   * Left out when an alarm under the service already watches UnHealthyHostCount of this target
   * group (for example its deployment alarm): that one then gets the notifications.
   *
   * @default - on: 1 or more in 5 of 5 one-minute datapoints
   */
  readonly unhealthyHosts?: AlarmSettings;
}

/**
 * The operational alarms of a NetworkService: the service alarms plus its unhealthy targets (a
 * Network Load Balancer reports no request outcomes or response times).
 */
export interface NetworkServiceAlarmOptions extends ServiceAlarmOptions {
  /**
   * Unhealthy targets (AWS/NetworkELB UnHealthyHostCount Maximum of the target group) at or
   * above `threshold`. Left out when an alarm under the service already watches
   * UnHealthyHostCount of this target group: that one then gets the notifications.
   *
   * @default - on: 1 or more in 5 of 5 one-minute datapoints
   */
  readonly unhealthyHosts?: AlarmSettings;
}

/**
 * The operational alarms of a WorkerService: the service alarms plus its queues'.
 */
export interface WorkerServiceAlarmOptions extends ServiceAlarmOptions {
  /**
   * Messages waiting in the worker's dead-letter queue (ApproximateNumberOfMessagesVisible
   * Maximum) at or above `threshold`: jobs that failed `maxReceiveCount` times and need a person.
   * Only with a created queue (`queue`); left out when an alarm under the worker already watches
   * this metric of the dead-letter queue.
   *
   * @default - on: 1 message or more in 1 of 1 five-minute datapoint
   */
  readonly deadLetterMessages?: AlarmSettings;

  /**
   * The age of the oldest message in the worker's queue (ApproximateAgeOfOldestMessage Maximum),
   * in seconds, at or above `threshold`: the workers do not keep up, or do not consume at all.
   * With a queue (`queue` or `existingQueue`); left out when an alarm under the worker already
   * watches this metric of the queue.
   *
   * @default - on: 600 seconds or more in 3 of 3 five-minute datapoints
   */
  readonly oldestMessageAgeSeconds?: AlarmSettings;
}

/**
 * The operational alarms of a ScheduledTask.
 */
export interface ScheduledTaskAlarmOptions {
  /**
   * Runs that started and then failed: an EventBridge rule matches the ECS "Task State Change"
   * events of this task definition family in its cluster that stopped with a container exit
   * code other than 0, or failed to start (`stopCode` TaskFailedToStart); the alarm watches the
   * rule's TriggeredRules count at or above `threshold`.
   *
   * @default - on: 1 failed run or more in 1 of 1 five-minute datapoint
   */
  readonly failedRuns?: AlarmSettings;

  /**
   * With a state machine (`rerunFailedRuns`, `runTimeout`): its executions that failed after
   * their re-runs, timed out or were aborted (AWS/States ExecutionsFailed + ExecutionsTimedOut +
   * ExecutionsAborted, Sum) at or above `threshold`. It sees what `failedRuns` cannot: a run
   * whose task could not start (Step Functions' RunTask fails, so no task event) and a run that
   * was stopped at its time limit and exited 0. `failedRuns` still counts each failed attempt.
   *
   * @default - on when the task has a state machine: 1 or more in 1 of 1 five-minute datapoint
   */
  readonly failedExecutions?: AlarmSettings;

  /**
   * Runs the Scheduler could not start after its retries, waiting in the schedule's dead-letter
   * queue (ApproximateNumberOfMessagesVisible Maximum) at or above `threshold`.
   *
   * @default - on: 1 message or more in 1 of 1 five-minute datapoint
   */
  readonly deadLetterMessages?: AlarmSettings;
}

/**
 * The operational alarms of a ServiceLoadBalancer.
 */
export interface LoadBalancerAlarmOptions {
  /**
   * 5xx responses the load balancer generated itself (HTTPCode_ELB_5XX_Count: 502 from a target
   * that closed the connection, 503 with no healthy target, 504 on a timeout) in percent of its
   * requests. Target 5xx are the services' alarms.
   *
   * @default - on: above 5 % in 5 of 5 one-minute datapoints
   */
  readonly elb5xxPercent?: AlarmSettings;
}
