import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { Governance, governLogBucket, ServerAccessLogBucket } from '../governance/governance';
import { skipCheckov } from '../validation/checkov';
import { checkPattern, fail } from '../validation/checks';
import { accessLogStatementsText, logAccessLogs } from './access-log-policy';
import { ServiceLoadBalancerProps } from './service-load-balancer-props';

/**
 * A ServiceLoadBalancer's access logs: the checks of their props, the bucket, and the warnings.
 * Internal: not exported from index.ts.
 */

/** An access-log key prefix ELB takes: no leading or trailing `/`, no `AWSLogs` in it. */
export const ACCESS_LOG_PREFIX = /^(?!.*AWSLogs)[^/].*[^/]$|^[^/]$/;

export function validateAccessLogs(scope: Construct, props: ServiceLoadBalancerProps, accessLogs: boolean): void {
  if (!accessLogs) {
    if (props.accessLogBucket) {
      fail(scope, 'accessLogBucket', props.accessLogBucket.node.path, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogBucket out');
    }
    if (props.accessLogExpiry) {
      fail(scope, 'accessLogExpiry', props.accessLogExpiry, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogExpiry out');
    }
    if (props.accessLogPrefix !== undefined) {
      fail(scope, 'accessLogPrefix', props.accessLogPrefix, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogPrefix out');
    }
    return;
  }
  if (props.accessLogBucket && props.accessLogExpiry) {
    fail(scope, 'accessLogExpiry', props.accessLogExpiry, 'cannot be combined with accessLogBucket',
      'set the expiry in the lifecycle rules of your own bucket, or leave accessLogBucket out');
  }
  if (props.accessLogBucket?.encryptionKey) {
    fail(scope, 'accessLogBucket', props.accessLogBucket.node.path, 'is encrypted with a KMS key',
      'ALB access logs can only be written to a bucket with SSE-S3 (S3-managed keys) encryption: give such a bucket, or leave accessLogBucket out to have one created');
  }
  if (props.accessLogExpiry !== undefined) {
    const expiry = props.accessLogExpiry;
    // integral: false, so NaN and Infinity are rejected here instead of throwing inside aws-cdk-lib.
    const millis = expiry.isUnresolved() ? 0 : expiry.toMilliseconds({ integral: false });
    if (!expiry.isUnresolved() && !(millis % 86_400_000 === 0 && millis >= 86_400_000)) {
      fail(scope, 'accessLogExpiry', expiry, 'is not a whole number of days of at least 1', 'use Duration.days(n) with n ≥ 1');
    }
  }
  checkPattern(scope, 'accessLogPrefix', props.accessLogPrefix, ACCESS_LOG_PREFIX,
    'use a key prefix without a leading or trailing "/" that does not contain "AWSLogs"');
  // A stack without a region is fine: the bucket policy then picks the principal at deploy time
  // (see access-log-policy.ts).
}

/**
 * Turns access logs on (to `props.accessLogBucket` or a bucket created under `scope`), or warns
 * that they are off.
 *
 * @returns the bucket receiving the logs; undefined when `accessLogs` is false
 */
export function configureAccessLogs(
  scope: Construct, loadBalancer: elbv2.ApplicationLoadBalancer, props: ServiceLoadBalancerProps, accessLogs: boolean, expiryDays: number,
): s3.IBucket | undefined {
  if (!accessLogs) {
    Annotations.of(scope).addWarningV2('ecs-service-kit:no-access-logs',
      'Access logs are off (`accessLogs: false`): there is no record of requests for incident response, and cdk-nag AwsSolutions-ELB2 will report it.');
    return undefined;
  }
  const bucket = props.accessLogBucket ?? createAccessLogBucket(scope, expiryDays);
  const policyAttached = logAccessLogs(loadBalancer, bucket, props.accessLogPrefix);
  if (!policyAttached) warnImportedAccessLogBucket(scope, bucket, accessLogStatementsText(loadBalancer, bucket, props.accessLogPrefix));
  return bucket;
}

/** The warning on an imported access-log bucket, whose policy the user must complete with `statements`. */
export function warnImportedAccessLogBucket(scope: Construct, bucket: s3.IBucket, statements: string): void {
  Annotations.of(scope).addWarningV2('ecs-service-kit:imported-access-log-bucket',
    `accessLogBucket ${bucket.node.path} is imported, so no bucket policy can be added to it and the deploy fails with ` +
    '"Access Denied for bucket" when the load balancer turns access logs on. Add this bucket policy statement (or statements) yourself, ' +
    `then acknowledge this warning: ${statements}`);
}

export function createAccessLogBucket(scope: Construct, expiryDays: number, encryptionKey?: kms.IKey): s3.Bucket {
  const governed = Governance.isControlTower(scope);
  const bucket = new s3.Bucket(scope, 'AccessLogBucket', {
    // ALB access log delivery supports only SSE-S3; a KMS-encrypted bucket gets no logs. A Network
    // Load Balancer's delivery also takes a customer-managed key that admits it (encryptionKey).
    ...(encryptionKey ? { encryption: s3.BucketEncryption.KMS, encryptionKey, bucketKeyEnabled: true } : { encryption: s3.BucketEncryption.S3_MANAGED }),
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [{
      id: 'ExpireAccessLogs',
      expiration: Duration.days(expiryDays),
      noncurrentVersionExpiration: Duration.days(Defaults.accessLogNoncurrentExpiryDays),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }],
    // Logs are evidence: they outlive the stack. No autoDeleteObjects: it needs a Lambda-backed
    // custom resource, and deleting logs on stack delete is the wrong default anyway.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (governed) {
    // ecs-service-kit:governance=control-tower: server access logs, S3 events, object lock (CT.S3.PR.2, PR.4, PR.9).
    governLogBucket(bucket, ServerAccessLogBucket.of(scope));
    return bucket;
  }
  skipCheckov(bucket, 'CKV_AWS_18', 'This bucket is the load balancer\'s access-log destination; logging it would only log its own log deliveries.');
  // Server access logs for a log bucket would record the log writes themselves (and a second log
  // bucket would need its own logs). Who reads the logs is better audited with CloudTrail data events.
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions::AwsSolutions-S1',
    reason: 'This bucket only receives ALB access logs; server access logging of a log bucket would log the log delivery itself. Audit reads with CloudTrail data events.',
  });
  return bucket;
}
