import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkAdditionalSecurityGroups } from '../cluster/task-subnets';
import { validateTaskOptions } from '../task-definition/task-validation';
import { checkDurationSeconds, checkOneOf, checkPattern, checkRange, fail, failWithText } from '../validation/checks';
import { claimUniqueName } from '../validation/unique-names';
import type { OneOffTaskProps } from './one-off-task';
import type { ScheduledTaskProps } from './scheduled-task';
import { TaskSchedule, TaskScheduleConfig } from './task-schedule';

/** Internal checks of lib/task: not exported from lib/task/index.ts. */

/** The checks of a OneOffTask's props, under `scope` (the construct the user created). */
export function validateOneOffTask(scope: IConstruct, props: OneOffTaskProps): void {
  if (!props.cluster) fail(scope, 'cluster', props.cluster, 'is missing', 'give a ServiceCluster');
  // Task props are the user's props of this construct: name this construct, not the Task child.
  validateTaskOptions(scope, props, '', props.ec2Capacity, props.managedInstancesCapacity);
  checkAdditionalSecurityGroups(scope, props.additionalSecurityGroups, 1, 'the task\'s own group');
  if (props.fargateSpot !== undefined && typeof props.fargateSpot !== 'boolean') {
    fail(scope, 'fargateSpot', props.fargateSpot, 'is not a boolean', 'use true or false');
  }
  for (const [prop, capacity] of [['ec2Capacity', props.ec2Capacity], ['managedInstancesCapacity', props.managedInstancesCapacity]] as const) {
    if (!capacity) continue;
    if (capacity.cluster !== props.cluster) {
      fail(scope, prop, capacity.node.path, `belongs to the cluster ${capacity.cluster.node.path}, not to the task's cluster ${props.cluster.node.path}`,
        'add the capacity to the task\'s cluster, or run the task in the capacity\'s cluster');
    }
    if (props.fargateSpot) {
      fail(scope, 'fargateSpot', true, `cannot be combined with ${prop}: a run names one capacity provider, and ECS does not mix Fargate and instance providers`,
        `leave fargateSpot out to run on ${prop}${prop === 'managedInstancesCapacity' ? ' (give the capacity spot: true for Spot instances)' : ''}, or leave ${prop} out to run on Fargate Spot`);
    }
  }
  // Service-managed EBS volumes are configured on a service; EventBridge Scheduler's ECS target has
  // no volume configuration, so a task cannot take one.
  const ebsVolume = (props as { ebsVolume?: unknown }).ebsVolume;
  if (ebsVolume !== undefined) {
    fail(scope, 'ebsVolume', ebsVolume, 'is only for services: EventBridge Scheduler\'s ECS target cannot configure a volume at launch',
      'leave ebsVolume out; give the task ephemeralStorageSize (Fargate) for scratch space, or keep data in S3 or EFS');
  }
}

/**
 * The checks of a ScheduledTask's props (the task's own included). Returns the bound schedule,
 * so the expression is built once.
 */
export function validateScheduledTask(scope: IConstruct, props: ScheduledTaskProps): TaskScheduleConfig {
  validateOneOffTask(scope, props);
  if (!(props.schedule instanceof TaskSchedule)) {
    fail(scope, 'schedule', props.schedule, 'is not a TaskSchedule',
      'use TaskSchedule.cron({ hour: \'2\', timeZone: TimeZone.EUROPE_BERLIN }), TaskSchedule.rate(Duration.hours(1)) or TaskSchedule.at(date)');
  }
  const schedule = props.schedule.bind(scope);
  // The Scheduler's retry policy limits.
  checkRange(scope, 'retryAttempts', props.retryAttempts, 0, 185);
  checkRange(scope, 'rerunFailedRuns', props.rerunFailedRuns, 0, 99);
  // A Standard workflow's execution lasts at most a year.
  checkDurationSeconds(scope, 'runTimeout', props.runTimeout, 1, 31_536_000);
  checkDurationSeconds(scope, 'maxEventAge', props.maxEventAge, 60, 86_400);
  if (props.flexibleTimeWindow !== undefined) {
    checkDurationSeconds(scope, 'flexibleTimeWindow', props.flexibleTimeWindow, 60, 86_400);
    if (!props.flexibleTimeWindow.isUnresolved() && props.flexibleTimeWindow.toSeconds() % 60 !== 0) {
      fail(scope, 'flexibleTimeWindow', props.flexibleTimeWindow, 'is not a whole number of minutes', 'use Duration.minutes(1) to Duration.minutes(1440)');
    }
  }
  if (props.deadLetterQueueRemovalPolicy !== undefined && props.deadLetterQueue !== undefined) {
    fail(scope, 'deadLetterQueueRemovalPolicy', props.deadLetterQueueRemovalPolicy, 'only applies to the queue this construct creates',
      'leave it out when you give deadLetterQueue (your queue keeps its own removal policy)');
  }
  // SQS queues cannot be snapshotted: SNAPSHOT fails the stack delete.
  checkOneOf(scope, 'deadLetterQueueRemovalPolicy', props.deadLetterQueueRemovalPolicy,
    [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]);
  checkPattern(scope, 'scheduleName', props.scheduleName, /^[0-9a-zA-Z_.-]{1,64}$/, 'use 1–64 letters, digits, hyphens, underscores and dots');
  if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 512) {
    failWithText(scope, 'description', `${JSON.stringify(props.description.slice(0, 20))}… (${props.description.length} characters)`, 'is too long', 'use at most 512 characters');
  }
  if (props.enabled !== undefined && typeof props.enabled !== 'boolean') {
    fail(scope, 'enabled', props.enabled, 'is not a boolean', 'use true or false');
  }
  // Schedule names are unique per schedule group; ScheduledTask puts its schedule in the default group.
  claimUniqueName(scope, 'scheduleName', props.scheduleName, 'EventBridge Scheduler schedule name', 'schedule group "default"');
  return schedule;
}
