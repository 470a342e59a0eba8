import { Aws, CfnCondition, CfnMapping, CfnResource, Fn, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TARGET_PARTITIONS } from 'aws-cdk-lib/cx-api';
import { FactName, RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Access-log delivery for an Application Load Balancer (internal, not exported from index.ts).
 *
 * The bucket policy must let Elastic Load Balancing write `AWSLogs/<account>/*`. Who writes
 * depends on the region: in regions that existed before August 2022 the regional Elastic Load
 * Balancing account (`arn:<partition>:iam::<elb-account>:root`), in newer ones the service principal
 * `logdelivery.elasticloadbalancing.amazonaws.com`.
 *
 * - A stack with a concrete region uses aws-cdk-lib's `logAccessLogs`, which looks the region up
 *   in `RegionInfo` at synth (the template is unchanged from earlier versions).
 * - An environment-agnostic stack (no `env`, what `cdk init app` makes) has the region as a token,
 *   where `logAccessLogs` throws. The statement is then written here: a mapping keyed on
 *   `AWS::Region` holds the ELB account of every region aws-cdk-lib knows (`none` for the newer
 *   regions), and a condition picks the account principal or the service principal with `Fn::If`.
 *   `Fn::FindInMap` has no "has key" test and its `DefaultValue` needs the `AWS::LanguageExtensions`
 *   transform, which this library does not impose on a user's whole stack; so a region launched
 *   after the installed aws-cdk-lib fails the deploy with "Unable to get mapping" until aws-cdk-lib
 *   is upgraded, the stack gets an `env` with its region, or the region is registered with
 *   `Fact.register`. The `@aws-cdk/core:target-partitions` context limits the mapping, as for
 *   aws-cdk-lib's own regional facts.
 */

/** The service principal that writes access logs in regions launched since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';
/** The mapping value of a region without an Elastic Load Balancing account. */
const NO_ELB_ACCOUNT = 'none';
const MAPPING_ID = 'EcsServiceKitElbLogDeliveryAccounts';
const MAPPING_KEY = 'account';
const CONDITION_ID = 'EcsServiceKitElbLogDeliveryByServicePrincipal';

/** A principal whose `AWS` and `Service` entries are each present in one branch of a condition. */
class ConditionalElbLogDeliveryPrincipal extends iam.PrincipalBase {
  constructor(private readonly awsValue: string, private readonly serviceValue: string) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment({ AWS: [this.awsValue], Service: [this.serviceValue] });
  }

  public toString(): string {
    return 'ElbLogDeliveryPrincipal(region-dependent)';
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}

function mappingFor(stack: Stack): CfnMapping {
  const existing = stack.node.tryFindChild(MAPPING_ID);
  if (existing) return existing as CfnMapping;
  const partitions: unknown = stack.node.tryGetContext(TARGET_PARTITIONS);
  const regions = Object.keys(Array.isArray(partitions)
    ? RegionInfo.limitedRegionMap(FactName.PARTITION, partitions as string[])
    : RegionInfo.regionMap(FactName.PARTITION)).sort();
  const mapping: Record<string, Record<string, string>> = {};
  for (const region of regions) {
    mapping[region] = { [MAPPING_KEY]: RegionInfo.get(region).elbv2Account ?? NO_ELB_ACCOUNT };
  }
  return new CfnMapping(stack, MAPPING_ID, { mapping });
}

function conditionFor(stack: Stack, account: string): CfnCondition {
  const existing = stack.node.tryFindChild(CONDITION_ID);
  if (existing) return existing as CfnCondition;
  return new CfnCondition(stack, CONDITION_ID, { expression: Fn.conditionEquals(account, NO_ELB_ACCOUNT) });
}

/**
 * Turns on access logs to `bucket` with a bucket policy that is right in the stack's region,
 * known or not. Returns false when no policy could be attached (an imported bucket).
 */
export function logAccessLogs(alb: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, prefix: string | undefined): boolean {
  const stack = Stack.of(alb);
  if (!Token.isUnresolved(stack.region)) {
    alb.logAccessLogs(bucket, prefix);
    return bucket.policy !== undefined;
  }

  // The same attributes as aws-cdk-lib's logAccessLogs.
  alb.setAttribute('access_logs.s3.enabled', 'true');
  alb.setAttribute('access_logs.s3.bucket', bucket.bucketName.toString());
  alb.setAttribute('access_logs.s3.prefix', prefix ?? '');

  // The statement lives in the bucket's policy, so its mapping and condition must be in the
  // bucket's template: a condition cannot be referenced across stacks (aws-cdk-lib copies a
  // mapping, not a condition). An access-log bucket is always in the load balancer's region.
  const policyStack = Stack.of(bucket);
  const created = policyStack.node.tryFindChild(MAPPING_ID) === undefined;
  const account = mappingFor(policyStack).findInMap(Aws.REGION, MAPPING_KEY);
  const byService = conditionFor(policyStack, account);
  const principal = new ConditionalElbLogDeliveryPrincipal(
    Fn.conditionIf(byService.logicalId, Aws.NO_VALUE, `arn:${Aws.PARTITION}:iam::${account}:root`).toString(),
    Fn.conditionIf(byService.logicalId, ELB_LOG_DELIVERY_SERVICE, Aws.NO_VALUE).toString(),
  );
  const result = bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [principal],
    resources: [bucket.arnForObjects(`${prefix ? `${prefix}/` : ''}AWSLogs/${stack.account}/*`)],
  }));
  if (!result.statementAdded && created) {
    // An imported bucket takes no statement: leave no unused mapping and condition behind.
    policyStack.node.tryRemoveChild(CONDITION_ID);
    policyStack.node.tryRemoveChild(MAPPING_ID);
  }
  // ELB checks that it may write when the attribute is set: the policy must exist first.
  const lb = alb.node.defaultChild;
  const policy = bucket.policy?.node.defaultChild;
  if (result.statementAdded && lb instanceof CfnResource && policy instanceof CfnResource) {
    if (Stack.of(policy) === stack) lb.addResourceDependency(policy);
    else alb.node.addDependency(bucket.policy!);
  }
  return result.statementAdded && bucket.policy !== undefined;
}

/**
 * The bucket-policy statements a user must add by hand to a bucket no policy can be attached to
 * (an imported one), as JSON text: one for the stack's region, or both variants when the region
 * is only known at deploy time.
 */
export function accessLogStatementsText(alb: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, prefix: string | undefined): string {
  const stack = Stack.of(alb);
  const region = stack.region;
  const known = !Token.isUnresolved(region);
  const partition = known ? RegionInfo.get(region).partition ?? 'aws' : '<partition, e.g. aws>';
  const bucketName = Token.isUnresolved(bucket.bucketName) ? '<bucket name>' : bucket.bucketName;
  const account = Token.isUnresolved(stack.account) ? '<your account id>' : stack.account;
  const resource = `arn:${partition}:s3:::${bucketName}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
  const statement = (principal: Record<string, string>) =>
    JSON.stringify({ Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: resource });
  if (known) {
    const elbAccount = RegionInfo.get(region).elbv2Account;
    return elbAccount
      ? statement({ AWS: `arn:${partition}:iam::${elbAccount}:root` })
      : statement({ Service: ELB_LOG_DELIVERY_SERVICE });
  }
  return `in a region that existed before August 2022: ${statement({ AWS: `arn:${partition}:iam::<Elastic Load Balancing account of the region>:root` })}; ` +
    `in a newer region: ${statement({ Service: ELB_LOG_DELIVERY_SERVICE })} ` +
    '(the accounts are listed at https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html)';
}

/** The service principal that writes a Network Load Balancer's access logs, in every region. */
export const NLB_LOG_DELIVERY_SERVICE = 'delivery.logs.amazonaws.com';

/**
 * Turns on a Network Load Balancer's access logs to `bucket`, with the bucket policy the Network
 * Load Balancer guide asks for: `delivery.logs.amazonaws.com` may put objects under
 * `AWSLogs/<account>/` (with the bucket-owner-full-control ACL) and read the bucket's ACL, for this
 * account's log deliveries only (`aws:SourceAccount`, `aws:SourceArn`). Unlike an Application Load
 * Balancer's, the principal does not depend on the region, so an environment-agnostic stack
 * needs no lookup (aws-cdk-lib's `logAccessLogs` throws there). Returns false when no policy could
 * be attached (an imported bucket).
 */
export function logNetworkAccessLogs(nlb: elbv2.NetworkLoadBalancer, bucket: s3.IBucket, prefix: string | undefined): boolean {
  const stack = Stack.of(nlb);
  nlb.setAttribute('access_logs.s3.enabled', 'true');
  nlb.setAttribute('access_logs.s3.bucket', bucket.bucketName.toString());
  nlb.setAttribute('access_logs.s3.prefix', prefix ?? '');
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
  };
  const principals = [new iam.ServicePrincipal(NLB_LOG_DELIVERY_SERVICE)];
  const write = bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AWSLogDeliveryWrite',
    principals,
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects(`${prefix ? `${prefix}/` : ''}AWSLogs/${stack.account}/*`)],
    conditions: { ...conditions, StringEquals: { ...conditions.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' } },
  }));
  const aclCheck = bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AWSLogDeliveryAclCheck',
    principals,
    actions: ['s3:GetBucketAcl'],
    resources: [bucket.bucketArn],
    conditions,
  }));
  const added = write.statementAdded && aclCheck.statementAdded && bucket.policy !== undefined;
  // ELB checks that it may write when the attribute is set: the policy must exist first.
  if (added) nlb.node.addDependency(bucket.policy!);
  return added;
}

/** The statements `logNetworkAccessLogs` adds, as JSON text, for a bucket whose policy the user keeps. */
export function networkAccessLogStatementsText(nlb: elbv2.NetworkLoadBalancer, bucket: s3.IBucket, prefix: string | undefined): string {
  const stack = Stack.of(nlb);
  const bucketName = Token.isUnresolved(bucket.bucketName) ? '<bucket name>' : bucket.bucketName;
  const account = Token.isUnresolved(stack.account) ? '<your account id>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<region>' : stack.region;
  const source = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:aws:logs:${region}:${account}:*` } };
  return JSON.stringify([
    { Sid: 'AWSLogDeliveryWrite', Effect: 'Allow', Principal: { Service: NLB_LOG_DELIVERY_SERVICE }, Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucketName}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`,
      Condition: { ...source, StringEquals: { ...source.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' } } },
    { Sid: 'AWSLogDeliveryAclCheck', Effect: 'Allow', Principal: { Service: NLB_LOG_DELIVERY_SERVICE }, Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${bucketName}`, Condition: source },
  ]);
}

/** The keys whose policy already admits Network Load Balancer log delivery. */
const keysAdmittingNetworkLogDelivery = new WeakSet<kms.Key>();

/**
 * Lets Network Load Balancer log delivery encrypt access logs with `key` (SSE-KMS on the log
 * bucket), for this account's deliveries only: the key policy statement of the Network Load
 * Balancer guide ("Enable access logs", bucket encryption). Added once per key.
 */
export function allowNetworkLogDelivery(key: kms.IKey): void {
  if (!(key instanceof kms.Key) || keysAdmittingNetworkLogDelivery.has(key)) return;
  keysAdmittingNetworkLogDelivery.add(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowNetworkLoadBalancerLogDelivery',
    principals: [new iam.ServicePrincipal(NLB_LOG_DELIVERY_SERVICE)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
  }));
}
