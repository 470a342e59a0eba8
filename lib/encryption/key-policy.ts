import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * AWS Control Tower CT.KMS.PR.3: only AWS services may create grants on the key, and only for AWS
 * resources. The keys the library creates are used by services that call GenerateDataKey and
 * Decrypt themselves (SNS, CloudWatch, EventBridge, CloudWatch Logs), never through grants a
 * principal creates, so the statement takes nothing away.
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptByAwsServicesForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
