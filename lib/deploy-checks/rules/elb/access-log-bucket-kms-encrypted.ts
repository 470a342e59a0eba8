import { DeployCheckRule, Finding } from '../../rule';
import { allResources, asArray, identity, isTrue, lbAttribute, resolveIdentity } from '../../template';

/**
 * ESK-ELB3: ALB access logs support only SSE-S3 on the bucket (a Network Load Balancer's also take SSE-KMS). A bucket encrypted by default with
 * SSE-KMS makes log delivery fail (the deploy's test write is denied, later logs are dropped).
 *
 * Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 * ("The only server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)").
 */
export const ESK_ELB3: DeployCheckRule = {
  id: 'ESK-ELB3',
  severity: 'error',
  reason: 'ALB access-log bucket is encrypted with SSE-KMS: ELB delivers logs only to SSE-S3 buckets, so enabling logs fails "Access Denied"',
  fix: 'Use SSE-S3 (BucketEncryption.S3_MANAGED) on the access-log bucket.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      if (!isTrue(lbAttribute(resource, 'access_logs.s3.enabled'))) continue;
      // A Network Load Balancer's log delivery takes SSE-KMS with a key that admits it (NLB guide, "Enable access logs").
      if (resource.Properties?.Type === 'network') continue;
      const bucket = resolveIdentity(stacks, identity(stacks, stack, lbAttribute(resource, 'access_logs.s3.bucket')));
      if (bucket?.resource.Type !== 'AWS::S3::Bucket') continue;
      const kms = asArray(bucket.resource.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration)
        .some((c: any) => String(c?.ServerSideEncryptionByDefault?.SSEAlgorithm ?? '').startsWith('aws:kms'));
      if (kms) {
        findings.push({ templatePath: stack.templatePath, logicalId: id, locations: ['Properties/LoadBalancerAttributes'], detail: `bucket ${bucket.id} uses aws:kms` });
      }
    }
    return findings;
  },
};
