import { updateRule } from '../../update-rule';

/**
 * ESK-UPD6: DeletionPolicy Retain keeps the resource when its logical id leaves the template.
 * Source: AWS CloudFormation User Guide, "DeletionPolicy attribute" (Retain keeps the resource
 * without deleting it when it leaves the stack).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD6 = updateRule({
  id: 'ESK-UPD6',
  kinds: ['retained-orphaned'],
  reason: 'Update removes a retained resource from the stack: it stays in the account, unmanaged, and an explicit name then blocks adding it back',
  fix: 'Delete the orphaned resource or import it into the stack that should own it',
});
