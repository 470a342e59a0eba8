import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { nagArn } from '../validation/nag';
import { OneOffTask } from './one-off-task';

/** How a state machine runs a scheduled task: re-runs of a failed run, and a time limit. */
export interface RunStateMachineOptions {
  /** Re-runs after a failed run (0 for none). */
  readonly reruns: number;
  /** The longest a run may take, its re-runs included. */
  readonly timeout?: Duration;
}

/**
 * A Step Functions state machine that runs a OneOffTask and waits for it to stop (`ecs:runTask.sync`):
 * a run whose task cannot start or has any container that exits with a non-zero code fails, and is re-run after 10 s,
 * 15 s, 22.5 s… (`Retry` on `States.ALL`, backoff 1.5), as AWS Copilot's Scheduled Jobs did; the
 * execution's `TimeoutSeconds` stops a run that takes too long (Step Functions stops its task).
 * EventBridge Scheduler's own retries only retry starting the target, not a task that failed.
 */
export function runStateMachine(scope: Construct, task: OneOffTask, options: RunStateMachineOptions): sfn.StateMachine {
  const stack = Stack.of(scope);
  const strategy = task.capacityProviderStrategy();
  const run = new sfn.CustomState(scope, 'RunTask', {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${stack.partition}:states:::ecs:runTask.sync`,
      Parameters: {
        Cluster: task.cluster.clusterArn,
        TaskDefinition: task.taskDefinition.taskDefinitionArn,
        ...(strategy.length > 0
          ? { CapacityProviderStrategy: strategy.map((s) => ({ CapacityProvider: s.capacityProvider, Weight: s.weight })) }
          : { LaunchType: 'FARGATE' }),
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: task.subnetIds,
            SecurityGroups: task.securityGroupIds,
            AssignPublicIp: task.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        PropagateTags: 'TASK_DEFINITION',
      },
      ...(options.reruns > 0
        ? { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: options.reruns, BackoffRate: 1.5 }] }
        : {}),
    },
  });
  const machine = new sfn.StateMachine(scope, 'RunStateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(run),
    timeout: options.timeout,
    // Every state change in the task's own log group; traces in X-Ray.
    logs: { destination: task.logGroup, level: sfn.LogLevel.ALL },
    tracingEnabled: true,
  });
  task.grantRun(machine.role);
  machine.addToRolePolicy(new iam.PolicyStatement({
    // runTask.sync watches the task and stops it when the execution times out; its id is known
    // only at run time, so: any task of this cluster.
    actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' })],
    conditions: { ArnEquals: { 'ecs:cluster': task.cluster.clusterArn } },
  }));
  machine.addToRolePolicy(new iam.PolicyStatement({
    // The managed rule through which Step Functions learns that the task stopped.
    actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
    resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' })],
  }));
  Validations.of(machine).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'Log delivery to CloudWatch Logs and X-Ray tracing take Resource "*" (Step Functions developer guide: "IAM policies for logging to CloudWatch Logs" and "X-Ray"); aws-cdk-lib writes these statements.',
  });
  Validations.of(machine).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(scope, 'ecs', 'task/*')}]`,
    reason: 'ecs:DescribeTasks and ecs:StopTask on the task this state machine started, whose id is known only at run time; the ecs:cluster condition limits them to this cluster\'s tasks.',
  });
  return machine;
}
