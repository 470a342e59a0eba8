/**
 * Stateful and retained resources (ESK-UPD5, ESK-UPD6): a removed logical id is deleted in
 * cleanup, and with it the data of a stateful resource; a replacement starts empty; a retained
 * resource whose logical id leaves the template stays in the account, outside the stack.
 */
import { CfnResource } from '../../rule';
import { Comparison, isRetained, isStateful, STATEFUL_TYPES } from './comparison';
import { nameKey, nameLabel } from './name-hazards';

type CfnResourceJson = CfnResource;

/** retained-orphaned or stateful-deleted: `old`, of N, whose logical id N+1 does not have. */
export function statefulRemoved(c: Comparison, stack: string, id: string, old: CfnResourceJson): void {
  const { push } = c;
  if (isRetained(old)) {
    const named = nameKey(old, stack, new Set()) !== undefined;
    push('retained-orphaned', stack, id, old.Type, `the logical id is gone (renamed, moved or removed): DeletionPolicy ${old.DeletionPolicy} leaves it in the account, `
      + `outside the stack${named ? `; its ${nameLabel(old)} stays taken, so adding it back fails ("already exists")` : ''}`);
  } else if (STATEFUL_TYPES.includes(old.Type)) {
    push('stateful-deleted', stack, id, old.Type, 'the logical id is gone (renamed, moved or removed): CloudFormation deletes the old resource and its data');
  }
}

/** stateful-replaced: a stateful resource kept under its logical id and replaced, once per reason. */
export function statefulReplaced(c: Comparison, stack: string, id: string, old: CfnResourceJson): void {
  const { replacedBy, push } = c;
  const replaced = replacedBy.get(stack)!;
  for (const reason of replaced.get(id) ?? []) {
    if (isStateful(old)) push('stateful-replaced', stack, id, old.Type, reason);
  }
}

/** unretained: DeletionPolicy Retain dropped from a resource kept under its logical id. */
export function unretained(c: Comparison, stack: string, id: string, old: CfnResourceJson, now: CfnResourceJson): void {
  const { push } = c;
  if (isRetained(old) && !isRetained(now)) {
    push('unretained', stack, id, old.Type, `DeletionPolicy changed from ${old.DeletionPolicy} to ${now.DeletionPolicy ?? 'Delete (absent)'}`);
  }
}
