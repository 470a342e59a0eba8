import { updateRule } from '../../update-rule';

/**
 * ESK-UPD5: a removed logical id is deleted in cleanup, a replacement starts empty.
 * Source: AWS CloudFormation User Guide, "DeletionPolicy attribute" and "UpdateReplacePolicy
 * attribute" (Delete is the default for most types: a removed or replaced resource is deleted).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD5 = updateRule({
  id: 'ESK-UPD5',
  kinds: ['stateful-deleted', 'stateful-replaced', 'unretained'],
  reason: 'Update deletes or replaces a stateful resource (repository, log group, bucket, key) or stops retaining it: its data is lost',
  fix: 'Keep the logical id and the replacing properties of stateful resources; to move one, retain it first and import it where it goes',
});
