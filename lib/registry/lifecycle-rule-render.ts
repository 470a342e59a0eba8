/**
 * How `LifecycleRules` becomes the rules of an ECR lifecycle policy: checked, numbered, after the
 * release-tag rules. Internal: not exported from lib/registry/index.ts.
 */
import { IConstruct } from 'constructs';
import { fail } from '../validation/checks';
import { LifecyclePolicyRule } from './lifecycle-policy';
import { checkAnyRulesLast, checkPolicyLength, checkRulesPerStorageClass, validateSpec } from './lifecycle-rule-checks';
import { NumberedRule, renderRule, RuleSpec, Selection, StorageClass, storageOf } from './lifecycle-rule-model';
import { checkReleaseTagPriorities, renderReleaseRule, warnIfArchiveUnprotected, warnIfShadowed } from './release-tag-rules';

/** The body of `LifecycleRules._render`: see there. */
export function renderLifecycleRules(scope: IConstruct, specs: RuleSpec[], releaseTagPatterns: string[], releasePatternsProp: string): LifecyclePolicyRule[] {
  for (const spec of specs) {
    validateSpec(scope, spec);
  }
  // No rule expires or archives anything: nothing to protect, no policy.
  const protect = specs.length > 0 ? releaseTagPatterns : [];

  checkRulesPerStorageClass(scope, specs);
  // The release-tag rules come first (priorities 1..k): ECR never lets a rule expire or archive
  // an image that a rule of higher priority (a lower number) selected.
  checkReleaseTagPriorities(scope, specs, protect, releasePatternsProp);
  const numbered = numberRules(scope, specs, protect.length);
  checkAnyRulesLast(scope, numbered);

  const rules = [
    ...protect.map((pattern, i) => renderReleaseRule(pattern, i + 1)),
    ...numbered.map(({ spec, priority }) => renderRule(spec, priority)),
  ];
  checkPolicyLength(scope, rules);
  for (const { spec, priority } of numbered) {
    warnIfShadowed(scope, spec, priority, protect, releasePatternsProp);
  }
  warnIfArchiveUnprotected(scope, numbered, protect, releasePatternsProp);
  return rules;
}

/**
 * Gives every rule its priority, after the `reserved` priorities of the release-tag rules, and
 * returns them in priority order. Fails when two rules have the same explicit priority.
 */
function numberRules(scope: IConstruct, specs: RuleSpec[], reserved: number): NumberedRule[] {
  // Explicit priorities first, so an automatic number never takes one the user chose later.
  const taken = new Map<number, RuleSpec>();
  for (const spec of specs) {
    const priority = spec.options.priority;
    if (priority === undefined) continue;
    const other = taken.get(priority);
    if (other) {
      fail(scope, `lifecycle.${spec.method}.priority`, priority, `is already used by ${other.method}`,
        'give every lifecycle rule a unique priority');
    }
    taken.set(priority, spec);
  }

  const numbered: NumberedRule[] = [];
  let highest = reserved;
  const nextFree = (): number => {
    let candidate = highest + 1;
    while (taken.has(candidate)) candidate++;
    return candidate;
  };
  for (const spec of specs) {
    if (spec.selection === Selection.ANY && spec.options.priority === undefined) continue;
    const priority = spec.options.priority ?? nextFree();
    taken.set(priority, spec);
    highest = Math.max(highest, priority);
    numbered.push({ spec, priority });
  }
  // Rules of any tag status last: the standard-class one, then the archive-class one.
  const anyLast = [
    ...specs.filter(s => s.selection === Selection.ANY && storageOf(s) === StorageClass.STANDARD),
    ...specs.filter(s => s.selection === Selection.ANY && storageOf(s) === StorageClass.ARCHIVE),
  ];
  for (const spec of anyLast) {
    if (spec.options.priority !== undefined) continue;
    highest = Math.max(highest, ...taken.keys());
    const priority = highest + 1;
    taken.set(priority, spec);
    numbered.push({ spec, priority });
  }

  numbered.sort((a, b) => a.priority - b.priority);
  return numbered;
}
