/**
 * Update hazards: compares two versions of an app's templates (version N, deployed, and N+1, to
 * deploy) and names what would fail or lose data when CloudFormation updates N to N+1.
 *
 * CloudFormation updates in two phases: first it
 * creates new resources and updates changed ones (a replacement is created here too), then, in
 * the cleanup phase, it deletes removed resources and the old copies of replaced ones. So a new,
 * changed or replacement resource cannot take over anything a removed or replaced resource still
 * holds: a listener-rule priority, a physical name, a port, a subnet's addresses.
 *
 * One pure function, compareTemplates, serves the deploy checks' update rules (ESK-UPD*, with
 * DeployChecks' `previousVersion`), the update-sequence tests (test/update) and the
 * stateful-resource guard of the examples test (test/quality/stateful-guard.ts keeps its stateful
 * kinds). It composes the hazard families, each in rules/update/ beside the rules that report
 * it; their shared vocabulary is rules/update/comparison.ts. Internal: not exported from the package.
 */

import { CfnResource, CfnTemplate } from './rule';
import { accountSettingReset } from './rules/update/account-setting-hazards';
import { Hazard, newComparison, TemplateSet } from './rules/update/comparison';
import {
  movedServiceHazards, serviceConnectNameHazards, serviceConnectProtocolHazards, serviceReplaced,
} from './rules/update/ecs-service-hazards';
import { accessPointOwnerHazards, mountTargetHazards } from './rules/update/efs-hazards';
import { identifierHazards } from './rules/update/identifier-hazards';
import { defaultRouteToRuleHazards, networkLoadBalancerSecurityGroupHazards, protectedLoadBalancerHazards, targetGroupReplacedHazards } from './rules/update/load-balancer-hazards';
import { nameHazards, namedReplacement } from './rules/update/name-hazards';
import { priorityHazards } from './rules/update/priority-hazards';
import { shiftedRuleHazards } from './rules/update/shifted-rule-hazards';
import { statefulRemoved, statefulReplaced, unretained } from './rules/update/stateful-hazards';
import { subnetHazards } from './rules/update/subnet-hazards';

/** The template types every deploy check reads (rule.ts), under the names the tests know. */
export type { CfnTemplate };
export type CfnResourceJson = CfnResource;

export {
  canonical, HAZARD_KINDS, isRetained, isStateful, replacedResources, replacingPaths, RETAINING_POLICIES, STATEFUL_TYPES,
} from './rules/update/comparison';
export type { Hazard, HazardKind, HazardSeverity, ReplacingPath, TemplateSet } from './rules/update/comparison';

/**
 * Every hazard of deploying `after` over `before` (templates by stack name). Errors: the update
 * fails or may fail, or data is lost; warnings: it succeeds with a cost worth a look. The families
 * run in this order, and the report keeps it: the tests compare the hazards in order.
 */
export function compareTemplates(
  before: TemplateSet, after: TemplateSet, options: { app?: string; environments?: Readonly<Record<string, string | undefined>> } = {},
): Hazard[] {
  const c = newComparison(before, after, options);

  // Per resource of N: deleted, orphaned, replaced, no longer retained.
  for (const stack of c.stacks) {
    const [b, a] = [c.resourcesOf(before, stack), c.resourcesOf(after, stack)];
    const replaced = c.replacedBy.get(stack)!;
    for (const [id, old] of Object.entries(b)) {
      const now = a[id];
      if (now === undefined) {
        statefulRemoved(c, stack, id, old);
        accountSettingReset(c, stack, id, old);
        continue;
      }
      statefulReplaced(c, stack, id, old);
      if (replaced.has(id)) {
        namedReplacement(c, stack, id, old, now);
        serviceReplaced(c, stack, id, now);
      }
      unretained(c, stack, id, old, now);
    }
  }
  movedServiceHazards(c);
  priorityHazards(c);
  nameHazards(c);
  // After the names: a resource whose name already tells the hazard is not told again.
  identifierHazards(c);
  mountTargetHazards(c);
  accessPointOwnerHazards(c);
  serviceConnectProtocolHazards(c);
  serviceConnectNameHazards(c);
  shiftedRuleHazards(c);
  subnetHazards(c);
  networkLoadBalancerSecurityGroupHazards(c);
  targetGroupReplacedHazards(c);
  protectedLoadBalancerHazards(c);
  defaultRouteToRuleHazards(c);
  return [...c.hazards];
}

/** `<severity> <kind>: <app> <stack> <logicalId> (<type>): <reason>` */
export function describeHazard(h: Hazard): string {
  return `${h.severity} ${h.kind}: ${h.app} ${h.stack} ${h.logicalId} (${h.type}): ${h.reason}`;
}

/** Errors only (what fails the update or loses data). */
export function errorsOf(hazards: Hazard[]): Hazard[] {
  return hazards.filter((h) => h.severity === 'error');
}
