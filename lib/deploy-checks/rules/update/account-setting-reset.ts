import { updateRule } from '../../update-rule';

/**
 * ESK-UPD11: a one-per-account-and-region resource removed from the app. Its type's primary
 * identifier is the account (schema-facts.ts: AccountId, or an ECR RegistryId) and its delete
 * handler calls AWS, so deleting it resets an account-wide setting: the ECR replication
 * configuration's delete handler puts an empty rule list, for every repository of the registry,
 * whoever configured it. CloudFormation runs the delete in the update's cleanup phase.
 * A move to another logical id, or another stack of the same account and region, is ESK-UPD12's
 * (the create fails first).
 *
 * Source: aws-cloudformation-resource-providers-ecr, ReplicationConfiguration DeleteHandler
 * (PutReplicationConfiguration with no rules); the schemas' `handlers.delete.permissions`.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD11 = updateRule({
  id: 'ESK-UPD11',
  kinds: ['account-setting-reset'],
  reason: 'Update removes a one-per-account-and-region resource: its delete resets the setting for the whole account and region, including what others set',
  fix: 'If the setting must stay, set DeletionPolicy Retain (RemovalPolicy.RETAIN) in one deploy and remove it in the next; to hand it to another stack, retain it, remove it here, then cdk import it there (a create fails while it exists)',
});
