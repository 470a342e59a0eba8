import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { formatValue } from '../validation/checks';
import { LifecyclePolicyRule } from './lifecycle-policy';
import { Action, policyText, RuleSpec, Selection, Since, StorageClass } from './lifecycle-rule-model';
import { renderLifecycleRules } from './lifecycle-rule-render';

// Exported from this file as before the split (lib/registry/index.ts re-exports it; jsii takes no
// constants or functions, so they are not in API.md).
export { ARCHIVE_MINIMUM_DAYS } from './lifecycle-rule-checks';
export { checkReleaseTagPatterns } from './release-tag-rules';

/**
 * Options shared by every lifecycle rule.
 */
export interface LifecycleRuleOptions {
  /**
   * The rule's `rulePriority`: lower numbers are evaluated first. Must be unique in the policy.
   *
   * Priorities 1 to n are taken by the n release-tag rules of the `ImageRepository`
   * (`releaseTagPatterns`).
   *
   * @default - one more than the highest priority so far, in the order the rules were added;
   * a `keepLast` rule without a priority always comes last
   */
  readonly priority?: number;

  /**
   * What the rule is for, shown in the ECR console.
   *
   * @default - a description generated from the rule, e.g. "Expire untagged images after 7 days"
   */
  readonly description?: string;
}

/**
 * A typed, validated builder for the lifecycle rules of an ECR repository.
 *
 * Rules are numbered in the order they are added (or by an explicit `priority`); a `keepLast`
 * rule, which applies to every image, is always evaluated last. An `ImageRepository` puts its
 * release-tag rules (`releaseTagPatterns`) before all of them: ECR does not let a rule expire an
 * image that a rule of higher priority selected, so these rules can only expire images without a
 * release tag. The rules are checked when an `ImageRepository` uses them, so errors name that
 * repository's construct path:
 *
 * ```ts
 * import { LifecycleRules } from 'ecs-service-kit';
 *
 * LifecycleRules.empty()
 *   .expireUntaggedAfter(7)
 *   .keepLastTagged(20, ['release-'])
 *   .keepLast(50);
 * ```
 *
 * The builder methods add to this object and return it, for chaining.
 */
export class LifecycleRules {
  /**
   * The recommended policy: expire untagged images (superseded builds, failed pushes) after
   * 7 days and keep the newest 30 images.
   *
   * Behind an `ImageRepository`'s release-tag rules the second rule counts every image, newest
   * first, release and untagged images included, and expires those beyond the 30th that no earlier
   * rule selected: tagged images without a release tag (CI builds, previews). ECR's evaluation
   * rules: a rule "can never mark images that are marked by higher priority rules, but can still
   * identify them as if they haven't been expired" (ECR user guide, lifecycle policy evaluation
   * rules; Example A of "Examples of lifecycle policies"). So a CI build is expired once 30 newer
   * images of any kind exist; the more releases among the newest 30, the fewer CI builds are kept.
   * Release images are never expired; untagged ones only by the 7-day rule.
   *
   * Returns a new builder each time, so adding rules to it does not change other repositories.
   */
  public static recommended(): LifecycleRules {
    return new LifecycleRules()
      .expireUntaggedAfter(Defaults.untaggedImageExpiryDays)
      .keepLast(Defaults.keepLastImages);
  }

  /** No rules: images are never expired. */
  public static empty(): LifecycleRules {
    return new LifecycleRules();
  }

  private readonly specs: RuleSpec[] = [];

  private constructor() {}

  /** The number of rules added so far. */
  public get ruleCount(): number {
    return this.specs.length;
  }

  /**
   * Expires untagged images `days` days after they were pushed.
   *
   * @param days whole days, 1 or more
   */
  public expireUntaggedAfter(days: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'expireUntaggedAfter', selection: Selection.UNTAGGED, days, options,
      defaultDescription: `Expire untagged images after ${formatCount(days, 'day')}`,
    });
  }

  /**
   * Keeps only the newest `count` untagged images.
   *
   * @param count images to keep, 1 or more
   */
  public keepLastUntagged(count: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'keepLastUntagged', selection: Selection.UNTAGGED, count, options,
      defaultDescription: `Keep the last ${formatCount(count, 'untagged image')}`,
    });
  }

  /**
   * Keeps only the newest `count` images with a tag starting with the given prefixes.
   *
   * ECR selects an image when it has a tag for EVERY prefix in the list (with immutable tags
   * an image usually has one tag, so give one prefix per rule).
   *
   * @param count images to keep, 1 or more
   * @param tagPrefixes tag prefixes, e.g. `['release-']`
   */
  public keepLastTagged(count: number, tagPrefixes: string[], options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'keepLastTagged', selection: Selection.TAGGED, count, tagPrefixes: copy(tagPrefixes), options,
      defaultDescription: `Keep the last ${formatCount(count, 'image')} tagged ${describePrefixes(tagPrefixes)}`,
    });
  }

  /**
   * Expires images with a tag starting with the given prefixes `days` days after they were pushed.
   *
   * ECR selects an image when it has a tag for EVERY prefix in the list.
   *
   * @param days whole days, 1 or more
   * @param tagPrefixes tag prefixes, e.g. `['pr-']`
   */
  public expireTaggedOlderThan(days: number, tagPrefixes: string[], options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'expireTaggedOlderThan', selection: Selection.TAGGED, days, tagPrefixes: copy(tagPrefixes), options,
      defaultDescription: `Expire images tagged ${describePrefixes(tagPrefixes)} after ${formatCount(days, 'day')}`,
    });
  }

  /**
   * Keeps only the newest `count` images of any kind, tagged or not.
   *
   * ECR allows one such rule and evaluates it last: without an explicit priority it is always
   * numbered after the other rules. It counts every image of the repository, but expires only
   * those beyond the newest `count` that no earlier rule selected. Images an earlier rule selected
   * (a release tag; untagged, when an untagged rule comes first; an earlier tagged rule's
   * prefixes) still take places in the count, but this rule never expires them.
   *
   * @param count images to keep, 1 or more
   */
  public keepLast(count: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'keepLast', selection: Selection.ANY, count, options,
      defaultDescription: `Keep the last ${formatCount(count, 'image')}`,
    });
  }

  /**
   * Moves untagged images to the archive storage class `days` days after they were pushed.
   * Archived images cannot be pulled until restored (console, CLI, or a new push), and ECR keeps
   * them at least 90 days. ECR allows one rule per storage class for untagged images, so this
   * replaces `expireUntaggedAfter`/`keepLastUntagged`, not adds to them.
   *
   * @param days whole days, 1 or more
   */
  public archiveUntaggedAfter(days: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'archiveUntaggedAfter', selection: Selection.UNTAGGED, days, since: Since.PUSHED, action: Action.TRANSITION, options,
      defaultDescription: `Archive untagged images ${formatCount(days, 'day')} after push`,
    });
  }

  /**
   * Moves images with a tag starting with the given prefixes to the archive storage class once
   * they have not been pulled for `days` days (ECR `sinceImagePulled`; an image never pulled
   * counts from its push). Release images are never archived: the release-tag rules come first.
   *
   * ECR selects an image when it has a tag for EVERY prefix in the list.
   *
   * @param days whole days, 1 or more
   * @param tagPrefixes tag prefixes, e.g. `['sha-']`
   */
  public archiveTaggedNotPulledFor(days: number, tagPrefixes: string[], options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'archiveTaggedNotPulledFor', selection: Selection.TAGGED, days, since: Since.PULLED, action: Action.TRANSITION,
      tagPrefixes: copy(tagPrefixes), options,
      defaultDescription: `Archive images tagged ${describePrefixes(tagPrefixes)} not pulled for ${formatCount(days, 'day')}`,
    });
  }

  /**
   * Moves every image that has not been pulled for `days` days to the archive storage class
   * (ECR `sinceImagePulled`; an image never pulled counts from its push), except the images an
   * earlier rule selected: release images (the release-tag rules come first) and those of earlier
   * rules.
   *
   * Like `keepLast`, it selects images of any tag status: ECR allows one such rule per storage
   * class and evaluates it after the other rules of its class, so it cannot be combined with
   * `keepLast`, and without an explicit priority it is numbered after the other standard-class
   * rules.
   *
   * @param days whole days, 1 or more
   */
  public archiveNotPulledFor(days: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'archiveNotPulledFor', selection: Selection.ANY, days, since: Since.PULLED, action: Action.TRANSITION, options,
      defaultDescription: `Archive images not pulled for ${formatCount(days, 'day')}`,
    });
  }

  /**
   * Deletes archived images `days` days after they were archived (ECR `sinceImageTransitioned`
   * on the archive storage class). ECR's minimum is 90 days: archived images are billed for at
   * least 90 days.
   *
   * Applies to every archived image, including one archived by hand: the release-tag rules select
   * images of the standard storage class only (see the README, "Archiving images").
   *
   * @param days whole days, 90 or more
   */
  public expireArchivedAfter(days: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'expireArchivedAfter', selection: Selection.ANY, days, since: Since.TRANSITIONED, storageClass: StorageClass.ARCHIVE, options,
      defaultDescription: `Expire images archived for ${formatCount(days, 'day')}`,
    });
  }

  /**
   * Deletes archived images with a tag starting with the given prefixes `days` days after they
   * were archived. ECR's minimum is 90 days.
   *
   * @param days whole days, 90 or more
   * @param tagPrefixes tag prefixes, e.g. `['sha-']`
   */
  public expireArchivedTaggedAfter(days: number, tagPrefixes: string[], options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'expireArchivedTaggedAfter', selection: Selection.TAGGED, days, since: Since.TRANSITIONED, storageClass: StorageClass.ARCHIVE,
      tagPrefixes: copy(tagPrefixes), options,
      defaultDescription: `Expire archived images tagged ${describePrefixes(tagPrefixes)} after ${formatCount(days, 'day')} in archive`,
    });
  }

  /**
   * Deletes archived untagged images `days` days after they were archived. ECR's minimum is 90 days.
   *
   * @param days whole days, 90 or more
   */
  public expireArchivedUntaggedAfter(days: number, options: LifecycleRuleOptions = {}): LifecycleRules {
    return this.add({
      method: 'expireArchivedUntaggedAfter', selection: Selection.UNTAGGED, days, since: Since.TRANSITIONED, storageClass: StorageClass.ARCHIVE, options,
      defaultDescription: `Expire archived untagged images after ${formatCount(days, 'day')} in archive`,
    });
  }

  /**
   * Validates the rules and renders them as ECR lifecycle policy rules, numbered and in priority
   * order, after one rule per release-tag pattern (priorities 1..n; none when there is no rule to
   * protect from). Errors name `scope`'s construct path and the prop as `lifecycle.<method>.<argument>`.
   *
   * @internal
   */
  public _render(scope: IConstruct, releaseTagPatterns: string[] = [], releasePatternsProp = 'releaseTagPatterns'): LifecyclePolicyRule[] {
    return renderLifecycleRules(scope, this.specs, releaseTagPatterns, releasePatternsProp);
  }

  /**
   * The lifecycle policy text (`LifecyclePolicyText`), or undefined when there are no rules.
   *
   * @internal
   */
  public _renderPolicyText(scope: IConstruct, releaseTagPatterns: string[] = [], releasePatternsProp = 'releaseTagPatterns'): string | undefined {
    const rules = this._render(scope, releaseTagPatterns, releasePatternsProp);
    if (rules.length === 0) return undefined;
    return policyText(scope, rules);
  }

  /** Whether a rule moves images to the archive storage class or deletes archived ones. */
  public get usesArchive(): boolean {
    return this.specs.some(s => s.action === Action.TRANSITION || s.storageClass === StorageClass.ARCHIVE);
  }

  private add(spec: RuleSpec): LifecycleRules {
    this.specs.push(spec);
    return this;
  }
}

function copy(values: string[] | undefined): string[] | undefined {
  return Array.isArray(values) ? [...values] : values;
}

function formatCount(n: number, noun: string): string {
  return `${formatValue(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function describePrefixes(prefixes: string[] | undefined): string {
  return (prefixes ?? []).map(p => `${p}*`).join(' and ');
}
