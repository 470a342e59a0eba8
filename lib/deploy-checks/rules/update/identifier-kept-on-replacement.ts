import { updateRule } from '../../update-rule';

/**
 * ESK-UPD12: a resource replaced while its primary identifier stays the same. For every type of
 * the CloudFormation registry schemas (schema-facts.ts) whose primaryIdentifier the template
 * sets in full, with values known before the deploy (literals, or references to resources that
 * are not replaced): a create-only property changed, or the resource moved to another logical id
 * (a construct renamed or moved), and the identifier is equal in both versions. CloudFormation
 * creates the new resource first and deletes the old one only in cleanup, and a registry
 * handler's create must fail AlreadyExists when a resource with that identifier exists (the
 * CloudFormation CLI's contract test `contract_create_create`). A one-per-account-and-region type
 * (an ECR replication configuration or registry policy, whose create handlers check for an
 * existing one) moved to another logical id of the stack counts too: its identifier is the account.
 * Physical names already reported by ESK-UPD2 and ESK-UPD4 are not reported again.
 * Also an EFS mount target created in a zone where a mount target of the same file system exists
 * until cleanup (kind mount-target-in-use, efs-hazards.ts): one per zone, so MountTargetConflict.
 *
 * Sources: https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/contract-tests.html;
 * https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract-errors.html (AlreadyExists);
 * aws-cloudformation-resource-providers-ecr, ReplicationConfiguration and RegistryPolicy CreateHandler;
 * https://docs.aws.amazon.com/efs/latest/ug/API_CreateMountTarget.html (MountTargetConflict).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD12 = updateRule({
  id: 'ESK-UPD12',
  kinds: ['identifier-in-use', 'mount-target-in-use'],
  reason: 'Update replaces a resource (a create-only property changed, or its logical id did) while its primary identifier stays the same: the new one\'s create fails AlreadyExists',
  fix: 'Keep the construct id of a resource whose identifier you set, change the identifier in the same deploy as the replacing change, or remove the old one in one deploy and create the new one in the next',
});
