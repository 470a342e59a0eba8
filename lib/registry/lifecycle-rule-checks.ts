/**
 * The checks of `LifecycleRules` against what ECR accepts: whole counts and days, the archive
 * minimum, one rule of any tag status (and one for untagged images) per storage class, the rule of
 * any tag status last, the policy length. Internal: not exported from lib/registry/index.ts.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../validation/checks';
import { LifecyclePolicyRule } from './lifecycle-policy';
import { NumberedRule, policyText, RuleSpec, Selection, Since, StorageClass, storageOf } from './lifecycle-rule-model';
import { IMAGE_TAG_ALLOWED, IMAGE_TAG_PATTERN } from './patterns';

/** ECR: archived images have a minimum storage duration of 90 days; no lifecycle rule may delete them sooner. */
export const ARCHIVE_MINIMUM_DAYS = 90;

/** ECR service quota "Lifecycle policy length" (not adjustable). */
const MAX_POLICY_LENGTH = 30720;

export function validateSpec(scope: IConstruct, spec: RuleSpec): void {
  const prop = (arg: string) => `lifecycle.${spec.method}.${arg}`;
  if (spec.count !== undefined) checkPositiveInteger(scope, prop('count'), spec.count);
  if (spec.days !== undefined) checkPositiveInteger(scope, prop('days'), spec.days);
  if (spec.since === Since.TRANSITIONED && spec.days !== undefined && !Token.isUnresolved(spec.days) && spec.days < ARCHIVE_MINIMUM_DAYS) {
    fail(scope, prop('days'), spec.days, `is less than ECR's minimum of ${ARCHIVE_MINIMUM_DAYS} days in archive`,
      `archived images are kept (and billed) at least ${ARCHIVE_MINIMUM_DAYS} days, and ECR rejects a rule that deletes them sooner; use ${ARCHIVE_MINIMUM_DAYS} or more`);
  }

  const priority = spec.options.priority;
  if (priority !== undefined) checkPositiveInteger(scope, prop('priority'), priority);

  const description = spec.options.description;
  if (description !== undefined && !Token.isUnresolved(description) && description.trim() === '') {
    fail(scope, prop('description'), description, 'is empty', 'omit it for a generated description');
  }

  if (spec.selection !== Selection.TAGGED) return;
  const prefixes = spec.tagPrefixes;
  if (!Array.isArray(prefixes) || prefixes.length === 0) {
    fail(scope, prop('tagPrefixes'), prefixes, 'is empty',
      `give at least one tag prefix, e.g. ['release-'], or use ${spec.count !== undefined ? 'keepLast' : 'expireUntaggedAfter'} for other images`);
  }
  const seen = new Set<string>();
  prefixes.forEach((prefix, i) => {
    if (Token.isUnresolved(prefix)) return;
    if (typeof prefix !== 'string' || !IMAGE_TAG_PATTERN.test(prefix)) {
      fail(scope, `${prop('tagPrefixes')}[${i}]`, prefix, 'is not a valid tag prefix', IMAGE_TAG_ALLOWED);
    }
    if (seen.has(prefix)) {
      fail(scope, `${prop('tagPrefixes')}[${i}]`, prefix, 'is listed twice', 'list each tag prefix once');
    }
    seen.add(prefix);
  });
}

/** ECR: one rule of any tag status, and one for untagged images, per storage class. */
export function checkRulesPerStorageClass(scope: IConstruct, specs: RuleSpec[]): void {
  for (const storageClass of [StorageClass.STANDARD, StorageClass.ARCHIVE]) {
    const anyRules = specs.filter(s => s.selection === Selection.ANY && storageOf(s) === storageClass);
    if (anyRules.length > 1) {
      const methods = [...new Set(anyRules.map(s => s.method))];
      if (methods.length === 1) {
        fail(scope, `lifecycle.${methods[0]}`, anyRules.map(s => s.count ?? s.days), 'is given more than once',
          `ECR allows one rule for images of any tag status per storage class; call ${methods[0]} once`);
      }
      fail(scope, `lifecycle.${anyRules[1].method}`, anyRules[1].count ?? anyRules[1].days,
        `cannot be combined with ${anyRules[0].method}: both select images of any tag status in the ${storageClass} storage class`,
        `ECR allows one such rule per storage class; keep one, and select the others by tag prefix (e.g. archiveTaggedNotPulledFor) or untagged`);
    }
    // Checked for the archive family only: the older untagged methods predate this check.
    const untagged = specs.filter(s => s.selection === Selection.UNTAGGED && storageOf(s) === storageClass);
    if (untagged.length > 1 && untagged.some(s => s.storageClass !== undefined || s.action !== undefined)) {
      fail(scope, `lifecycle.${untagged[1].method}`, untagged[1].count ?? untagged[1].days,
        `cannot be combined with ${untagged[0].method}: both select untagged images in the ${storageClass} storage class`,
        'ECR allows one rule for untagged images per storage class; keep one of them');
    }
  }
}

/** ECR: the rule of any tag status is evaluated last (of its storage class). `numbered` is in priority order. */
export function checkAnyRulesLast(scope: IConstruct, numbered: NumberedRule[]): void {
  for (const storageClass of [StorageClass.STANDARD, StorageClass.ARCHIVE]) {
    const ofClass = numbered.filter(n => storageOf(n.spec) === storageClass);
    const last = ofClass[ofClass.length - 1];
    for (const { spec, priority } of ofClass) {
      if (spec.selection === Selection.ANY && spec !== last.spec) {
        fail(scope, `lifecycle.${spec.method}.priority`, priority,
          `is lower than the priority ${last.priority} of ${last.spec.method}`,
          `the ${spec.method} rule applies to every image${storageClass === StorageClass.ARCHIVE ? ' in archive' : ''} and must have the highest priority${storageClass === StorageClass.ARCHIVE ? ' of the archive rules' : ''}; omit its priority to put it last`);
      }
    }
  }
}

function checkPositiveInteger(scope: IConstruct, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(scope, prop, value, 'is not a positive integer', 'use a whole number of 1 or more');
  }
}

export function checkPolicyLength(scope: IConstruct, rules: LifecyclePolicyRule[]): void {
  const text = policyText(scope, rules);
  if (Token.isUnresolved(text)) return;
  if (text.length > MAX_POLICY_LENGTH) {
    fail(scope, 'lifecycle', `${rules.length} rules`, `render a policy of ${text.length} characters`,
      `ECR allows lifecycle policies of up to ${MAX_POLICY_LENGTH} characters; use fewer rules or tag prefixes, or shorter descriptions`);
  }
}
