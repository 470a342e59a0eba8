import { updateRule } from '../../update-rule';

/**
 * ESK-UPD2: the new holder is created before the old one is deleted in cleanup (a rename or move of a construct with an explicit name).
 * Source: AWS CloudFormation User Guide, "Update behaviors of stack resources" (new and replacement
 * resources are created before the cleanup phase deletes the old ones); the registry schemas'
 * primaryIdentifier (schema-facts.ts).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD2 = updateRule({
  id: 'ESK-UPD2',
  kinds: ['name-in-use'],
  reason: 'Update gives a physical name (or port) to another logical id while its holder still exists: already exists',
  fix: 'Keep the construct id (logical id) of a named resource, drop the explicit name, or free the name in one deploy and take it in the next',
});
