import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * The SQS queue a worker creates and consumes, with its dead-letter queue.
 *
 * The worker's task role may receive, delete and change the visibility of the queue's
 * messages (nothing else), and its main container finds the queue URL in `QUEUE_URL`.
 */
export interface WorkerQueueOptions {
  /**
   * The queue's name (1–76 letters, digits, hyphens and underscores: room for the `-dlq` suffix). The dead-letter queue is
   * named `<queueName>-dlq`. A fixed name prevents replacing the queue and deploying two copies
   * of the stack in one account and region.
   *
   * @default - CloudFormation generates unique names
   */
  readonly queueName?: string;

  /**
   * The longest one job (one received message, or one received batch when the worker handles
   * a batch before deleting it) takes to process. The visibility timeout must cover it, or a
   * second task receives the message while the first one still works on it.
   *
   * Keep it within the worker's `stopTimeout` (30 s by default, at most 120 s on Fargate): every
   * deploy and scale-in stops tasks (SIGTERM, then SIGKILL after `stopTimeout`), so a longer job
   * is cut and its message redelivered, and after `maxReceiveCount` cuts it is dead-lettered,
   * which the worker's deployment alarm treats as a failed release. A longer value warns
   * (`ecs-service-kit:job-longer-than-stop-timeout`); for such jobs the app sets ECS task scale-in
   * protection while it works.
   *
   * @default Duration.seconds(30)
   */
  readonly maxJobDuration?: Duration;

  /**
   * How long a received message stays hidden from other receivers (0 s to 12 h). At least
   * `maxJobDuration`. Longer means a crashed worker's message waits longer before a retry.
   *
   * @default - twice maxJobDuration (at most 12 h): a slow run is not processed twice, a crashed one is retried soon
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How many times a message may be received before it moves to the dead-letter queue (1–1000).
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long the queue keeps a message that nobody deletes (60 s to 14 days).
   *
   * @default Duration.days(4) - SQS's own default
   */
  readonly retentionPeriod?: Duration;

  /**
   * How long the dead-letter queue keeps failed messages (60 s to 14 days). SQS counts a
   * message's age from when it entered the first queue, so this must be at least
   * `retentionPeriod`, or failed messages expire as they arrive.
   *
   * @default Duration.days(14) - the longest SQS allows, to leave time to inspect and redrive
   */
  readonly deadLetterRetentionPeriod?: Duration;

  /**
   * How long SQS hides each new message before any worker can receive it (0–15 minutes). The
   * backlog the service scales on (visible and in-flight messages) and the stalled-queue
   * deployment alarm (visible ones) leave delayed messages out, so a delayed message counts once
   * its delay is over. A change applies to messages sent after it.
   *
   * @default - no delay
   */
  readonly deliveryDelay?: Duration;

  /**
   * How long a receive call waits for a message (long polling, 0–20 s). Long waits mean fewer
   * empty, billed receives.
   *
   * @default Duration.seconds(20)
   */
  readonly receiveWaitTime?: Duration;

  /**
   * A KMS key to encrypt both queues with. Producers then also need kms:GenerateDataKey on it
   * (`queue.grantSendMessages(producer)` adds it).
   *
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the queue and the dead-letter queue when they leave the stack. A queue
   * holds jobs not processed yet and the dead-letter queue the failed ones, so both stay by
   * default (an idle queue costs nothing: SQS bills per request).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
