import { MAX_TARGET_GROUPS_PER_ALB } from '../../../load-balancer/route-validation';
import { DeployCheckRule, Finding, StackTemplate } from '../../rule';
import { allResources, forwardedTargetGroups, identity, resolveIdentity } from '../../template';

/**
 * ESK-ELB5: one ALB's listeners (default actions and rules, across all stacks) forward to more
 * than 100 target groups. The quota cannot be raised; the create of the 101st rule fails.
 *
 * Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 * ("Target groups per Application Load Balancer: 100", not adjustable).
 */
export const ESK_ELB5: DeployCheckRule = {
  id: 'ESK-ELB5',
  severity: 'error',
  reason: `An ALB forwards to more than ${MAX_TARGET_GROUPS_PER_ALB} target groups: the quota cannot be raised and the deploy fails`,
  fix: 'Spread the services over more load balancers.',
  check: (stacks) => {
    // listener identity → load balancer identity and where it is
    const listenerLb = new Map<string, { lb: string; stack: StackTemplate; id: string }>();
    const targetGroups = new Map<string, Set<string>>();
    const addTargets = (lb: string, actions: unknown, stack: StackTemplate) => {
      const set = targetGroups.get(lb) ?? new Set<string>();
      for (const tg of forwardedTargetGroups(actions)) set.add(identity(stacks, stack, tg));
      targetGroups.set(lb, set);
    };
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ElasticLoadBalancingV2::Listener')) {
      const lb = identity(stacks, stack, resource.Properties?.LoadBalancerArn);
      listenerLb.set(`${stack.templatePath}#${id}`, { lb, stack, id });
      addTargets(lb, resource.Properties?.DefaultActions, stack);
    }
    for (const { stack, resource } of allResources(stacks, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
      const listener = identity(stacks, stack, resource.Properties?.ListenerArn);
      addTargets(listenerLb.get(listener)?.lb ?? `listener:${listener}`, resource.Properties?.Actions, stack);
    }
    const findings: Finding[] = [];
    for (const [lb, set] of targetGroups) {
      if (set.size <= MAX_TARGET_GROUPS_PER_ALB) continue;
      const where = resolveIdentity(stacks, lb) ?? [...listenerLb.values()].find((l) => l.lb === lb);
      if (where === undefined) continue;
      findings.push({ templatePath: where.stack.templatePath, logicalId: where.id, locations: ['Properties'], detail: `${set.size} target groups` });
    }
    return findings;
  },
};
