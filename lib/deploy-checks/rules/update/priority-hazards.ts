/**
 * Listener-rule priorities (ESK-UPD1), per listener (a replaced listener is a new listener). A
 * priority is unique on its listener at every moment (ELB CreateRule, SetRulePriorities:
 * PriorityInUse), and a rule that gives it up is deleted, or its old copy is, only in cleanup.
 */
import { canonical, Comparison, Holder, qualify, TemplateSet } from './comparison';

/** priority-in-use and priority-race: a priority of N taken by another rule, or by a replacement of its rule. */
export function priorityHazards(c: Comparison): void {
  const { before, after, replacedBy, push, resourcesOf, stays, isReplaced, same, where } = c;
  const priorities = (set: TemplateSet, replacedIn: boolean): Map<string, Holder> => {
    const out = new Map<string, Holder>();
    for (const stack of Object.keys(set)) {
      const replaced = replacedIn ? new Set(replacedBy.get(stack)!.keys()) : new Set<string>();
      for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
        if (r.Type !== 'AWS::ElasticLoadBalancingV2::ListenerRule' || r.Properties?.Priority === undefined) continue;
        out.set(canonical([qualify(r.Properties.ListenerArn, stack, replaced), r.Properties.Priority]), { stack, id });
      }
    }
    return out;
  };
  const heldBefore = priorities(before, false);
  for (const [key, y] of priorities(after, true)) {
    const x = heldBefore.get(key);
    if (x === undefined) continue;
    const priority = JSON.parse(key)[1];
    const rule = resourcesOf(after, y.stack)[y.id];
    if (same(x, y)) {
      if (isReplaced(y)) push('priority-in-use', y.stack, y.id, rule.Type, `is replaced with the same priority ${priority}: the new rule is created while the old one still holds it → PriorityInUse`);
      continue;
    }
    const old = where(x, y.stack);
    if (!stays(x)) {
      push('priority-in-use', y.stack, y.id, rule.Type, `takes priority ${priority} from ${old}, which is deleted only in the cleanup phase, after ${y.id} is created or updated → PriorityInUse`);
    } else if (isReplaced(x)) {
      push('priority-in-use', y.stack, y.id, rule.Type, `takes priority ${priority} from ${old}, which is replaced: its old copy holds the priority until cleanup → PriorityInUse`);
    } else {
      push('priority-race', y.stack, y.id, rule.Type, `takes priority ${priority} from ${old}, which stays and moves: the two updates run in parallel, so ${y.id} may ask for it first → PriorityInUse`);
    }
  }
}
