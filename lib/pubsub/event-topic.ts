import { Annotations, CfnOutput, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { checkOneOf, checkPattern, fail } from '../validation/checks';
import { RETAINED_PHYSICAL_NAME_WARNING, warnRetainedPhysicalName } from '../validation/unique-names';
import { limitGrantsToAwsServices } from '../encryption/key-policy';
import { rememberTopicName } from './topic-identity';

/**
 * An SNS topic services publish events to and workers subscribe their queues to: an
 * `EventTopic` of this app, or one imported with `EventTopic.fromTopicArn`.
 */
export interface IEventTopic extends IConstruct {
  /** The topic's ARN. */
  readonly topicArn: string;
  /** The topic's name (the last part of its ARN). */
  readonly topicName: string;
  /** Whether it is a FIFO topic (its name ends in `.fifo`). */
  readonly fifo: boolean;
  /** The KMS key the topic encrypts messages with, when known: publishers need kms:GenerateDataKey* and kms:Decrypt on it. */
  readonly encryptionKey?: kms.IKey;
  /** The aws-cdk-lib topic, the escape hatch. */
  readonly topic: sns.ITopic;
  /** The environment variable that gives a publisher's main container the topic's ARN (`ORDER_EVENTS_TOPIC_ARN`). */
  readonly arnVariableName: string;

  /** Allow `grantee` to publish: sns:Publish on the topic, and kms:GenerateDataKey* and kms:Decrypt on its key. */
  grantPublish(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of an EventTopic.
 */
export interface EventTopicProps {
  /**
   * The topic's name: 1–256 letters, digits, hyphens and underscores; a FIFO topic's ends in
   * `.fifo`. A fixed name is replaced only by deleting the topic first (CloudFormation cannot
   * replace a resource with a custom name), and with the default `removalPolicy` (retain) the
   * kept topic still holds it after a stack delete.
   *
   * @default - CloudFormation generates a unique name (ending in `.fifo` for a FIFO topic)
   */
  readonly topicName?: string;

  /**
   * A FIFO topic: ordered per message group, deduplicated within 5 minutes. Publishers must
   * then give a message group id (and a deduplication id, unless `contentBasedDeduplication`).
   * Set at creation only: changing it replaces the topic.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * FIFO topics only: SNS derives each message's deduplication id from a SHA-256 hash of its
   * body, so publishers need not give one.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * The KMS key that encrypts messages at rest in the topic.
   *
   * @default - a new customer-managed key with yearly rotation ($1/month): unlike the AWS-managed
   * `alias/aws/sns`, its key policy can let AWS services (EventBridge, CloudWatch, S3 events) and
   * other accounts publish later
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the topic (and the key created for it) when it leaves the stack. A topic
   * holds no messages once delivered, but its subscriptions made outside this app (other
   * accounts' queues, e-mail, HTTPS endpoints) and its ARN, which subscribers know, are lost
   * with it: a new topic, even of the same name, has none of them.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The environment variable a publisher's main container finds the topic's ARN in
   * (upper-case letters, digits and underscores).
   *
   * @default - the construct id in upper snake case with `_TOPIC_ARN`: `OrderEvents` gives `ORDER_EVENTS_TOPIC_ARN`
   */
  readonly arnVariableName?: string;

  /**
   * Export the topic's ARN under this name (a stack output `TopicArn` with an export), for
   * stacks outside this CDK app: `EventTopic.fromTopicArn(this, 'Events', Fn.importValue(name))`.
   * Stacks of the same app need none: passing the topic makes the export.
   *
   * @default - no named export
   */
  readonly exportName?: string;
}

/** Options of `EventTopic.fromTopicArn`. */
export interface ImportedEventTopicOptions {
  /**
   * The key the topic is encrypted with, so that publishers get kms:GenerateDataKey* and
   * kms:Decrypt on it.
   *
   * @default - no key: publishers get sns:Publish only (enough for an unencrypted topic, or one under `alias/aws/sns`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether the topic is FIFO. Needed when the ARN is a token (`Fn.importValue`).
   *
   * @default - from the ARN: FIFO when it ends in `.fifo`
   */
  readonly fifo?: boolean;

  /**
   * The environment variable a publisher's main container finds the topic's ARN in.
   *
   * @default - the construct id in upper snake case with `_TOPIC_ARN`
   */
  readonly arnVariableName?: string;
}

const ARN_VARIABLE_PATTERN = /^[A-Z_][A-Z0-9_]{0,254}$/;

/** `OrderEvents` → `ORDER_EVENTS_TOPIC_ARN`. */
function defaultArnVariableName(id: string): string {
  const snake = id
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  const base = /^[0-9]/.test(snake) ? `_${snake}` : snake;
  return `${base || 'EVENTS'}_TOPIC_ARN`;
}

/**
 * An encrypted SNS topic for events between services: standard or FIFO, encrypted with a
 * customer-managed KMS key, TLS only, retained by default.
 *
 * Services publish with `service.publishTo(topic)` (sns:Publish and the key, and the ARN in
 * `<NAME>_TOPIC_ARN`); workers subscribe their queue with `worker.subscribe(topic, options)`.
 */
export class EventTopic extends Construct implements IEventTopic {
  /**
   * An existing topic, by ARN (`Fn.importValue(...)` for one exported by another app). Give
   * `encryptionKey` when it is encrypted with a customer-managed key, so publishers may use it.
   */
  public static fromTopicArn(scope: Construct, id: string, topicArn: string, options: ImportedEventTopicOptions = {}): IEventTopic {
    return new ImportedEventTopic(scope, id, topicArn, options);
  }

  public readonly topicArn: string;
  public readonly topicName: string;
  public readonly fifo: boolean;
  /** The topic's key: `encryptionKey`, or the one created for it. */
  public readonly encryptionKey?: kms.IKey;
  /** The topic (escape hatch): an sns.Topic. */
  public readonly topic: sns.ITopic;
  public readonly arnVariableName: string;

  constructor(scope: Construct, id: string, props: EventTopicProps = {}) {
    super(scope, id);
    validateEventTopic(this, props);
    const fifo = props.fifo ?? false;
    const removalPolicy = props.removalPolicy ?? Defaults.eventTopicRemovalPolicy;
    warnRetainedPhysicalName(this, 'topicName', props.topicName, removalPolicy, 'SNS topic');

    const key = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the messages of the topic ${this.node.path}`,
      enableKeyRotation: true,
      // Kept with the topic: a kept topic whose key is gone can take no message.
      removalPolicy,
      pendingWindow: Duration.days(7),
    });
    if (key instanceof kms.Key && !props.encryptionKey) limitGrantsToAwsServices(key);
    const topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      fifo: fifo || undefined,
      contentBasedDeduplication: props.contentBasedDeduplication,
      masterKey: key,
      enforceSSL: true,
    });
    topic.applyRemovalPolicy(removalPolicy);
    // The TLS-only statement stays with a kept topic: without its policy SNS falls back to the
    // default one, which admits publishing without TLS.
    const policy = topic.node.tryFindChild('Policy');
    if (policy instanceof sns.TopicPolicy) policy.applyRemovalPolicy(removalPolicy);
    this.encryptionKey = key;
    this.topic = topic;
    this.topicArn = this.topic.topicArn;
    this.topicName = this.topic.topicName;
    if (fifo && props.topicName === undefined && removalPolicy !== RemovalPolicy.DESTROY) {
      // aws-cdk-lib names a FIFO topic itself (the name must end in .fifo), and SNS's create
      // handler refuses a name that exists: a kept topic blocks the stack's next create.
      Annotations.of(this).addWarningV2(RETAINED_PHYSICAL_NAME_WARNING,
        'A FIFO topic gets a fixed name from aws-cdk-lib (a FIFO name must end in .fifo, so CloudFormation cannot generate it), ' +
        'and this one is kept when the stack is deleted: deploying the stack again after a delete fails with "already exists". ' +
        'Delete or import the kept topic before re-creating the stack, or set removalPolicy: RemovalPolicy.DESTROY, and acknowledge this warning with ' +
        `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${RETAINED_PHYSICAL_NAME_WARNING}', reason }).`);
    }
    rememberTopicName(this, props.topicName);
    this.fifo = fifo;
    this.arnVariableName = props.arnVariableName ?? defaultArnVariableName(id);
    if (props.exportName !== undefined) {
      new CfnOutput(this, 'TopicArn', { value: this.topicArn, exportName: props.exportName, description: `The ARN of the topic ${this.node.path}` });
    }
  }

  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }
}

/** A topic of another app or account, by ARN. */
class ImportedEventTopic extends Construct implements IEventTopic {
  public readonly topicArn: string;
  public readonly topicName: string;
  public readonly fifo: boolean;
  public readonly encryptionKey?: kms.IKey;
  public readonly topic: sns.ITopic;
  public readonly arnVariableName: string;

  constructor(scope: Construct, id: string, topicArn: string, options: ImportedEventTopicOptions) {
    super(scope, id);
    if (!Token.isUnresolved(topicArn) && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,251}(\.fifo)?$/.test(topicArn)) {
      fail(this, 'topicArn', topicArn, 'is not an SNS topic ARN', 'use arn:<partition>:sns:<region>:<account>:<name>');
    }
    const fromArn = Token.isUnresolved(topicArn) ? undefined : topicArn.endsWith('.fifo');
    if (options.fifo !== undefined && fromArn !== undefined && options.fifo !== fromArn) {
      fail(this, 'fifo', options.fifo, `contradicts the topic ARN ${topicArn} (FIFO topic names, and only they, end in ".fifo")`, 'leave fifo out for a literal ARN');
    }
    checkPattern(this, 'arnVariableName', options.arnVariableName, ARN_VARIABLE_PATTERN, 'use upper-case letters, digits and underscores, not starting with a digit');
    this.fifo = options.fifo ?? fromArn ?? false;
    this.encryptionKey = options.encryptionKey;
    this.topic = sns.Topic.fromTopicAttributes(this, 'Topic', { topicArn, keyArn: options.encryptionKey?.keyArn });
    this.topicArn = topicArn;
    this.topicName = this.topic.topicName;
    this.arnVariableName = options.arnVariableName ?? defaultArnVariableName(id);
  }

  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topicArn] });
    this.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey*');
    return grant;
  }
}

function validateEventTopic(scope: IConstruct, props: EventTopicProps): void {
  const fifo = props.fifo ?? false;
  const name = props.topicName;
  if (name !== undefined && !Token.isUnresolved(name)) {
    checkPattern(scope, 'topicName', name, /^[A-Za-z0-9_-]{1,251}(\.fifo)?$/,
      'use 1–256 letters, digits, hyphens and underscores (a FIFO topic\'s name ends in ".fifo")');
    if (fifo && !name.endsWith('.fifo')) {
      fail(scope, 'topicName', name, 'names a FIFO topic without the ".fifo" suffix SNS requires', `use "${name.slice(0, 251)}.fifo", or leave fifo out for a standard topic`);
    }
    if (!fifo && name.endsWith('.fifo')) {
      fail(scope, 'topicName', name, 'ends in ".fifo", which SNS reserves for FIFO topics', 'set fifo: true, or drop the suffix');
    }
  }
  if (props.contentBasedDeduplication && !fifo) {
    fail(scope, 'contentBasedDeduplication', true, 'applies to FIFO topics only', 'set fifo: true with it, or leave it out');
  }
  checkPattern(scope, 'arnVariableName', props.arnVariableName, ARN_VARIABLE_PATTERN, 'use upper-case letters, digits and underscores, not starting with a digit');
  if (props.exportName !== undefined && !Token.isUnresolved(props.exportName)) {
    checkPattern(scope, 'exportName', props.exportName, /^[A-Za-z0-9:-]{1,255}$/, 'use 1–255 letters, digits, colons and hyphens (CloudFormation export names)');
  }
  checkOneOf(scope, 'removalPolicy', props.removalPolicy, [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]);
}
