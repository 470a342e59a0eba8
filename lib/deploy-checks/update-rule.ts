/**
 * The update rules (ESK-UPD*): each reports the hazards of some kinds that `compareTemplates`
 * finds between the version deployed now (DeployChecks' `previousVersion`) and the app as
 * synthesized. Without a previous version they find nothing. One comparison serves every rule:
 * it runs once per synthesis and the rules share its result.
 */
import { DeployCheckRule, Finding, PreviousVersion, stackKey, StackTemplate } from './rule';
import { compareTemplates, Hazard, HAZARD_KINDS, HazardKind, TemplateSet } from './update-hazards';

const cache = new WeakMap<readonly StackTemplate[], WeakMap<PreviousVersion, Hazard[]>>();

/** Every hazard of deploying `stacks` over `previous`, computed once per pair. */
function hazardsOf(stacks: readonly StackTemplate[], previous: PreviousVersion): Hazard[] {
  let byPrevious = cache.get(stacks);
  if (!byPrevious) {
    byPrevious = new WeakMap();
    cache.set(stacks, byPrevious);
  }
  let hazards = byPrevious.get(previous);
  if (!hazards) {
    const after: TemplateSet = {};
    const environments: Record<string, string | undefined> = {};
    for (const stack of stacks) {
      after[stackKey(stack.templatePath)] = stack.template;
      // A stack keeps its account and region from one version to the next.
      environments[stackKey(stack.templatePath)] = stack.account !== undefined && stack.region !== undefined ? `${stack.account}/${stack.region}` : undefined;
    }
    hazards = compareTemplates(previous.templates, after, { environments });
    byPrevious.set(previous, hazards);
  }
  return hazards;
}

/** A deploy check that reports the hazards of `kinds`; its severity is theirs. */
export function updateRule(props: { id: string; kinds: HazardKind[]; reason: string; fix: string }): DeployCheckRule {
  const severities = new Set(props.kinds.map((k) => HAZARD_KINDS[k].severity));
  if (severities.size !== 1) throw new Error(`${props.id}: kinds of one rule share a severity`);
  return {
    id: props.id,
    severity: [...severities][0],
    reason: props.reason,
    fix: props.fix,
    check: (stacks, previous) => {
      if (!previous) return [];
      const findings: Finding[] = [];
      for (const hazard of hazardsOf(stacks, previous)) {
        if (!props.kinds.includes(hazard.kind)) continue;
        // A resource that is gone is named in its stack's template; a stack that is gone, in the
        // template it was deployed from.
        const current = stacks.find((s) => stackKey(s.templatePath) === hazard.stack);
        const gone = current?.template.Resources?.[hazard.logicalId] === undefined;
        findings.push({
          templatePath: current?.templatePath ?? previous.templatePaths[hazard.stack] ?? hazard.stack,
          logicalId: hazard.logicalId,
          locations: [],
          detail: `${hazard.kind}: ${hazard.reason}`,
          // No construct holds a removed resource: name the path it had (from the deployed
          // template's metadata), else its stack, so an acknowledgement there applies.
          constructPath: gone ? previousConstructPath(previous, hazard.stack, hazard.logicalId) ?? current?.stackConstructPath : undefined,
        });
      }
      return findings;
    },
  };
}

/** The construct path a resource had in the deployed version (`aws:cdk:path` metadata), if recorded. */
function previousConstructPath(previous: PreviousVersion, stack: string, logicalId: string): string | undefined {
  const resource = previous.templates[stack]?.Resources?.[logicalId] as { Metadata?: Record<string, unknown> } | undefined;
  const recorded = resource?.Metadata?.['aws:cdk:path'];
  return typeof recorded === 'string' ? recorded : undefined;
}
