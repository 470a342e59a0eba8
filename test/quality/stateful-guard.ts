/**
 * The stateful-resource guard: compares the stateful resources of two versions of a template
 * (the committed snapshot and a fresh synth) and reports every one that a deploy would delete
 * or replace, so a refactor cannot silently lose images, logs, buckets or keys.
 *
 * Pure functions; test/quality/stateful-guard.test.ts runs them over every example and bin-app
 * stage and tests them on fabricated templates.
 */
import * as fs from 'fs';
import * as vm from 'vm';
import { CfnTemplate, compareTemplates, Hazard, HazardKind } from '../../lib/deploy-checks/update-hazards';

// The guard's vocabulary lives with the shared comparison (update-hazards.ts); re-exported here
// so the examples test and older imports keep working.
export type { CfnResourceJson, CfnTemplate } from '../../lib/deploy-checks/update-hazards';
export { isStateful, STATEFUL_TYPES } from '../../lib/deploy-checks/update-hazards';

export type FindingKind = 'deleted' | 'replaced' | 'unretained';

/** One stateful resource a deploy of `after` over `before` would lose or put at risk. */
export interface Finding {
  readonly kind: FindingKind;
  readonly app: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** Why, in words: the property that changed, or the policy. */
  readonly reason: string;
}

/**
 * The hazards of compareTemplates the guard reports, and the finding kind each becomes. A
 * retained resource that leaves the template is a warning for an update (it stays in the
 * account), but for the guard it is data the app no longer owns: reported as deleted.
 */
const GUARD_KINDS: Partial<Record<HazardKind, FindingKind>> = {
  'stateful-deleted': 'deleted',
  'retained-orphaned': 'deleted',
  'stateful-replaced': 'replaced',
  'unretained': 'unretained',
};

/**
 * Every stateful resource of `before` that `after` deletes (logical id gone), replaces (type or
 * a replacing property changed, or a replacing property refers to a replaced resource) or stops
 * retaining (DeletionPolicy Retain → something else). compareTemplates, filtered to those kinds.
 */
export function compareStateful(before: CfnTemplate, after: CfnTemplate, where: { app: string; stack: string }): Finding[] {
  return compareTemplates({ [where.stack]: before }, { [where.stack]: after }, { app: where.app })
    .filter((h: Hazard) => GUARD_KINDS[h.kind] !== undefined)
    .map((h) => ({ kind: GUARD_KINDS[h.kind]!, app: h.app, stack: h.stack, logicalId: h.logicalId, type: h.type, reason: h.reason }));
}

/** `would be deleted/replaced: <app> <stack> <logicalId> (<type>): <reason>` */
export function describeFinding(f: Finding): string {
  const verb = f.kind === 'deleted' ? 'would be deleted' : f.kind === 'replaced' ? 'would be replaced' : 'would no longer be retained';
  return `${verb}: ${f.app} ${f.stack} ${f.logicalId} (${f.type}): ${f.reason}`;
}

/**
 * Reads a Jest snapshot file of the examples test. Keys look like
 * `<app> templates match the snapshot (...): <app> <stackName> 1` (Jest 30: describe name, test
 * name, `: ` and the hint); values are the template JSON printed as a string (`"` + json + `"`,
 * framed by newlines, no escaping of inner quotes). Returns `<app> <stackName>` → template.
 */
export function readSnapshotTemplates(file: string): Map<string, CfnTemplate> {
  const exportsObject: Record<string, string> = {};
  // The file is a CommonJS module that assigns exports[...]; evaluate it without a module cache.
  vm.runInNewContext(fs.readFileSync(file, 'utf-8'), { exports: exportsObject }, { filename: file });
  const out = new Map<string, CfnTemplate>();
  for (const [key, value] of Object.entries(exportsObject)) {
    const name = (/: (.+) \d+$/.exec(key)?.[1] ?? key.replace(/ \d+$/, '')).trim();
    let text = value.trim();
    if (text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
    out.set(name, JSON.parse(text) as CfnTemplate);
  }
  return out;
}
