import { CfnResource, DeployCheckRule, Finding } from '../../rule';
import { allResources, asArray, dependsTransitively, identity, isTrue, lbAttribute, resolveIdentity } from '../../template';

/** Principals that deliver ALB access logs: the regional ELB account (older regions) or the service principal (newer regions). */
const LOG_DELIVERY_SERVICES = ['logdelivery.elasticloadbalancing.amazonaws.com', 'delivery.logs.amazonaws.com'];

/**
 * ESK-ELB2: an ALB with access logs on must write to a bucket whose policy lets ELB log delivery
 * put objects, and that policy must exist before the attribute is set: ELB test-writes when
 * logging is enabled and fails the deploy with "Access Denied for bucket". An imported bucket has
 * no policy resource in the app (aws-cdk-lib drops the statements it would add), so the deploy
 * only works if the bucket already grants it.
 *
 * Sources: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 * (bucket policy per region, "Access Denied for bucket" troubleshooting); aws-cdk-lib
 * BaseLoadBalancer.logAccessLogs adds the DependsOn on the policy.
 */
export const ESK_ELB2: DeployCheckRule = {
  id: 'ESK-ELB2',
  severity: 'error',
  reason: 'ALB access logs go to a bucket without a bucket policy in the app granting ELB log delivery (or the ALB does not depend on it): the deploy fails "Access Denied for bucket"',
  fix: 'Create the bucket and its policy in the app (CDK: loadBalancer.logAccessLogs(bucket) on a Bucket, not Bucket.fromBucketName), or acknowledge when the imported bucket already grants log delivery.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      if (!isTrue(lbAttribute(resource, 'access_logs.s3.enabled'))) continue;
      const bucketValue = lbAttribute(resource, 'access_logs.s3.bucket');
      const bucket = resolveIdentity(stacks, identity(stacks, stack, bucketValue));
      const add = (detail: string) => findings.push({ templatePath: stack.templatePath, logicalId: id, locations: ['Properties/LoadBalancerAttributes'], detail });
      if (bucket === undefined || bucket.resource.Type !== 'AWS::S3::Bucket') {
        add(`bucket ${typeof bucketValue === 'string' ? bucketValue : JSON.stringify(bucketValue)} is not a bucket of this app`);
        continue;
      }
      const policies = allResources(stacks, 'AWS::S3::BucketPolicy')
        .filter((p) => identity(stacks, p.stack, p.resource.Properties?.Bucket) === `${bucket.stack.templatePath}#${bucket.id}`)
        .filter((p) => grantsLogDelivery(p.resource));
      if (policies.length === 0) {
        add(`bucket ${bucket.id} has no bucket policy granting s3:PutObject to ELB log delivery`);
      } else if (bucket.stack === stack && !policies.some((p) => p.stack === stack && dependsTransitively(stack.template, id, p.id))) {
        add(`no dependency on bucket policy ${policies.map((p) => p.id).join(', ')}: it can be created after the load balancer`);
      }
    }
    return findings;
  },
};

/** Whether a bucket policy allows s3:PutObject to an AWS account principal or the log-delivery service. */
function grantsLogDelivery(policy: CfnResource): boolean {
  return asArray(policy.Properties?.PolicyDocument?.Statement).some((s: any) => {
    if (s?.Effect !== 'Allow') return false;
    const actions = asArray(s.Action);
    if (!actions.some((a) => a === 's3:PutObject' || a === 's3:*' || a === '*' || a === 's3:Put*')) return false;
    const principal = s.Principal ?? {};
    const services = asArray(principal.Service);
    return asArray(principal.AWS).length > 0 || services.some((svc) => LOG_DELIVERY_SERVICES.includes(svc));
  });
}
