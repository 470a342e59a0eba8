/**
 * Internal names of the monitoring folder: not exported from any index.ts.
 */

/** Which kind of notification an AlarmNotifications is. Internal. */
export enum NotificationKind {
  NEW_TOPIC = 'NEW_TOPIC',
  TOPIC = 'TOPIC',
  ACTIONS = 'ACTIONS',
}

/** The id of the warning for a service whose cluster has Container Insights off. */
export const NO_CONTAINER_INSIGHTS_WARNING = 'ecs-service-kit:monitoring-no-container-insights';
/** The id of the warning for a found alarm in another stack that cannot get the notifications. */
export const CROSS_STACK_ALARM_WARNING = 'ecs-service-kit:monitoring-cross-stack-alarm';
