import { DeployCheckRule, Finding, StackTemplate } from '../../rule';
import { allResources, identity } from '../../template';

/**
 * ESK-ELB1: two listener rules with the same Priority on the same listener. Priorities are
 * unique per listener at every moment, so the second create fails ("Priority '10' is currently
 * in use"); across stacks the listener is matched by its export/ImportValue or literal ARN.
 *
 * Sources: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
 * ("Each rule has a priority ... unique"); https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-listenerrule.html
 */
export const ESK_ELB1: DeployCheckRule = {
  id: 'ESK-ELB1',
  severity: 'error',
  reason: 'Two listener rules share a Priority on the same listener: the second create fails "Priority is currently in use"',
  fix: 'Give every rule on a listener its own priority (across all stacks that attach to it).',
  check: (stacks) => {
    const groups = new Map<string, { stack: StackTemplate; id: string }[]>();
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
      const priority = Number(resource.Properties?.Priority);
      if (!Number.isFinite(priority)) continue;
      const key = `${identity(stacks, stack, resource.Properties?.ListenerArn)} ${priority}`;
      groups.set(key, [...(groups.get(key) ?? []), { stack, id }]);
    }
    const findings: Finding[] = [];
    for (const [key, rules] of groups) {
      if (rules.length < 2) continue;
      const priority = key.slice(key.lastIndexOf(' ') + 1);
      for (const rule of rules) {
        const others = rules.filter((r) => r !== rule).map((r) => (r.stack === rule.stack ? r.id : `${r.id} in ${basename(r.stack.templatePath)}`));
        findings.push({
          templatePath: rule.stack.templatePath, logicalId: rule.id, locations: ['Properties/Priority'],
          detail: `priority ${priority} also used by ${others.join(', ')}`,
        });
      }
    }
    return findings;
  },
};

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
