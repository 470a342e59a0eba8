import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { skipCheckov } from '../validation/checkov';
import { checkDurationSeconds, checkOneOf, checkPattern, checkRange, fail } from '../validation/checks';
import { warnRetainedPhysicalName } from '../validation/unique-names';
import { WorkerQueueOptions } from './worker-queue-options';
import { Defaults } from '../defaults';

/**
 * The worker's queue and dead-letter queue. Internal: not exported from index.ts.
 */

const DEFAULT_MAX_JOB_DURATION = Defaults.workerMaxJobDuration;
const VISIBILITY_PER_JOB = Defaults.workerVisibilityPerJob;
/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
const DEFAULT_MAX_RECEIVE_COUNT = Defaults.workerMaxReceiveCount;
const DEFAULT_RETENTION = Defaults.workerQueueRetention;
const DEFAULT_DLQ_RETENTION = Defaults.deadLetterRetention;
const DEFAULT_RECEIVE_WAIT = Defaults.workerReceiveWait;
const DEFAULT_QUEUE_REMOVAL_POLICY = Defaults.workerQueueRemovalPolicy;

/** The warning on a worker whose jobs may run past its stop timeout. */
export const JOB_LONGER_THAN_STOP_TIMEOUT_WARNING = 'ecs-service-kit:job-longer-than-stop-timeout';

/**
 * Checks the queue options; `prefix` is the prop path (`queue.`). `stopTimeout` is the worker's
 * main container's, as given: a job longer than it is cut on every deploy and scale-in (warned).
 */
export function validateWorkerQueue(scope: IConstruct, options: WorkerQueueOptions, prefix: string, stopTimeout?: Duration): void {
  const p = (name: string) => `${prefix}${name}`;
  // FIFO queues (".fifo") are not supported yet: the name pattern leaves the dot out.
  checkPattern(scope, p('queueName'), options.queueName, /^[a-zA-Z0-9_-]{1,76}$/,
    'use 1–76 letters, digits, hyphens and underscores (the dead-letter queue adds "-dlq" within SQS\'s 80)');
  checkDurationSeconds(scope, p('maxJobDuration'), options.maxJobDuration, 1, MAX_VISIBILITY_SECONDS);
  checkDurationSeconds(scope, p('visibilityTimeout'), options.visibilityTimeout, 0, MAX_VISIBILITY_SECONDS);
  const maxJob = options.maxJobDuration ?? DEFAULT_MAX_JOB_DURATION;
  const visibility = options.visibilityTimeout;
  if (visibility !== undefined && !visibility.isUnresolved() && !maxJob.isUnresolved()
    && visibility.toSeconds() < maxJob.toSeconds()) {
    fail(scope, p('visibilityTimeout'), visibility, `is shorter than ${p('maxJobDuration')} ${maxJob.toHumanString()}${options.maxJobDuration ? '' : ' (the default)'}: a message would be received again while its job still runs`,
      `use at least ${maxJob.toHumanString()}, or lower maxJobDuration`);
  }
  checkRange(scope, p('maxReceiveCount'), options.maxReceiveCount, 1, 1000);
  checkDurationSeconds(scope, p('retentionPeriod'), options.retentionPeriod, 60, 14 * 86400);
  checkDurationSeconds(scope, p('deadLetterRetentionPeriod'), options.deadLetterRetentionPeriod, 60, 14 * 86400);
  const retention = options.retentionPeriod ?? DEFAULT_RETENTION;
  const dlqRetention = options.deadLetterRetentionPeriod ?? DEFAULT_DLQ_RETENTION;
  if (!retention.isUnresolved() && !dlqRetention.isUnresolved() && dlqRetention.toSeconds() < retention.toSeconds()) {
    fail(scope, p('deadLetterRetentionPeriod'), dlqRetention,
      `is shorter than ${p('retentionPeriod')} ${retention.toHumanString()}: SQS keeps a message's first enqueue time, so failed messages would expire on arrival`,
      `use at least ${retention.toHumanString()}`);
  }
  checkDurationSeconds(scope, p('receiveWaitTime'), options.receiveWaitTime, 0, 20);
  // SQS's DelaySeconds: 0 to 900.
  checkDurationSeconds(scope, p('deliveryDelay'), options.deliveryDelay, 0, 900);
  warnJobLongerThanStopTimeout(scope, options, prefix, stopTimeout);
  // SNAPSHOT does not exist for queues.
  checkOneOf(scope, p('removalPolicy'), options.removalPolicy,
    [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]);
}

/**
 * A deploy or scale-in stops a worker's task: SIGTERM, then SIGKILL `stopTimeout` later (at most
 * 120 s on Fargate). A job that runs longer is cut, its message comes back after the visibility
 * timeout with one more receive, and a message cut `maxReceiveCount` times goes to the dead-letter
 * queue, whose arrivals the worker's deployment alarm watches: it then rolls back a release that
 * is healthy. Warned only when the user set either value (the defaults are equal).
 */
function warnJobLongerThanStopTimeout(scope: IConstruct, options: WorkerQueueOptions, prefix: string, stopTimeout: Duration | undefined): void {
  if (options.maxJobDuration === undefined && stopTimeout === undefined) return;
  const maxJob = options.maxJobDuration ?? DEFAULT_MAX_JOB_DURATION;
  const stop = stopTimeout ?? Defaults.stopTimeout;
  if (maxJob.isUnresolved() || stop.isUnresolved() || maxJob.toSeconds() <= stop.toSeconds()) return;
  const maxReceiveCount = options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
  Annotations.of(scope).addWarningV2(JOB_LONGER_THAN_STOP_TIMEOUT_WARNING,
    `${prefix}maxJobDuration ${maxJob.toHumanString()}${options.maxJobDuration === undefined ? ' (the default)' : ''} is longer than stopTimeout `
    + `${stop.toHumanString()}${stopTimeout === undefined ? ' (the default)' : ''}: every deploy and scale-in stops tasks (SIGTERM, then SIGKILL after stopTimeout), `
    + 'so a job running then is cut; its message comes back after the visibility timeout with one more receive, and after '
    + `${maxReceiveCount} receives (${prefix}maxReceiveCount) it goes to the dead-letter queue, whose deployment alarm (on by default) rolls back the release in progress. `
    + 'Stop receiving at SIGTERM and finish within stopTimeout (at most 120 s on Fargate), keep jobs shorter, or have the worker set ECS task scale-in '
    + 'protection ($ECS_AGENT_URI/task-protection/v1/state) while a job runs (deploys then wait for it); then acknowledge: '
    + `Validations.of(<this worker>).acknowledge({ id: 'Annotation::${JOB_LONGER_THAN_STOP_TIMEOUT_WARNING}', reason }).`);
}

/** The effective visibility timeout: given, or VISIBILITY_PER_JOB × maxJobDuration capped at 12 h. */
export function visibilityTimeoutOf(options: WorkerQueueOptions): Duration {
  if (options.visibilityTimeout) return options.visibilityTimeout;
  const maxJob = options.maxJobDuration ?? DEFAULT_MAX_JOB_DURATION;
  if (maxJob.isUnresolved()) return maxJob;
  return Duration.seconds(Math.min(MAX_VISIBILITY_SECONDS, maxJob.toSeconds() * VISIBILITY_PER_JOB));
}

/** Creates 'DeadLetterQueue' and 'Queue' under `scope` from validated options. */
export function createWorkerQueue(scope: Construct, options: WorkerQueueOptions): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
  const encryption = options.encryptionKey
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: options.encryptionKey }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
  const removalPolicy = options.removalPolicy ?? DEFAULT_QUEUE_REMOVAL_POLICY;
  const queueName = options.queueName;
  warnRetainedPhysicalName(scope, 'queue.queueName', queueName, removalPolicy, 'SQS queue', `its dead-letter queue "${queueName}-dlq"`);
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    queueName: queueName !== undefined ? `${queueName}-dlq` : undefined,
    retentionPeriod: options.deadLetterRetentionPeriod ?? DEFAULT_DLQ_RETENTION,
    // SQS's default written out: any queue of the account may use it as its dead-letter queue.
    // It marks the queue as a dead-letter queue for AWS Control Tower CT.SQS.PR.1 (byQueue would
    // need the source queue's ARN, which already depends on this queue's ARN: a cycle).
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    enforceSSL: true,
    removalPolicy,
    ...encryption,
  });
  const queue = new sqs.Queue(scope, 'Queue', {
    queueName,
    visibilityTimeout: visibilityTimeoutOf(options),
    retentionPeriod: options.retentionPeriod ?? DEFAULT_RETENTION,
    receiveMessageWaitTime: options.receiveWaitTime ?? DEFAULT_RECEIVE_WAIT,
    deliveryDelay: options.deliveryDelay,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT },
    enforceSSL: true,
    removalPolicy,
    ...encryption,
  });
  if (!options.encryptionKey) {
    for (const q of [queue, deadLetterQueue]) {
      skipCheckov(q, 'CKV_AWS_27', 'Encrypted at rest with SQS-managed SSE (SqsManagedSseEnabled), which this check does not recognise (it looks only for a KMS key); give queue.encryptionKey for a customer-managed key.');
    }
  }
  return { queue, deadLetterQueue };
}
