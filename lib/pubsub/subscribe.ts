import { Annotations, Arn, ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { fail } from '../validation/checks';
import { IEventTopic } from './event-topic';
import { knownTopicName, knownTopicRegion } from './topic-identity';
import { TopicSubscriptionOptions } from './topic-subscription-options';

/**
 * A worker's queue subscribing to a topic. Internal: WorkerService.subscribe calls it.
 */

/** SNS: at most 5 keys in a filter policy (leaf keys of a message-body policy). */
export const MAX_FILTER_KEYS = 5;
/** SNS: at most 150 combinations of values in a filter policy. */
export const MAX_FILTER_COMBINATIONS = 150;

/** The warning on a subscription whose queue (or dead-letter queue) key is imported: its key policy cannot be changed here. */
export const IMPORTED_QUEUE_KEY_WARNING = 'ecs-service-kit:imported-queue-key';

/** The topics each queue subscribed to through this library, for the duplicate check. */
const subscribedTopics = new WeakMap<sqs.IQueue, Map<string, string>>();

/** What a worker subscribes with. */
export interface SubscriberQueues {
  /** The worker's queue; undefined when the worker has none. */
  readonly queue?: sqs.IQueue;
  /** Where SNS puts messages it cannot deliver: the worker's dead-letter queue. */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * Subscribes `queues.queue` to `topic`: the queue policy (sns.amazonaws.com may sqs:SendMessage
 * from this topic only), the key policy of a customer-managed queue key, the subscription (in
 * the queue's stack, after the queue policy) with the dead-letter queue as its redrive target.
 */
export function subscribeQueue(scope: IConstruct, queues: SubscriberQueues, topic: IEventTopic, options: TopicSubscriptionOptions = {}): sns.Subscription {
  const queue = validateSubscription(scope, queues, topic, options);
  const deadLetterQueue = queues.deadLetterQueue;
  for (const [role, q] of [['queue', queue], ['dead-letter queue', deadLetterQueue]] as const) {
    const key = q?.encryptionMasterKey;
    if (key && !(key instanceof kms.Key)) {
      Annotations.of(scope).addWarningV2(IMPORTED_QUEUE_KEY_WARNING,
        `The ${role} ${q.node.path} is encrypted with an imported KMS key, whose key policy this library cannot change: SNS delivers only if that policy lets sns.amazonaws.com `
        + `use kms:GenerateDataKey and kms:Decrypt (with aws:SourceArn ${Token.isUnresolved(topic.topicArn) ? 'the topic\'s ARN' : topic.topicArn}); otherwise every message fails delivery. `
        + `Add that statement to the key policy, or use SQS-managed encryption (leave queue.encryptionKey out), then acknowledge: Validations.of(<this worker>).acknowledge({ id: 'Annotation::${IMPORTED_QUEUE_KEY_WARNING}', reason }).`);
    }
  }

  // SqsSubscription adds the queue policy statement, the key policy statement of a
  // customer-managed key, and makes the subscription depend on the queue policy: SNS confirms
  // a same-account SQS subscription at once, and a message published before the policy
  // exists would be refused by SQS and lost (or dead-lettered).
  const subscription = topic.topic.addSubscription(new StableSqsSubscription(queue, subscriptionId(scope, topic), {
    filterPolicy: options.filterPolicy,
    filterPolicyWithMessageBody: options.filterPolicyWithMessageBody,
    rawMessageDelivery: options.rawMessageDelivery ?? Defaults.subscriptionRawMessageDelivery,
    deadLetterQueue,
  }));
  if (deadLetterQueue instanceof sqs.Queue) {
    // aws-cdk-lib adds the dead-letter queue's policy statement for SNS (sqs:SendMessage from
    // this topic); order the subscription after that policy too.
    const policy = deadLetterQueue.node.tryFindChild('Policy');
    if (policy instanceof sqs.QueuePolicy) subscription.node.addDependency(policy);
    if (deadLetterQueue.encryptionMasterKey instanceof kms.Key) {
      deadLetterQueue.encryptionMasterKey.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { ArnEquals: { 'aws:SourceArn': topic.topicArn } },
      }));
    }
  }
  return subscription;
}

/**
 * An SQS subscription whose construct id (and so logical id) is given, not taken from the topic
 * construct's path.
 */
class StableSqsSubscription extends subscriptions.SqsSubscription {
  constructor(queue: sqs.IQueue, private readonly subscriberId: string, props: subscriptions.SqsSubscriptionProps) {
    super(queue, props);
  }

  public bind(topic: sns.ITopic): sns.TopicSubscriptionConfig {
    return { ...super.bind(topic), subscriberId: this.subscriberId };
  }
}

/**
 * The subscription's construct id under the queue. A new logical id for the same topic and queue
 * would lose the subscription: CloudFormation creates the "new" one, which SNS answers with the
 * existing subscription's ARN, then deletes the old one in cleanup, which unsubscribes that ARN.
 * So a topic whose name synth knows (a literal ARN, or a fixed `topicName`) is keyed by its name
 * (and account, when not the worker's), whatever its construct is called or however it is
 * reached; a topic with a generated name, by its construct (renaming that construct replaces
 * the topic, and the subscription must follow it).
 */
function subscriptionId(scope: IConstruct, topic: IEventTopic): string {
  const name = knownTopicName(topic);
  if (name === undefined) return Names.nodeUniqueId(topic.topic.node);
  const account = Token.isUnresolved(topic.topicArn) ? undefined : Arn.split(topic.topicArn, ArnFormat.NO_RESOURCE_NAME).account;
  const workerAccount = Stack.of(scope).account;
  return account !== undefined && !Token.isUnresolved(workerAccount) && account !== workerAccount ? `Topic-${account}-${name}` : `Topic-${name}`;
}

function validateSubscription(scope: IConstruct, queues: SubscriberQueues, topic: IEventTopic, options: TopicSubscriptionOptions): sqs.Queue {
  const queue = queues.queue;
  if (!topic) fail(scope, 'topic', topic, 'is missing', 'give an EventTopic, or one from EventTopic.fromTopicArn');
  if (!queue) {
    fail(scope, 'subscribe(topic)', topic.node.path, 'needs a queue to deliver to, and this worker has none', 'give the worker a queue (queue: {}) to subscribe it to topics');
  }
  if (!(queue instanceof sqs.Queue)) {
    fail(scope, 'subscribe(topic)', topic.node.path, `delivers to the imported queue ${queue.node.path}, whose queue policy this library cannot change (SNS could not send to it)`,
      'give the worker its own queue (queue: {}), or subscribe the existing queue where it is defined');
  }
  if (queue.encryptionType === sqs.QueueEncryption.KMS_MANAGED || queues.deadLetterQueue?.encryptionType === sqs.QueueEncryption.KMS_MANAGED) {
    fail(scope, 'subscribe(topic)', topic.node.path, 'delivers to a queue encrypted with the AWS-managed key alias/aws/sqs, whose key policy cannot let SNS use it',
      'encrypt the queue with SQS-managed keys (SSE-SQS) or a customer-managed KMS key');
  }
  const topicRegion = knownTopicRegion(topic);
  const workerRegion = Stack.of(scope).region;
  if (topicRegion !== undefined && !Token.isUnresolved(workerRegion) && topicRegion !== workerRegion) {
    fail(scope, 'subscribe(topic)', topic.node.path, `is a topic in ${topicRegion} and the worker is in ${workerRegion}: SNS requires a subscription's dead-letter queue (the worker's) in the subscription's account and Region`,
      'subscribe to a topic in the worker\'s Region (publish to one there, or forward events between Regions)');
  }
  if (!topic.fifo && queue.fifo) {
    fail(scope, 'subscribe(topic)', topic.node.path, `is a standard topic and ${queue.node.path} a FIFO queue: SNS delivers to FIFO queues from FIFO topics only`,
      'subscribe a FIFO topic (fifo: true), or a standard queue');
  }
  if (topic.fifo && !queue.fifo) {
    fail(scope, 'subscribe(topic)', topic.node.path, `is a FIFO topic and the worker's queue is standard: SNS would deliver without order or deduplication, and a FIFO topic's subscription needs a FIFO dead-letter queue, which a worker's standard queue does not have`,
      'subscribe the worker to a standard topic (worker queues are standard)');
  }
  const key = subscriptionId(scope, topic);
  let seen = subscribedTopics.get(queue);
  if (!seen) {
    seen = new Map();
    subscribedTopics.set(queue, seen);
  }
  if (seen.has(key)) {
    fail(scope, 'subscribe(topic)', topic.node.path, `subscribes ${queue.node.path} to the topic a second time: SNS keeps one subscription per topic and queue, and deleting either copy would unsubscribe both`,
      'subscribe once, with one filter policy (a filter policy can allow several values per key)');
  }
  validateFilterPolicies(scope, options);
  if (options.rawMessageDelivery !== undefined && typeof options.rawMessageDelivery !== 'boolean') {
    fail(scope, 'rawMessageDelivery', options.rawMessageDelivery, 'is not a boolean', 'use true or false');
  }
  seen.set(key, topic.node.path);
  return queue;
}

function validateFilterPolicies(scope: IConstruct, options: TopicSubscriptionOptions): void {
  const attributes = options.filterPolicy;
  const body = options.filterPolicyWithMessageBody;
  if (attributes !== undefined && body !== undefined) {
    fail(scope, 'filterPolicy', Object.keys(attributes), 'cannot be combined with filterPolicyWithMessageBody: a subscription filters on one scope (FilterPolicyScope)',
      'filter on the attributes or on the body, not both');
  }
  if (attributes !== undefined) {
    const leaves = Object.entries(attributes).map(([name, filter]) => checkLeaf(scope, 'filterPolicy', name, filter));
    checkLimits(scope, 'filterPolicy', leaves);
  }
  if (body !== undefined) {
    const leaves: Leaf[] = [];
    collectBodyLeaves(scope, body, [], leaves);
    checkLimits(scope, 'filterPolicyWithMessageBody', leaves);
  }
}

interface Leaf { readonly path: string; readonly values: number }

function checkLeaf(scope: IConstruct, prop: string, path: string, filter: unknown): Leaf {
  if (!(filter instanceof sns.SubscriptionFilter)) {
    fail(scope, `${prop}.${path}`, filter, 'is not a SubscriptionFilter', 'use sns.SubscriptionFilter.stringFilter(...), numericFilter(...) or existsFilter()');
  }
  if (!Array.isArray(filter.conditions) || filter.conditions.length === 0) {
    fail(scope, `${prop}.${path}`, filter.conditions, 'has no condition, which SNS refuses', 'give at least one value (an allowlist, a prefix, a range), or leave the key out');
  }
  return { path, values: filter.conditions.length };
}

function collectBodyLeaves(scope: IConstruct, policy: { [key: string]: sns.FilterOrPolicy }, at: string[], out: Leaf[]): void {
  if (typeof policy !== 'object' || policy === null || Object.keys(policy).length === 0) {
    fail(scope, `filterPolicyWithMessageBody${at.length ? '.' + at.join('.') : ''}`, policy, 'is an empty policy, which SNS refuses', 'give at least one key, or leave the policy out');
  }
  for (const [name, entry] of Object.entries(policy)) {
    const path = [...at, name];
    if (entry instanceof sns.Filter) {
      out.push(checkLeaf(scope, 'filterPolicyWithMessageBody', path.join('.'), entry.filterDoc));
    } else if (entry instanceof sns.Policy) {
      collectBodyLeaves(scope, entry.policyDoc, path, out);
    } else {
      fail(scope, `filterPolicyWithMessageBody.${path.join('.')}`, entry, 'is not a FilterOrPolicy', 'use sns.FilterOrPolicy.filter(...) for a value, sns.FilterOrPolicy.policy({...}) for a nested object');
    }
  }
}

function checkLimits(scope: IConstruct, prop: string, leaves: Leaf[]): void {
  if (leaves.length === 0) {
    fail(scope, prop, {}, 'is an empty policy, which SNS refuses', 'give at least one key, or leave the policy out');
  }
  if (leaves.length > MAX_FILTER_KEYS) {
    fail(scope, prop, leaves.map((l) => l.path), `has ${leaves.length} keys; SNS allows ${MAX_FILTER_KEYS} per filter policy`, `filter on at most ${MAX_FILTER_KEYS} keys`);
  }
  const combinations = leaves.reduce((n, l) => n * l.values, 1);
  if (combinations > MAX_FILTER_COMBINATIONS) {
    fail(scope, prop, leaves.map((l) => `${l.path}: ${l.values} values`), `makes ${combinations} combinations (the product of each key's number of values); SNS allows ${MAX_FILTER_COMBINATIONS}`,
      'allow fewer values per key, or use a prefix or numeric range in place of a list');
  }
}
