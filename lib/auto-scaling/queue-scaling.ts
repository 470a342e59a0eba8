import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Names, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { checkRange, fail } from '../validation/checks';
import { ScalingOptions } from './scaling-options';

/**
 * Queue-backlog scaling of a queue consumer: target tracking on the messages outstanding
 * (waiting + in flight) per running task. Internal helpers, not exported from index.ts.
 *
 * Why this shape:
 * - Target tracking, not step scaling: it sizes the fleet in proportion to the backlog and
 *   scales in by itself. aws-cdk-lib's `scaleToTrackCustomMetric` accepts only a plain metric
 *   (it throws for a MathExpression), but CloudFormation's CustomizedMetricSpecification takes
 *   `Metrics` with a math expression, so the policy is written at L1 on the task count's target.
 * - Waiting + in flight (`ApproximateNumberOfMessagesVisible + …NotVisible`), not visible only:
 *   a busy worker takes messages out of "visible", so a policy watching only that would scale in
 *   while the backlog is still being processed. It does not choose which task stops: ECS stops
 *   any task on scale-in (SIGTERM, SIGKILL after stopTimeout); jobs that must not be cut need ECS
 *   task scale-in protection, set by the app.
 * - Divided by ECS/ContainerInsights RunningTaskCount (the AWS-documented recipe for ECS):
 *   needs Container Insights on the cluster, and at least one running task (0 tasks make the
 *   ratio undefined, and target tracking would never scale out from zero).
 */

/** The prop names the owning construct uses, for error messages. */
export interface QueueScalingPropNames {
  readonly backlogPerTask: string;
  readonly scaling: string;
  readonly queue: string;
}

/** Checks a backlog-per-task target against the service's scaling, queue and cluster. */
export function validateQueueScaling(
  scope: IConstruct, backlogPerTask: number | undefined, scaling: ScalingOptions | undefined,
  hasQueue: boolean, containerInsights: boolean, names: QueueScalingPropNames,
): void {
  if (backlogPerTask === undefined) return;
  checkRange(scope, names.backlogPerTask, backlogPerTask, 1, 100_000);
  if (!scaling) {
    fail(scope, names.backlogPerTask, backlogPerTask, `needs ${names.scaling}`, `give ${names.scaling} (at least maxCapacity) so the task count can follow the backlog`);
  }
  if (!hasQueue) {
    fail(scope, names.backlogPerTask, backlogPerTask, 'needs a queue to measure', `give ${names.queue}, or scale on CPU or memory only`);
  }
  const min = scaling.minCapacity ?? Defaults.minCapacity;
  if (!Token.isUnresolved(min) && min < 1) {
    fail(scope, `${names.scaling}.minCapacity`, min, `with ${names.backlogPerTask} cannot scale out again: with 0 running tasks the backlog per task is undefined`,
      'keep minCapacity at 1 or more with backlogPerTask');
  }
  if (!containerInsights) {
    fail(scope, names.backlogPerTask, backlogPerTask, 'needs Container Insights on the cluster (the ECS/ContainerInsights RunningTaskCount metric)',
      'create the ServiceCluster with containerInsights left on, or scale on CPU or memory only');
  }
}

/**
 * Adds the backlog-per-task target tracking policy ('QueueBacklogScaling') to the task count.
 */
export function scaleOnQueueBacklog(
  taskCount: ecs.ScalableTaskCount, service: ecs.BaseService, queue: sqs.IQueue, backlogPerTask: number,
  scaling: ScalingOptions,
): appscaling.CfnScalingPolicy {
  // ScalableTaskCount keeps its target private; it is the child 'Target' (BaseScalableAttribute).
  const target = taskCount.node.findChild('Target') as appscaling.ScalableTarget;
  const queueMetric = (id: string, metricName: string) => ({
    id,
    returnData: false,
    metricStat: {
      metric: { namespace: 'AWS/SQS', metricName, dimensions: [{ name: 'QueueName', value: queue.queueName }] },
      stat: 'Sum',
    },
  });
  return new appscaling.CfnScalingPolicy(taskCount, 'QueueBacklogScaling', {
    // Unique per scalable target, as aws-cdk-lib names its own policies.
    policyName: `${Names.uniqueId(taskCount)}QueueBacklogScaling`.slice(-256),
    policyType: 'TargetTrackingScaling',
    scalingTargetId: target.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: backlogPerTask,
      scaleInCooldown: (scaling.scaleInCooldown ?? Defaults.scaleInCooldown).toSeconds(),
      scaleOutCooldown: (scaling.scaleOutCooldown ?? Defaults.scaleOutCooldown).toSeconds(),
      customizedMetricSpecification: {
        metrics: [
          queueMetric('visible', 'ApproximateNumberOfMessagesVisible'),
          queueMetric('inflight', 'ApproximateNumberOfMessagesNotVisible'),
          {
            id: 'tasks',
            returnData: false,
            metricStat: {
              metric: {
                namespace: 'ECS/ContainerInsights',
                metricName: 'RunningTaskCount',
                dimensions: [
                  { name: 'ClusterName', value: service.cluster.clusterName },
                  { name: 'ServiceName', value: service.serviceName },
                ],
              },
              stat: 'Average',
            },
          },
          { id: 'backlogPerTask', label: 'Messages waiting or in flight per running task', expression: '(visible + inflight) / tasks', returnData: true },
        ],
      },
    },
  });
}
