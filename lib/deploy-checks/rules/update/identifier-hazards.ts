/**
 * Primary identifiers (ESK-UPD12): the registry contract has a create fail AlreadyExists when a
 * resource with its identifier exists ("contract_create_create", CloudFormation CLI contract
 * tests); an identifier the template sets in full and keeps across a replacement or a move is held
 * by the old resource until cleanup. Names (name-hazards.ts) already say it for theirs.
 */
import { CfnResource, CfnTemplate } from '../../rule';
import { schemaFacts, valueAt } from '../../schema-facts';
import { referencedIds } from '../../template';
import { canonical, Comparison, Holder, qualify, show, TemplateSet } from './comparison';

type CfnResourceJson = CfnResource;

/**
 * The primary identifier of a resource as the template sets it (schema-facts.ts), with references
 * qualified; undefined when AWS generates a part of it, a part is absent (CloudFormation then
 * generates a name), or a part is not known before the deploy (a parameter, an import, a
 * condition). A one-per-account-and-region type is identified by the account and region its stack
 * deploys to (`environments`; stacks whose environment is not known are taken to share one).
 */
function identifierKey(resource: CfnResourceJson, stack: string, replaced: ReadonlySet<string>, template: CfnTemplate, environment: string): string | undefined {
  const facts = schemaFacts(resource.Type);
  if (facts === undefined || facts.primaryIdentifier.length === 0) return undefined;
  if (facts.accountSingleton) return canonical([resource.Type, `account and region ${environment}`]);
  if (facts.primaryIdentifier.some((p) => p.generated)) return undefined;
  const values = facts.primaryIdentifier.map((p) => valueAt(resource.Properties, p.property.split('/')));
  if (values.some((v) => v === undefined || !knownBeforeDeploy(v, template))) return undefined;
  return canonical([resource.Type, values.map((v) => qualify(v, stack, replaced))]);
}

/** Literals, pseudo parameters and references to the template's resources, joined or substituted: nothing a deploy chooses. */
function knownBeforeDeploy(value: unknown, template: CfnTemplate): boolean {
  if (Array.isArray(value)) return value.every((v) => knownBeforeDeploy(v, template));
  if (value === null || typeof value !== 'object') return true;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'Ref') {
    const target = entries[0][1];
    return typeof target === 'string' && target !== 'AWS::NoValue' && (target.startsWith('AWS::') || template.Resources?.[target] !== undefined);
  }
  if (entries.length === 1 && ['Fn::ImportValue', 'Fn::If', 'Fn::FindInMap', 'Fn::GetAZs', 'Fn::Transform'].includes(entries[0][0])) return false;
  const ids = referencedIds(value);
  return [...ids].every((id) => template.Resources?.[id] !== undefined) && entries.every(([, v]) => knownBeforeDeploy(v, template));
}

function identifierLabel(resource: CfnResourceJson): string {
  const facts = schemaFacts(resource.Type);
  if (facts?.accountSingleton) return '(the account: one per account and region)';
  return (facts?.primaryIdentifier ?? []).map((p) => `${p.property} ${show(valueAt(resource.Properties, p.property.split('/')))}`).join(', ');
}

/** identifier-in-use: an identifier of N kept by a replacement, or taken by another logical id. */
export function identifierHazards(c: Comparison): void {
  const { before, after, replacedBy, hazards, push, resourcesOf, environmentOf, stays, isReplaced, same, where } = c;
  const told = new Set(hazards.filter((h) => h.kind === 'named-replacement' || h.kind === 'name-in-use').map((h) => `${h.stack}/${h.logicalId}`));
  const identified = (set: TemplateSet, replacedIn: boolean): Map<string, Holder> => {
    const out = new Map<string, Holder>();
    for (const stack of Object.keys(set)) {
      const replaced = replacedIn ? new Set(replacedBy.get(stack)!.keys()) : new Set<string>();
      for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
        const key = identifierKey(r, stack, replaced, set[stack], environmentOf(stack));
        if (key !== undefined) out.set(key, { stack, id });
      }
    }
    return out;
  };
  const identifiedBefore = identified(before, false);
  for (const [key, y] of identified(after, true)) {
    const x = identifiedBefore.get(key);
    if (x === undefined || told.has(`${y.stack}/${y.id}`)) continue;
    const r = resourcesOf(after, y.stack)[y.id];
    if (same(x, y)) {
      if (!isReplaced(y)) continue;
      push('identifier-in-use', y.stack, y.id, r.Type, `${replacedBy.get(y.stack)!.get(y.id)![0]}, and it keeps its primary identifier ${identifierLabel(r)}: `
        + 'the new one is created while the old one still holds it (deleted only in cleanup), so the create fails AlreadyExists; change the identifier in the same deploy, or replace it in two deploys');
      continue;
    }
    // Both hold it in N+1: not an update hazard but a duplicate (ESK-NAME1, ESK-ACCT1).
    if (stays(x) && !isReplaced(x)) continue;
    const old = where(x, y.stack);
    const why = !stays(x) ? `${old} is deleted only in the cleanup phase, after ${y.id} is created` : `${old} is replaced, and its old copy keeps it until cleanup`;
    push('identifier-in-use', y.stack, y.id, r.Type, `takes the primary identifier ${identifierLabel(r)} from ${old}: ${why} → AlreadyExists; `
      + 'keep the logical id (the construct id and its path), or remove the old one in one deploy and add the new one in the next');
  }
}
