import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStrategy } from './deployment-strategy';

/**
 * The alarms ECS watches during a deployment: when one goes to ALARM, ECS rolls the deployment
 * back. A WebService gets two on its own target group(s), a WorkerService with a queue two on
 * its queue; add your own with `additionalAlarms`.
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
   * Consecutive bad minutes before an alarm goes to ALARM (1–10): the detection time is this
   * many minutes plus about a minute of metric delay.
   *
   * @default 2 (as ECS Express Mode)
   */
  readonly evaluationPeriods?: number;
  /**
   * WorkerService with a queue: the age of the oldest waiting message above which a minute
   * counts as bad (a release that stops consuming lets it grow). 1 minute to 14 days.
   *
   * @default Duration.minutes(10)
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
