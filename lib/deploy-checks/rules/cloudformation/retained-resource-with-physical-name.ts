import { physicalName } from '../../physical-names';
import { DeployCheckRule, Finding } from '../../rule';
import { referencedIds, resources } from '../../template';
import { isRetained } from '../update/comparison';

/**
 * ESK-RET1: a resource with DeletionPolicy Retain and an explicit physical name. A stack delete
 * leaves it behind, so creating the stack again fails "<name> already exists" until someone
 * deletes or imports it by hand (and a replacement on update fails for custom-named resources).
 *
 * Sources: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html;
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html
 */
export const ESK_RET1: DeployCheckRule = {
  id: 'ESK-RET1',
  severity: 'warning',
  reason: 'Retained resource has an explicit physical name: after a stack delete, re-creating the stack fails "already exists"',
  fix: 'Leave the name out, or keep it and plan to import the retained resource (cdk import) when the stack is re-created.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      for (const [id, resource] of resources(stack.template)) {
        if (!isRetained(resource)) continue;
        const entry = physicalName(resource.Type);
        const name = entry ? resource.Properties?.[entry.name] : undefined;
        if (entry === undefined || name === undefined) continue;
        // A name (or its parent: a listener's load balancer) built from resources of the stack
        // is new when the stack is created again: no clash with the retained one.
        const parts = [name, ...entry.scope.map((p) => resource.Properties?.[p])];
        if (parts.some((part) => [...referencedIds(part)].some((r) => stack.template.Resources?.[r] !== undefined))) continue;
        findings.push({
          templatePath: stack.templatePath, logicalId: id, locations: ['DeletionPolicy', `Properties/${entry.name}`],
          detail: typeof name === 'string' ? `${entry.name} ${name}` : undefined,
        });
      }
    }
    return findings;
  },
};
