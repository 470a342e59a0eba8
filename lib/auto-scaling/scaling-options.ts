import { Duration, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';

/**
 * Task-count auto scaling of a service. When scaling is on, the service's desired count is
 * left to it, so a deploy never resets a scaled-out service to its initial count.
 *
 * When no target (`targetCpuPercent`, `targetMemoryPercent`, `requestsPerTarget`) is given,
 * the service tracks 70 % CPU.
 */
export interface ScalingOptions {
  /**
   * The fewest tasks. 0 lets a service scale to nothing (only schedules bring it back).
   *
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * The most tasks.
   *
   * @default 4
   */
  readonly maxCapacity?: number;

  /**
   * Keep the service's average CPU utilization near this percentage.
   *
   * @default 70 when no other target is given; otherwise no CPU tracking
   */
  readonly targetCpuPercent?: number;

  /**
   * Keep the service's average memory utilization near this percentage.
   *
   * @default - no memory tracking
   */
  readonly targetMemoryPercent?: number;

  /**
   * Keep the load balancer's requests per task per minute near this number.
   * Only for services behind a load balancer.
   *
   * @default - no request-count tracking
   */
  readonly requestsPerTarget?: number;

  /**
   * Wait after a scale-in before the next one, so a dip does not remove capacity twice.
   *
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * Wait after a scale-out before the next one.
   *
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * Capacity changes on a schedule (office hours, nightly batch).
   *
   * @default - none
   */
  readonly schedules?: ScheduledCapacity[];
}

/**
 * A scheduled change of a service's minimum and/or maximum task count.
 */
export interface ScheduledCapacity {
  /**
   * A name for the scheduled action, unique within the service: it becomes part of the logical id.
   */
  readonly name: string;

  /**
   * When to apply the change: `appscaling.Schedule.cron({ hour: '8', minute: '0' })`,
   * `Schedule.rate(...)` or `Schedule.at(...)`.
   */
  readonly schedule: appscaling.Schedule;

  /**
   * The new minimum task count.
   *
   * @default - unchanged
   */
  readonly minCapacity?: number;

  /**
   * The new maximum task count.
   *
   * @default - unchanged
   */
  readonly maxCapacity?: number;

  /**
   * The time zone of a cron schedule, e.g. `TimeZone.EUROPE_BERLIN`.
   *
   * @default - UTC
   */
  readonly timeZone?: TimeZone;
}
