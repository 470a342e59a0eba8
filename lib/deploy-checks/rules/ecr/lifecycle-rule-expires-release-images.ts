import { DeployCheckRule, Finding } from '../../rule';
import { allResources, asArray } from '../../template';

/**
 * ESK-ECR2: an ECR lifecycle rule that expires tagged images by count or age (tagStatus `any`,
 * or `tagged` with a catch-all pattern such as `*`) and no higher-priority rule that selects the
 * release tags first. It can delete the image that running tasks, a scale-out or a rollback still
 * need (CannotPullContainerError on the next task start).
 *
 * Source: https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 * ("An image that matches the tagging requirements of a rule cannot be expired by a rule with a
 * lower priority"; tagStatus any; tagPatternList wildcards).
 */
export const ESK_ECR2: DeployCheckRule = {
  id: 'ESK-ECR2',
  severity: 'warning',
  reason: 'ECR lifecycle rule can expire any tagged image by count or age and no higher-priority rule protects release tags: it may delete images running tasks or a rollback need',
  fix: 'Add a higher-priority rule that selects release tags (tagStatus tagged, a specific tagPatternList) and keeps enough of them; expire only untagged images broadly.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ECR::Repository')) {
      const text = resource.Properties?.LifecyclePolicy?.LifecyclePolicyText;
      if (typeof text !== 'string') continue;
      let rules: any[];
      try {
        rules = asArray(JSON.parse(text).rules);
      } catch {
        continue;
      }
      const sorted = [...rules].sort((a, b) => Number(a?.rulePriority) - Number(b?.rulePriority));
      sorted.forEach((rule, i) => {
        if (!isBroad(rule) || rule?.action?.type !== 'expire') return;
        const protectedBefore = sorted.slice(0, i).some((r) => r?.selection?.tagStatus === 'tagged' && !isBroad(r));
        if (protectedBefore) return;
        findings.push({
          templatePath: stack.templatePath, logicalId: id, locations: ['Properties/LifecyclePolicy/LifecyclePolicyText'],
          detail: `rule ${rule?.rulePriority} (tagStatus ${rule?.selection?.tagStatus}, ${rule?.selection?.countType} ${rule?.selection?.countNumber})`,
        });
      });
    }
    return findings;
  },
};

/** Selects every tagged image: tagStatus any, or tagged with a `*` pattern or an empty prefix. */
function isBroad(rule: any): boolean {
  const selection = rule?.selection ?? {};
  if (selection.tagStatus === 'any') return true;
  if (selection.tagStatus !== 'tagged') return false;
  const patterns = asArray(selection.tagPatternList);
  const prefixes = asArray(selection.tagPrefixList);
  return patterns.some((p) => /^\*+$/.test(String(p))) || prefixes.some((p) => String(p) === '');
}
