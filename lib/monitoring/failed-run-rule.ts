import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ScheduledTask } from '../task/scheduled-task';

/**
 * The rule the failed-runs alarm counts (child `FailedRunRule` of `scope`): the ECS "Task State
 * Change" events of `task`'s runs that stopped with a failure or failed to start. With a topic,
 * the events go to it too. Internal.
 */
export function createFailedRunRule(scope: Construct, task: ScheduledTask, topic: sns.ITopic | undefined): events.Rule {
  const rule = new events.Rule(scope, 'FailedRunRule', {
    description: `Runs of ${task.node.path} that stopped with a non-zero exit code or failed to start`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: {
        clusterArn: [task.cluster.clusterArn],
        // RunTask's default group, which the Scheduler (and runTaskCommand) leave in place.
        group: [`family:${task.taskDefinition.family}`],
        lastStatus: ['STOPPED'],
        $or: failedRunConditions(task.oneOffTask.serviceTaskDefinition.sidecars.length > 0),
      },
    },
  });
  if (topic) {
    // The person also gets the event itself: which task, its exit code and stopped reason.
    rule.addTarget(new targets.SnsTopic(topic));
  }
  return rule;
}

/**
 * What makes a stopped run a failed one. EventBridge matches each field of `containers` against
 * any element, so it cannot ask for "the main container's exit code". Without sidecars any
 * non-zero exit code fails the run. With sidecars, ECS stops them when the main container exits
 * (SIGTERM, then SIGKILL: exit codes 143 and 137) even after a success, so those two codes are
 * left out; a container the kernel killed for memory still counts through its reason.
 */
function failedRunConditions(hasSidecars: boolean): Array<Record<string, unknown>> {
  const stoppedByEcs = hasSidecars ? [0, 137, 143] : [0];
  return [
    { containers: { exitCode: [{ 'anything-but': stoppedByEcs.length === 1 ? 0 : stoppedByEcs }] } },
    ...(hasSidecars ? [{ containers: { reason: [{ prefix: 'OutOfMemoryError' }] } }] : []),
    { stopCode: ['TaskFailedToStart'] },
  ];
}
