import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../validation/checks';
import { limitGrantsToAwsServices } from '../encryption/key-policy';

/**
 * Which account guardrails the templates must pass, read from the context key
 * `ecs-service-kit:governance` (see `Governance.CONTEXT_KEY`).
 */
export enum GovernanceMode {
  /** No context key: the library's own defaults. */
  DEFAULT = 'default',
  /**
   * `control-tower`: every construct of the library satisfies the AWS Control Tower proactive
   * controls that apply to what it creates (log retention and KMS encryption of log groups,
   * ALB deletion protection, access-log bucket logging, notifications and object lock,
   * a CreateGrant guard in every KMS key policy). See docs/governance.md.
   */
  CONTROL_TOWER = 'control-tower',
}

/** The smallest log retention CT.CLOUDWATCH.PR.2 accepts, in days. */
const CONTROL_TOWER_MIN_LOG_RETENTION_DAYS = 365;

/** Fixed monthly cost of one customer-managed KMS key (us-east-1 list price), USD. */
export const KMS_KEY_MONTHLY_USD = 1;

/**
 * Reads the app-wide governance switch. One place: constructs ask `Governance.modeOf(this)`.
 *
 * Set it in cdk.json (`"context": { "ecs-service-kit:governance": "control-tower" }`),
 * with `cdk synth -c ecs-service-kit:governance=control-tower`, or in code with
 * `new App({ context: { 'ecs-service-kit:governance': 'control-tower' } })`.
 */
export class Governance {
  /** The context key of the switch. */
  public static readonly CONTEXT_KEY = 'ecs-service-kit:governance';

  /**
   * The governance mode `scope` is built under.
   *
   * @throws ConfigurationError when the context holds a value other than `control-tower` or `default`
   */
  public static modeOf(scope: IConstruct): GovernanceMode {
    const value: unknown = scope.node.tryGetContext(Governance.CONTEXT_KEY);
    if (value === undefined || value === null || value === GovernanceMode.DEFAULT) return GovernanceMode.DEFAULT;
    if (value === GovernanceMode.CONTROL_TOWER) return GovernanceMode.CONTROL_TOWER;
    return fail(scope, `context ${Governance.CONTEXT_KEY}`, value, 'is not a governance mode',
      `use "${GovernanceMode.CONTROL_TOWER}" (AWS Control Tower proactive controls) or leave the key out`);
  }

  /** True when `scope` is built under `control-tower`. */
  public static isControlTower(scope: IConstruct): boolean {
    return Governance.modeOf(scope) === GovernanceMode.CONTROL_TOWER;
  }

  /**
   * The stack's customer-managed KMS key for CloudWatch Logs under `control-tower`
   * (created once per stack, as `EcsServiceKitLogKey`); undefined in the default mode.
   */
  public static logEncryptionKey(scope: IConstruct): kms.IKey | undefined {
    if (!Governance.isControlTower(scope)) return undefined;
    return LogEncryptionKey.of(scope).key;
  }

  private constructor() {}
}

/**
 * The per-stack KMS key that encrypts every log group of the library under `control-tower`
 * (CT.CLOUDWATCH.PR.3). Rotation on; retained on stack delete (retained log groups stay
 * readable); CloudWatch Logs of the stack's region may use it for the account's log groups only.
 * Internal: reach it with `Governance.logEncryptionKey`.
 */
export class LogEncryptionKey extends Construct {
  /** The construct id of the singleton, a child of the stack. Logical ids are public API. */
  public static readonly ID = 'EcsServiceKitLogKey';

  public static of(scope: IConstruct): LogEncryptionKey {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(LogEncryptionKey.ID) as LogEncryptionKey | undefined) ?? new LogEncryptionKey(stack, LogEncryptionKey.ID);
  }

  public readonly key: kms.Key;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the CloudWatch Logs log groups of ${stack.stackName} (ecs-service-kit, ${Governance.CONTEXT_KEY}=control-tower)`,
      enableKeyRotation: true,
      // Log groups are retained on stack delete and stay encrypted with this key: without the key
      // their events can no longer be read. Delete it by hand once the log groups are gone.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }));
    limitGrantsToAwsServices(this.key);
    Annotations.of(stack).addInfo(
      `${Governance.CONTEXT_KEY}=control-tower adds to ${stack.node.path}: the KMS key ${this.key.node.path} ` +
      `($${KMS_KEY_MONTHLY_USD}/month plus $0.03 per 10,000 requests that CloudWatch Logs makes with it), ` +
      `log retention of at least ${CONTROL_TOWER_MIN_LOG_RETENTION_DAYS} days (CloudWatch Logs storage: $0.03 per GB-month), ` +
      'and per load balancer access-log bucket: server access logs into a second bucket (S3 storage and PUT requests), ' +
      'S3 events to EventBridge (free to the default bus) and deletion protection (no cost). See docs/governance.md.');
  }
}

/**
 * A load balancer's deletion protection: the prop, else on under `control-tower`
 * (CT.ELASTICLOADBALANCING.PR.5). An explicit `false` wins over the switch, with a warning: the
 * lever for a destroy where the control is off or only warns. Internal.
 */
export function governedDeletionProtection(scope: IConstruct, deletionProtection: boolean | undefined): boolean {
  const governed = Governance.isControlTower(scope);
  if (deletionProtection === false && governed) {
    Annotations.of(scope).addWarningV2('ecs-service-kit:governance-deletion-protection-off',
      `deletionProtection: false under ${Governance.CONTEXT_KEY}=control-tower: AWS Control Tower's CT.ELASTICLOADBALANCING.PR.5 ` +
      'rejects this load balancer when that control is enabled. Set it only to destroy the stack where the control is off or in WARN mode (docs/governance.md).');
  }
  return deletionProtection ?? governed;
}

/**
 * The log retention to use: under `control-tower` the default becomes one year, and a shorter
 * explicit retention is a ConfigurationError (CT.CLOUDWATCH.PR.2 would fail the deploy). Internal.
 */
export function governedLogRetention(scope: IConstruct, prop: string, given: logs.RetentionDays | undefined, fallback: logs.RetentionDays): logs.RetentionDays {
  if (!Governance.isControlTower(scope)) return given ?? fallback;
  // RetentionDays holds days (INFINITE is 9999, over a year too).
  const fallbackDays: number = fallback;
  if (given === undefined) return fallbackDays >= CONTROL_TOWER_MIN_LOG_RETENTION_DAYS ? fallback : logs.RetentionDays.ONE_YEAR;
  const givenDays: number = given;
  if (givenDays < CONTROL_TOWER_MIN_LOG_RETENTION_DAYS) {
    fail(scope, prop, given, `is shorter than the ${CONTROL_TOWER_MIN_LOG_RETENTION_DAYS} days AWS Control Tower's CT.CLOUDWATCH.PR.2 requires under ${Governance.CONTEXT_KEY}=control-tower`,
      'use logs.RetentionDays.ONE_YEAR or longer, or leave it out');
  }
  return given;
}

/**
 * The per-stack bucket that receives the S3 server access logs of the library's log buckets under
 * `control-tower` (CT.S3.PR.2). Internal.
 */
export class ServerAccessLogBucket extends Construct {
  public static readonly ID = 'EcsServiceKitServerAccessLogs';

  public static of(scope: IConstruct): s3.Bucket {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ServerAccessLogBucket.ID) as ServerAccessLogBucket | undefined;
    return (existing ?? new ServerAccessLogBucket(stack, ServerAccessLogBucket.ID)).bucket;
  }

  public readonly bucket: s3.Bucket;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      // S3 server access log delivery supports SSE-S3 only on the destination bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{
        id: 'ExpireServerAccessLogs',
        expiration: Duration.days(365),
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CT.S3.PR.2 applies to this bucket too: it logs its own requests under a prefix.
    governLogBucket(this.bucket, undefined);
  }
}

/**
 * What CT.S3.PR.2, PR.4 and PR.9 require of a log bucket the library creates, set on its L1 so
 * that no feature flag changes it:
 * - server access logging into `target` (the stack's ServerAccessLogBucket), or into the bucket
 *   itself under `s3-access-logs/` when `target` is undefined (the target's own requests), with the
 *   bucket-policy grant S3 log delivery needs (the buckets enforce bucket-owner ownership: no ACLs);
 * - S3 event notifications to EventBridge (the L2's `eventBridgeEnabled` would deploy a
 *   Lambda-backed custom resource);
 * - object lock, without a default retention, on every bucket but a server access log destination:
 *   "S3 buckets with Object Lock can't be used as destination buckets for server access logs"
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html).
 * Internal.
 */
export function governLogBucket(bucket: s3.Bucket, target: s3.Bucket | undefined): void {
  const destination = target ?? bucket;
  const prefix = target ? `${bucket.node.path.replace(/\//g, '-')}/` : 's3-access-logs/';
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.loggingConfiguration = target ? { destinationBucketName: target.bucketName, logFilePrefix: prefix } : { logFilePrefix: prefix };
  cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  if (target) cfn.objectLockEnabled = true;
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
  destination.addToResourcePolicy(new iam.PolicyStatement({
    sid: `S3ServerAccessLogsOf${Names.uniqueId(bucket).slice(-40)}`.slice(0, 100),
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [destination.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
    },
  }));
}
