/**
 * Shifted listener rules (ESK-UPD9): ECS sets the weights of the production and test listener
 * rules of a service deployed with ECS-native canary, linear or blue/green. An update that
 * changes such a rule (or the listener it is on) re-sends its actions: the weights go back to the
 * template's, and traffic may land on the target group ECS emptied at the end of the last
 * deployment (aws-cdk #36649).
 */
import { canonical, Comparison } from './comparison';

/** shifted-rule-reset and shifted-rule-removed. */
export function shiftedRuleHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    const shifted = new Set<string>();
    for (const r of Object.values(b)) {
      if (r.Type !== 'AWS::ECS::Service' || !['CANARY', 'LINEAR', 'BLUE_GREEN'].includes(r.Properties?.DeploymentConfiguration?.Strategy)) continue;
      for (const lb of (r.Properties?.LoadBalancers ?? []) as Array<Record<string, any>>) {
        for (const rule of [lb.AdvancedConfiguration?.ProductionListenerRule, lb.AdvancedConfiguration?.TestListenerRule]) {
          if (rule && typeof rule === 'object' && typeof rule.Ref === 'string') shifted.add(rule.Ref);
        }
      }
    }
    const replaced = replacedBy.get(stack)!;
    for (const id of shifted) {
      const [old, now] = [b[id], a[id]];
      if (old?.Type !== 'AWS::ElasticLoadBalancingV2::ListenerRule') continue;
      if (now === undefined) {
        const owners = Object.entries(b).filter(([sid, r]) => r.Type === 'AWS::ECS::Service' && a[sid]?.Type === 'AWS::ECS::Service' && !replaced.has(sid)
          && JSON.stringify(r.Properties?.LoadBalancers ?? []).includes(`"Ref":"${id}"`));
        if (owners.length === 0) continue;
        push('shifted-rule-removed', stack, id, old.Type, `is removed while the service ${owners.map(([sid]) => sid).join(', ')} stays: it is deleted only in the cleanup phase, after the service `
          + 'has rolled onto its primary target group, and if the last canary, linear or blue/green deployment left its weights on the alternate group, every request it takes until then fails. '
          + 'Before this deploy, check the rule\'s weights (aws elbv2 describe-rules) and, if the alternate group has the traffic, put it back on the primary group (aws elbv2 modify-rule)');
        continue;
      }
      // A replaced target group gets a new ARN: the rule's actions are re-sent although their Ref text is the same.
      const replacedGroups = [...replaced.keys()].filter((g) => JSON.stringify(now.Properties?.Actions ?? []).includes(`"Ref":"${g}"`));
      // Tags too: a tags-only change runs the same update handler, whose permissions include
      // ModifyRule (the resource schema); whether it then re-sends the actions is not documented,
      // so it counts as if it does.
      const changed = ['Actions', 'Conditions', 'Priority', 'ListenerArn', 'Tags'].filter((k) => canonical(old.Properties?.[k]) !== canonical(now.Properties?.[k]))
        .concat(replacedGroups.length > 0 ? [`the target group${replacedGroups.length > 1 ? 's' : ''} ${replacedGroups.join(', ')} (replaced)`] : []);
      if (changed.length === 0) continue;
      push('shifted-rule-reset', stack, id, now.Type, `changes ${changed.join(', ')} of the listener rule whose weights ECS sets for a canary, linear or blue/green service: `
        + 'CloudFormation re-sends its actions with the template\'s weights, so traffic can move to the target group ECS emptied after the last deployment (aws-cdk #36649)');
    }
  }
}
