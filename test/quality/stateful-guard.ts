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

/** The part of a CloudFormation template the guard reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResourceJson>;
}

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** Types that hold data: losing one loses images, logs, objects or the ability to decrypt. */
export const STATEFUL_TYPES = ['AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key'];

/**
 * Properties whose change replaces the resource ("Update requires: Replacement" in the
 * CloudFormation resource reference), per stateful type.
 * - ECR Repository: RepositoryName, EncryptionConfiguration.
 * - Logs LogGroup: LogGroupName (KmsKeyId, RetentionInDays and the rest update in place).
 * - S3 Bucket: BucketName, and ObjectLockEnabled (create-only in the resource schema).
 * - KMS Key: KeySpec, KeyUsage, Origin, MultiRegion cannot change: CloudFormation fails the update
 *   (rather than replacing the key), which blocks the deploy just the same.
 * Any other resource with DeletionPolicy Retain is guarded against deletion and a change of
 * that policy, not per property.
 */
export const REPLACING_PROPERTIES: Record<string, string[]> = {
  'AWS::ECR::Repository': ['RepositoryName', 'EncryptionConfiguration'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::S3::Bucket': ['BucketName', 'ObjectLockEnabled'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'Origin', 'MultiRegion'],
};

const RETAINING_POLICIES = ['Retain', 'RetainExceptOnCreate'];

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

/** Stateful: one of STATEFUL_TYPES, or anything retained on delete. */
export function isStateful(resource: CfnResourceJson): boolean {
  return STATEFUL_TYPES.includes(resource.Type) || RETAINING_POLICIES.includes(resource.DeletionPolicy ?? '');
}

/** JSON with sorted keys, so equal values compare equal whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/**
 * Every stateful resource of `before` that `after` deletes (logical id gone), replaces (type or
 * a replacing property changed) or stops retaining (DeletionPolicy Retain → something else).
 */
export function compareStateful(before: CfnTemplate, after: CfnTemplate, where: { app: string; stack: string }): Finding[] {
  const findings: Finding[] = [];
  const afterResources = after.Resources ?? {};
  for (const [logicalId, old] of Object.entries(before.Resources ?? {})) {
    if (!isStateful(old)) continue;
    const base = { ...where, logicalId, type: old.Type };
    const now = afterResources[logicalId];
    if (now === undefined) {
      findings.push({ ...base, kind: 'deleted', reason: 'the logical id is gone (renamed, moved or removed): CloudFormation deletes the old resource' });
      continue;
    }
    if (now.Type !== old.Type) {
      findings.push({ ...base, kind: 'replaced', reason: `Type changed from ${old.Type} to ${now.Type}` });
      continue;
    }
    for (const prop of REPLACING_PROPERTIES[old.Type] ?? []) {
      const a = old.Properties?.[prop];
      const b = now.Properties?.[prop];
      if (canonical(a) !== canonical(b)) {
        findings.push({ ...base, kind: 'replaced', reason: `${prop} changed from ${show(a)} to ${show(b)} (update requires replacement)` });
      }
    }
    if (RETAINING_POLICIES.includes(old.DeletionPolicy ?? '') && !RETAINING_POLICIES.includes(now.DeletionPolicy ?? '')) {
      findings.push({ ...base, kind: 'unretained', reason: `DeletionPolicy changed from ${old.DeletionPolicy} to ${now.DeletionPolicy ?? 'Delete (absent)'}` });
    }
  }
  return findings;
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
