import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ecsClusterOf } from '../cluster/imported-cluster';
import { taskStartDependencies } from '../network/task-start';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { OneOffTask, OneOffTaskProps } from './one-off-task';
import { TaskSchedule } from './task-schedule';
import { runStateMachine } from './run-state-machine';
import { validateScheduledTask } from './run-validation';
import { skipCheckov } from '../validation/checkov';

/** The id of the warning for re-runs of a task with sidecars (a sidecar's exit code fails the run). */
export const RERUN_WITH_SIDECARS_WARNING = 'ecs-service-kit:rerun-with-sidecars';

/**
 * Properties of a ScheduledTask.
 */
export interface ScheduledTaskProps extends OneOffTaskProps {
  /**
   * When the task runs: `TaskSchedule.cron({ hour: '2', timeZone: TimeZone.EUROPE_BERLIN })`,
   * `TaskSchedule.rate(Duration.hours(6))` or `TaskSchedule.at(date)`.
   */
  readonly schedule: TaskSchedule;

  /**
   * How often EventBridge Scheduler retries a run that it could not start (RunTask failed:
   * throttling, no Fargate capacity, a missing permission), 0–185. A run that started and then
   * failed inside the container is not retried.
   *
   * @default 5 - rides out throttling and short capacity shortages
   */
  readonly retryAttempts?: number;

  /**
   * How long the Scheduler keeps trying to start a run before it gives up and sends the run to
   * the dead-letter queue, 60 seconds to 24 hours.
   *
   * @default Duration.hours(1) - a run that is later than that should be a person's decision
   */
  readonly maxEventAge?: Duration;

  /**
   * Where runs that could not be started go, after the retries. The Scheduler's role gets
   * `sqs:SendMessage` on it (and use of its KMS key, if it has one).
   *
   * @default - a new queue (child `DeadLetterQueue`): SQS-managed encryption, TLS only, messages kept 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * What happens to the created dead-letter queue when it leaves the stack. Only without
   * `deadLetterQueue`.
   *
   * @default RemovalPolicy.RETAIN - the record of failed runs outlives the stack, like the logs
   */
  readonly deadLetterQueueRemovalPolicy?: RemovalPolicy;

  /**
   * Whether the schedule runs. Turn it off to pause a job without deleting it.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Let the Scheduler start each run anywhere within this window after the scheduled time
   * (spreads load), 1–1440 whole minutes.
   *
   * @default - no window: each run starts at its scheduled time
   */
  readonly flexibleTimeWindow?: Duration;

  /**
   * Re-runs of a run whose task fails (cannot start, or any of its containers exits non-zero):
   * after 10 s, then 15 s, 22.5 s… (backoff 1.5), as AWS Copilot's Scheduled Jobs re-ran them.
   * With it (or `runTimeout`), the schedule starts a Step Functions state machine that runs the
   * task and waits for it to stop; `retryAttempts` then retries starting that state machine.
   *
   * @default 0 - a failed run is not re-run (the schedule's retries cover starting it only)
   */
  readonly rerunFailedRuns?: number;

  /**
   * The longest a run may take, its re-runs included: Step Functions then stops the task
   * (SIGTERM, then SIGKILL after the container's stop timeout). Whole seconds, at most a year.
   * Runs through the same state machine as `rerunFailedRuns`.
   *
   * @default - no limit
   */
  readonly runTimeout?: Duration;

  /**
   * The schedule's name: 1–64 letters, digits, hyphens, underscores and dots. Unique in its
   * schedule group (the account's `default` group): a second ScheduledTask of the app with the
   * same name in the same account and region is a synth error.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly scheduleName?: string;

  /**
   * The schedule's description (at most 512 characters).
   *
   * @default - names the task and its schedule
   */
  readonly description?: string;
}

/**
 * A OneOffTask that EventBridge Scheduler starts on a cron schedule (in a time zone), at a fixed
 * rate or once: retries for runs that could not start, a dead-letter queue for those that never
 * did, and a Scheduler role that may run only this task definition in this cluster.
 *
 * Runs can overlap when one takes longer than the interval between two: the Scheduler starts
 * each run regardless of the last. Make the job safe to run twice, or take a lock in it.
 */
export class ScheduledTask extends Construct {
  /** The one-off task the schedule starts; its `runTaskCommand` starts an extra run by hand. */
  public readonly oneOffTask: OneOffTask;
  /** The ECS task definition each run uses (same as `oneOffTask.taskDefinition`). */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container (same as `oneOffTask.container`). */
  public readonly container: ecs.ContainerDefinition;
  /** The log group the runs write to (same as `oneOffTask.logGroup`). */
  public readonly logGroup: logs.ILogGroup;
  /** The cluster the runs start in. */
  public readonly cluster: IServiceCluster;
  /** The EventBridge Scheduler schedule. */
  public readonly schedule: scheduler.Schedule;
  /** The role the Scheduler assumes to start the task. */
  public readonly role: iam.Role;
  /** Where runs that could not be started go. Put an alarm on its message count. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The schedule in words: `cron(0 2 * * ? *) in Europe/Berlin`. */
  public readonly scheduleDescription: string;
  /** The state machine that runs the task, with `rerunFailedRuns` or `runTimeout`. */
  public readonly stateMachine?: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const when = validateScheduledTask(this, props);

    this.scheduleDescription = when.description;
    const retryAttempts = props.retryAttempts ?? Defaults.scheduleRetryAttempts;
    const maxEventAge = props.maxEventAge ?? Defaults.scheduleMaxEventAge;

    this.oneOffTask = new OneOffTask(this, 'Task', props);
    this.taskDefinition = this.oneOffTask.taskDefinition;
    this.container = this.oneOffTask.container;
    this.logGroup = this.oneOffTask.logGroup;
    this.cluster = this.oneOffTask.cluster;

    if (props.deadLetterQueue) {
      this.deadLetterQueue = props.deadLetterQueue;
    } else {
      const queue = new sqs.Queue(this, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Defaults.deadLetterRetention,
        // SQS's default written out: it marks the queue as a dead-letter queue for AWS Control
        // Tower CT.SQS.PR.1 (a queue without it must have a dead-letter queue of its own).
        redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
        removalPolicy: props.deadLetterQueueRemovalPolicy ?? Defaults.deadLetterQueueRemovalPolicy,
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter queue of the schedule: failed runs end here, so it needs no dead-letter queue of its own.',
      });
      skipCheckov(queue, 'CKV_AWS_27', 'Encrypted at rest with SQS-managed SSE (SqsManagedSseEnabled), which this check does not recognise (it looks only for a KMS key); give deadLetterQueue for a queue with a customer-managed key.');
      this.deadLetterQueue = queue;
    }

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'SchedulerRole', {
      description: `Lets EventBridge Scheduler start ${this.node.path}`,
      // Only schedules of this account's default group may assume it (confused-deputy guard).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    this.oneOffTask.grantRun(this.role);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [this.deadLetterQueue.queueArn],
    }));
    this.deadLetterQueue.encryptionMasterKey?.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');

    if ((props.rerunFailedRuns ?? 0) > 0 || props.runTimeout !== undefined) {
      this.stateMachine = runStateMachine(this, this.oneOffTask, { reruns: props.rerunFailedRuns ?? 0, timeout: props.runTimeout });
      this.stateMachine.grantStartExecution(this.role);
      if ((props.rerunFailedRuns ?? 0) > 0 && (props.sidecars ?? []).length > 0) {
        // ecs:runTask.sync fails the run when any container exits non-zero, a sidecar stopped with SIGKILL (137) included.
        Annotations.of(this).addWarningV2(RERUN_WITH_SIDECARS_WARNING,
          `rerunFailedRuns ${props.rerunFailedRuns} re-runs a run whose task has any container that exits non-zero: Step Functions (ecs:runTask.sync) fails the run then, ` +
          'also when the main container succeeded and a sidecar was stopped (ECS stops the other containers when an essential one exits; a sidecar that does not exit 0 on SIGTERM ' +
          'within the stop timeout is killed, 137). Make every sidecar exit 0 on SIGTERM, or make the job idempotent, then acknowledge: ' +
          `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${RERUN_WITH_SIDECARS_WARNING}', reason }).`);
      }
      if (props.runTimeout === undefined) {
        Annotations.of(this).addInfo('rerunFailedRuns without runTimeout: a run has no time limit, and `cdk destroy` waits for a running one (CloudFormation deletes a state machine once its executions end). Set runTimeout to bound both.');
      }
    }
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: when.expression,
      target: this.stateMachine
        ? new StateMachineTarget(this.stateMachine, this.role, this.deadLetterQueue, retryAttempts, maxEventAge)
        : new FargateTaskTarget(this.oneOffTask, this.role, this.deadLetterQueue, retryAttempts, maxEventAge),
      scheduleName: props.scheduleName,
      description: props.description ?? `Runs ${this.node.path}: ${when.description}`.slice(0, 512),
      enabled: props.enabled ?? true,
      timeWindow: props.flexibleTimeWindow ? scheduler.TimeWindow.flexible(props.flexibleTimeWindow) : scheduler.TimeWindow.off(),
    });
    // The Scheduler may try the role as soon as the schedule exists: create its policy first.
    this.schedule.node.addDependency(this.role);
    // A run can start as soon as the schedule exists: after the routes, endpoints and roles its task starts through.
    this.schedule.node.addDependency(taskStartDependencies(this.oneOffTask.cluster, this.taskDefinition));
    // The task definition waits for the EFS mount targets (OneOffTask): so does the schedule, which references it.
    if (this.oneOffTask.capacityProviderStrategy().length > 0) {
      // A run that names FARGATE_SPOT needs the cluster's capacity provider associations: the
      // schedule comes after them on create and goes before them on delete, so no run can start
      // against a provider that is not (or no longer) associated with the cluster.
      this.schedule.node.addDependency(ecsClusterOf(this.oneOffTask.cluster));
      // The state machine starts the runs (and its re-runs) then: the same order for it.
      this.stateMachine?.node.addDependency(ecsClusterOf(this.oneOffTask.cluster));
    }
  }

  /**
   * The one-off task the schedule starts.
   * @deprecated use `oneOffTask` (`scheduled.task.task` read the same word twice); removed in 1.0
   */
  public get task(): OneOffTask {
    return this.oneOffTask;
  }
}

/**
 * Starts a OneOffTask with its own network placement and capacity. Written here rather than
 * aws-scheduler-targets' EcsRunFargateTask, which rejects a public IP for subnets selected by
 * id (a valid ServiceCluster setup) and grants RunTask without the cluster condition.
 */
class FargateTaskTarget implements scheduler.IScheduleTarget {
  constructor(
    private readonly task: OneOffTask,
    private readonly role: iam.IRole,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly retryAttempts: number,
    private readonly maxEventAge: Duration,
  ) {}

  public bind(_schedule: scheduler.ISchedule): scheduler.ScheduleTargetConfig {
    const strategy = this.task.capacityProviderStrategy();
    return {
      arn: this.task.cluster.clusterArn,
      role: this.role,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumRetryAttempts: this.retryAttempts,
        maximumEventAgeInSeconds: this.maxEventAge.toSeconds(),
      },
      ecsParameters: {
        taskDefinitionArn: this.task.taskDefinition.taskDefinitionArn,
        taskCount: 1,
        launchType: strategy.length > 0 ? undefined : 'FARGATE',
        capacityProviderStrategy: strategy.length > 0 ? strategy : undefined,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: this.task.subnetIds,
            securityGroups: this.task.securityGroupIds,
            assignPublicIp: this.task.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
      },
    };
  }
}

/** Starts the state machine that runs the task (`rerunFailedRuns`, `runTimeout`). */
class StateMachineTarget implements scheduler.IScheduleTarget {
  constructor(
    private readonly stateMachine: sfn.IStateMachine,
    private readonly role: iam.IRole,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly retryAttempts: number,
    private readonly maxEventAge: Duration,
  ) {}

  public bind(_schedule: scheduler.ISchedule): scheduler.ScheduleTargetConfig {
    return {
      arn: this.stateMachine.stateMachineArn,
      role: this.role,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: this.retryAttempts, maximumEventAgeInSeconds: this.maxEventAge.toSeconds() },
    };
  }
}
