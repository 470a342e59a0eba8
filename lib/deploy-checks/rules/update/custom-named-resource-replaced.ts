import { updateRule } from '../../update-rule';

/**
 * ESK-UPD4: "cannot update a stack when a custom-named resource requires replacing".
 * Source: AWS CloudFormation User Guide, "Update behaviors of stack resources" and the Name type
 * ("you can't perform an update that causes a custom-named resource to be replaced"); the
 * resource's registry schema (createOnlyProperties).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD4 = updateRule({
  id: 'ESK-UPD4',
  kinds: ['named-replacement'],
  reason: 'Update must replace a resource that keeps its explicit physical name: CloudFormation refuses to replace a custom-named resource',
  fix: 'Change the name in the same deploy as the replacing property, or drop the explicit name',
});
