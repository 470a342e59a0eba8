import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * How a worker's queue subscribes to a topic (`worker.subscribe(topic, options)`).
 *
 * SNS counts a filter policy's keys (at most 5; in a message-body policy only the leaf keys
 * count) and its combinations (at most 150: the product of each key's number of values). Give
 * either `filterPolicy` or `filterPolicyWithMessageBody`: a subscription filters on one scope.
 */
export interface TopicSubscriptionOptions {
  /**
   * Deliver only messages whose attributes match (`FilterPolicyScope: MessageAttributes`):
   * `{ eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order-placed'] }) }`.
   *
   * @default - every message of the topic
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };

  /**
   * Deliver only messages whose JSON body matches (`FilterPolicyScope: MessageBody`):
   * `{ order: sns.FilterOrPolicy.policy({ total: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThan: 100 })) }) }`.
   *
   * @default - every message of the topic
   */
  readonly filterPolicyWithMessageBody?: { [key: string]: sns.FilterOrPolicy };

  /**
   * Deliver the published message as it is, instead of wrapped in SNS's JSON envelope. With raw
   * delivery, message attributes become SQS message attributes, and SQS takes at most 10 per
   * message: a message with more cannot be delivered and goes to the dead-letter queue.
   *
   * @default false - the envelope, which names the topic, so a queue subscribed to several topics can tell them apart
   */
  readonly rawMessageDelivery?: boolean;
}
