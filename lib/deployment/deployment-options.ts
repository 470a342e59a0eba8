import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStrategy } from './deployment-strategy';

/**
 * The alarms ECS watches during a deployment: when one goes to ALARM, ECS rolls the deployment
 * back. A WebService gets one on its target group(s), a WorkerService with a queue up to two on
 * its queue; add your own with `additionalAlarms`. None of them goes off during a healthy start
 * of up to 3 minutes, and each can go off inside the time ECS watches.
 */
export interface DeploymentAlarmOptions {
  /**
   * Create the library's deployment alarms. `false` creates none (your `additionalAlarms` are
   * still watched).
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * More alarms ECS watches during deployments, with the same rollback. An alarm whose name is
   * a token that depends on the service (an alarm on `service.metricCpuUtilization()` without an
   * explicit `alarmName`) makes a circular dependency: give such alarms an explicit `alarmName`.
   *
   * @default - none
   */
  readonly additionalAlarms?: cloudwatch.IAlarm[];
  /**
   * WebService: the share of requests answered with a 5xx by the tasks (HTTPCode_Target_5XX_Count
   * over RequestCount, per target group) above which a minute counts as bad, in percent (0.1–100).
   *
   * @default 1 (ECS Express Mode's threshold)
   */
  readonly errorRatePercent?: number;
  /**
   * WebService: minutes with fewer requests than this on a target group count as good, so an
   * idle service's one failed request cannot roll a release back.
   *
   * @default 10
   */
  readonly minimumRequestsPerMinute?: number;
  /**
   * WebService: minutes with fewer 5xx than this on a target group count as good, whatever their
   * share: at 50 requests a minute a single stray 5xx is 2 %, and with a 0.5 % baseline one
   * healthy minute in five would have one.
   *
   * @default 3
   */
  readonly minimumErrorsPerMinute?: number;
  /**
   * How many bad minutes, among the last `evaluationPeriods`, set an alarm off (1 to
   * `evaluationPeriods`; the WebService's alarm, and the threshold every other alarm of the
   * library starts from). The detection time is this many minutes plus about a minute of metric
   * delay.
   *
   * @default 2 (as ECS Express Mode)
   */
  readonly datapointsToAlarm?: number;
  /**
   * How many recent minutes the alarms look at (2–10). ECS watches a rolling deployment's alarms
   * for a bake time it derives from the alarms' own configuration (about this many minutes after
   * the new tasks replaced the old ones), so an alarm must be able to go off within it:
   * `datapointsToAlarm` minutes plus a minute of metric delay must fit, or synth fails. A longer
   * window also makes `cdk deploy` wait longer for a rolling deployment to complete.
   *
   * @default 5
   */
  readonly evaluationPeriods?: number;
  /**
   * WorkerService with a queue: how long messages may wait while no task holds any (none in
   * flight) before the release counts as stalled: a release that stopped consuming. It also
   * covers a healthy start: the gap between the old tasks stopping and the new ones receiving.
   * A backlog that waited before the deployment does not count while the tasks consume it.
   * 1 minute to 1 hour.
   *
   * @default Duration.minutes(3)
   */
  readonly maxMessageAge?: Duration;
}

/**
 * A Lambda function ECS runs at chosen stages of a canary, linear or blue/green deployment. It
 * answers `hookStatus` SUCCEEDED, FAILED (ECS rolls back) or IN_PROGRESS (ECS asks again).
 */
export interface DeploymentLifecycleHook {
  /** The function ECS invokes. */
  readonly handler: lambda.IFunction;
  /** The stages at which ECS invokes it: at least one, each once. */
  readonly stages: ecs.DeploymentLifecycleStage[];
  /**
   * The role ECS assumes to invoke the function.
   *
   * @default - a role that may invoke `handler` only
   */
  readonly role?: iam.IRole;
}

/**
 * How a service releases a new revision: the strategy, the alarms that roll a bad release back,
 * and lifecycle hooks.
 */
export interface DeploymentOptions {
  /**
   * Rolling, canary, linear or blue/green.
   *
   * @default DeploymentStrategy.rolling()
   */
  readonly strategy?: DeploymentStrategy;
  /**
   * The deployment alarms (rollback on alarm).
   *
   * @default - the library's alarms, on, with their default thresholds
   */
  readonly alarms?: DeploymentAlarmOptions;
  /**
   * Lambda functions ECS runs at deployment stages (canary, linear and blue/green only).
   *
   * @default - none
   */
  readonly lifecycleHooks?: DeploymentLifecycleHook[];
}
