/**
 * Physical names and ports (ESK-UPD2, ESK-UPD4): a name is unique where physical-names.ts says, and
 * the resource that held it in N keeps it until cleanup, so a new holder's create fails "already
 * exists"; a replacement under the same name is refused outright ("cannot update a stack when a
 * custom-named resource requires replacing").
 */
import { physicalName } from '../../physical-names';
import { CfnResource } from '../../rule';
import { canonical, Comparison, Holder, isRetained, qualify, replacingPaths, show, TemplateSet } from './comparison';

type CfnResourceJson = CfnResource;

/** The physical name key of a resource ('' when it has no explicit name), with references qualified. */
export function nameKey(resource: CfnResourceJson, stack: string, replaced: ReadonlySet<string>): string | undefined {
  const spec = physicalName(resource.Type);
  const name = spec && resource.Properties?.[spec.name];
  if (!spec || name === undefined) return undefined;
  const scope = (spec.scope ?? []).map((p) => qualify(resource.Properties?.[p] ?? spec.defaults?.[p], stack, replaced));
  return canonical([resource.Type, qualify(name, stack, replaced), scope]);
}

/** How a hazard text names a resource's physical name: what it is, and its value. */
export function nameLabel(resource: CfnResourceJson): string {
  const spec = physicalName(resource.Type);
  return `${spec?.what ?? 'name'} ${show(resource.Properties?.[spec?.name ?? ''])}`;
}

/** named-replacement: `now`, replaced (it is in the stack's replacedBy), keeps its explicit name. */
export function namedReplacement(c: Comparison, stack: string, id: string, old: CfnResourceJson, now: CfnResourceJson): void {
  const { replacedBy, push } = c;
  const replaced = replacedBy.get(stack)!;
  const spec = physicalName(now.Type);
  const name = spec ? now.Properties?.[spec.name] : undefined;
  if (spec !== undefined && name !== undefined && replacingPaths(now.Type).some((p) => p.path.length === 1 && p.path[0] === spec.name)
    // A name that refers to a replaced resource (an association's Cluster) resolves to a new value.
    && canonical(qualify(old.Properties?.[spec.name], stack)) === canonical(qualify(name, stack, new Set(replaced.keys())))) {
    push('named-replacement', stack, id, now.Type, `${replaced.get(id)![0]}, and it keeps its explicit ${nameLabel(now)}: CloudFormation refuses `
      + '("cannot update a stack when a custom-named resource requires replacing"); rename it in the same change, or drop the explicit name');
  }
}

/** name-in-use: a name of N held in N+1 by another logical id (a rename, a move, a swap). */
export function nameHazards(c: Comparison): void {
  const { before, after, replacedBy, push, resourcesOf, stays, isReplaced, same, where } = c;
  const names = (set: TemplateSet, replacedIn: boolean): Map<string, Holder> => {
    const out = new Map<string, Holder>();
    for (const stack of Object.keys(set)) {
      const replaced = replacedIn ? new Set(replacedBy.get(stack)!.keys()) : new Set<string>();
      for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
        const key = nameKey(r, stack, replaced);
        if (key !== undefined) out.set(key, { stack, id });
      }
    }
    return out;
  };
  const namedBefore = names(before, false);
  for (const [key, y] of names(after, true)) {
    const x = namedBefore.get(key);
    if (x === undefined || same(x, y)) continue;
    const r = resourcesOf(after, y.stack)[y.id];
    const old = where(x, y.stack);
    const oldResource = resourcesOf(before, x.stack)[x.id];
    const why = !stays(x)
      ? (isRetained(oldResource) ? `${old} is removed but retained, so it keeps the ${physicalName(r.Type)?.what ?? 'name'} for good`
        : `${old} is deleted only in the cleanup phase, after ${y.id} is created`)
      : isReplaced(x) ? `${old} is replaced, and its old copy keeps it until cleanup`
        : `${old} is updated to another one in parallel, so ${y.id} may ask for it first`;
    push('name-in-use', y.stack, y.id, r.Type, `takes ${nameLabel(r)} from ${old}: ${why} → "already exists"`);
  }
}
