import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { fail, formatValue } from '../validation/checks';
import { LifecyclePolicyRule } from './lifecycle-policy';
import { IMAGE_TAG_ALLOWED, IMAGE_TAG_PATTERN, TAG_PATTERN_ALLOWED, TAG_PATTERN_PATTERN, MAX_TAG_PATTERN_WILDCARDS, tagPatternCovers } from './patterns';

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

/** Which images a rule selects (ECR `tagStatus`). */
enum Selection {
  UNTAGGED = 'untagged',
  TAGGED = 'tagged',
  ANY = 'any',
}

/** Which storage class a rule selects images from (ECR `selection.storageClass`). */
enum StorageClass {
  /** Images that can be pulled: every image until it is archived. ECR's default. */
  STANDARD = 'standard',
  /** Archived images: they cannot be pulled until restored. */
  ARCHIVE = 'archive',
}

/** What a rule does to the images it marks (ECR `action.type`). */
enum Action {
  EXPIRE = 'expire',
  /** Move to the archive storage class (`targetStorageClass: archive`). */
  TRANSITION = 'transition',
}

/** What a rule's days count from (ECR `countType` for age rules). */
enum Since {
  PUSHED = 'sinceImagePushed',
  /** The last pull (the push, when never pulled). ECR allows it only with `transition`. */
  PULLED = 'sinceImagePulled',
  /** The move to archive. ECR allows it only with `storageClass: archive` and `expire`. */
  TRANSITIONED = 'sinceImageTransitioned',
}

/** One rule as the user wrote it; validated and numbered by `_render`. */
interface RuleSpec {
  /** The builder method, for error messages: `lifecycle.<method>.<arg>`. */
  readonly method: string;
  readonly selection: Selection;
  readonly tagPrefixes?: string[];
  /** Exactly one of count and days. */
  readonly count?: number;
  readonly days?: number;
  /** What `days` counts from. */
  readonly since?: Since;
  /** @default StorageClass.STANDARD */
  readonly storageClass?: StorageClass;
  /** @default Action.EXPIRE */
  readonly action?: Action;
  readonly options: LifecycleRuleOptions;
  readonly defaultDescription: string;
}

/** ECR: archived images have a minimum storage duration of 90 days; no lifecycle rule may delete them sooner. */
export const ARCHIVE_MINIMUM_DAYS = 90;

/** The id of the synth warning for an archive rule with no release-tag rules in front of it. */
const ARCHIVE_UNPROTECTED_WARNING = 'ecs-service-kit:archive-without-release-rules';

/** ECR service quota "Lifecycle policy length" (not adjustable). */
const MAX_POLICY_LENGTH = 30720;

/** The id of the synth warning for a tagged rule that a release-tag rule leaves nothing to expire. */
const LIFECYCLE_RULE_SHADOWED_WARNING = 'ecs-service-kit:lifecycle-rule-shadowed';

/**
 * Validates release-tag patterns (ECR `tagPatternList` entries: tag characters and `*`, at most
 * four wildcards). `prop` is the prop as the user wrote it. Internal.
 */
export function checkReleaseTagPatterns(scope: IConstruct, prop: string, patterns: string[] | undefined): void {
  if (patterns === undefined) return;
  if (!Array.isArray(patterns)) {
    fail(scope, prop, patterns, 'is not a list', 'give a list of tag patterns, e.g. [\'v*\'], or [] to protect no tag');
  }
  const seen = new Set<string>();
  patterns.forEach((pattern, i) => {
    if (Token.isUnresolved(pattern)) {
      fail(scope, `${prop}[${i}]`, pattern, 'is a token', 'write the pattern out: the lifecycle policy is rendered at synth');
    }
    if (typeof pattern !== 'string' || !TAG_PATTERN_PATTERN.test(pattern)) {
      fail(scope, `${prop}[${i}]`, pattern, 'is not a valid tag pattern', TAG_PATTERN_ALLOWED);
    }
    if (pattern.split('*').length - 1 > MAX_TAG_PATTERN_WILDCARDS) {
      fail(scope, `${prop}[${i}]`, pattern, `has more than ${MAX_TAG_PATTERN_WILDCARDS} wildcards`, `ECR allows at most ${MAX_TAG_PATTERN_WILDCARDS} "*" per pattern`);
    }
    if (seen.has(pattern)) {
      fail(scope, `${prop}[${i}]`, pattern, 'is listed twice', 'list each pattern once');
    }
    seen.add(pattern);
  });
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
    for (const spec of this.specs) {
      validateSpec(scope, spec);
    }
    // No rule expires or archives anything: nothing to protect, no policy.
    const protect = this.specs.length > 0 ? releaseTagPatterns : [];

    // ECR: one rule of any tag status, and one for untagged images, per storage class.
    for (const storageClass of [StorageClass.STANDARD, StorageClass.ARCHIVE]) {
      const anyRules = this.specs.filter(s => s.selection === Selection.ANY && storageOf(s) === storageClass);
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
      const untagged = this.specs.filter(s => s.selection === Selection.UNTAGGED && storageOf(s) === storageClass);
      if (untagged.length > 1 && untagged.some(s => s.storageClass !== undefined || s.action !== undefined)) {
        fail(scope, `lifecycle.${untagged[1].method}`, untagged[1].count ?? untagged[1].days,
          `cannot be combined with ${untagged[0].method}: both select untagged images in the ${storageClass} storage class`,
          'ECR allows one rule for untagged images per storage class; keep one of them');
      }
    }

    // The release-tag rules come first (priorities 1..k): ECR never lets a rule expire or archive
    // an image that a rule of higher priority (a lower number) selected.
    for (const spec of this.specs) {
      const priority = spec.options.priority;
      if (priority !== undefined && !Token.isUnresolved(priority) && priority <= protect.length) {
        fail(scope, `lifecycle.${spec.method}.priority`, priority,
          `is taken by the release-tag rules (${releasePatternsProp} ${formatValue(protect)}), which come first so no rule can expire or archive a release image`,
          `use a priority above ${protect.length}, or leave it out`);
      }
    }

    // Explicit priorities first, so an automatic number never takes one the user chose later.
    const taken = new Map<number, RuleSpec>();
    for (const spec of this.specs) {
      const priority = spec.options.priority;
      if (priority === undefined) continue;
      const other = taken.get(priority);
      if (other) {
        fail(scope, `lifecycle.${spec.method}.priority`, priority, `is already used by ${other.method}`,
          'give every lifecycle rule a unique priority');
      }
      taken.set(priority, spec);
    }

    const numbered: Array<{ spec: RuleSpec; priority: number }> = [];
    let highest = protect.length;
    const nextFree = (): number => {
      let candidate = highest + 1;
      while (taken.has(candidate)) candidate++;
      return candidate;
    };
    for (const spec of this.specs) {
      if (spec.selection === Selection.ANY && spec.options.priority === undefined) continue;
      const priority = spec.options.priority ?? nextFree();
      taken.set(priority, spec);
      highest = Math.max(highest, priority);
      numbered.push({ spec, priority });
    }
    // Rules of any tag status last: the standard-class one, then the archive-class one.
    const anyLast = [
      ...this.specs.filter(s => s.selection === Selection.ANY && storageOf(s) === StorageClass.STANDARD),
      ...this.specs.filter(s => s.selection === Selection.ANY && storageOf(s) === StorageClass.ARCHIVE),
    ];
    for (const spec of anyLast) {
      if (spec.options.priority !== undefined) continue;
      highest = Math.max(highest, ...taken.keys());
      const priority = highest + 1;
      taken.set(priority, spec);
      numbered.push({ spec, priority });
    }

    numbered.sort((a, b) => a.priority - b.priority);
    // ECR: the rule of any tag status is evaluated last (of its storage class).
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

    const rules = [
      ...protect.map((pattern, i) => renderReleaseRule(pattern, i + 1)),
      ...numbered.map(({ spec, priority }) => render(spec, priority)),
    ];
    checkPolicyLength(scope, rules);
    for (const { spec, priority } of numbered) {
      warnIfShadowed(scope, spec, priority, protect, releasePatternsProp);
    }
    const transitions = numbered.filter(n => n.spec.action === Action.TRANSITION);
    if (transitions.length > 0 && protect.length === 0) {
      Annotations.of(scope).addWarningV2(ARCHIVE_UNPROTECTED_WARNING,
        `lifecycle rule ${transitions[0].priority} (${transitions[0].spec.method}) archives images and no release-tag rule comes before it (${releasePatternsProp} is []): ` +
        'an archived image cannot be pulled until it is restored, so a task that starts (a scale-out, a replaced task, a rollback) with the image of a running service fails. ' +
        `Set ${releasePatternsProp} to the tags you deploy, so those images are never archived; ` +
        `to keep it as it is, acknowledge with Validations.of(<this repository>).acknowledge({ id: 'Annotation::${ARCHIVE_UNPROTECTED_WARNING}', reason }).`);
    }
    return rules;
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

function validateSpec(scope: IConstruct, spec: RuleSpec): void {
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

/**
 * Warns (acknowledgeably, id `ecs-service-kit:lifecycle-rule-shadowed`) when a tagged rule can never
 * expire an image. ECR selects an image for a `tagPrefixList` only when it has a matching tag for
 * EVERY entry, so when one entry's tags all match a release pattern, every image the rule selects
 * was already selected by that release-tag rule, which comes first: ECR lets no lower-priority rule
 * expire it, and the rule is inert. Coverage is `tagPatternCovers` (a prefix `p` is the pattern
 * `p*`): it never reports a rule that can still expire something.
 */
function warnIfShadowed(scope: IConstruct, spec: RuleSpec, priority: number, releasePatterns: string[], releasePatternsProp: string): void {
  // The release-tag rules select standard-class images; archive-class rules are not shadowed by them.
  if (spec.selection !== Selection.TAGGED || storageOf(spec) !== StorageClass.STANDARD) return;
  const covered: string[] = [];
  for (const prefix of spec.tagPrefixes ?? []) {
    if (Token.isUnresolved(prefix)) continue;
    const index = releasePatterns.findIndex((pattern) => tagPatternCovers(pattern, `${prefix}*`));
    if (index >= 0) {
      const pattern = releasePatterns[index];
      covered.push(`every tag starting with ${formatValue(prefix)} matches the release tag pattern ${formatValue(pattern)} (rule ${index + 1})`);
    }
  }
  if (covered.length === 0) return;
  const description = spec.options.description ?? spec.defaultDescription;
  const named = Token.isUnresolved(description) ? '' : ` (${formatValue(description)})`;
  const prefixes = formatValue(spec.tagPrefixes);
  Annotations.of(scope).addWarningV2(LIFECYCLE_RULE_SHADOWED_WARNING,
    `lifecycle rule ${priority}${named}, lifecycle.${spec.method} with tagPrefixes ${prefixes}, can never expire an image: ` +
    `it selects only images that have a tag for every prefix, and ${covered.join('; ')}. ` +
    'The release-tag rules come first, and ECR does not let a lower-priority rule expire an image that a higher-priority rule selected, ' +
    'so these images are never expired and the repository keeps growing with them. ' +
    `Set ${releasePatternsProp} to your release scheme (e.g. ['release-*']) so these tags are not release tags, or drop the rule; ` +
    `to keep it as it is, acknowledge with Validations.of(<this repository>).acknowledge({ id: 'Annotation::${LIFECYCLE_RULE_SHADOWED_WARNING}', reason }).`);
}

function checkPositiveInteger(scope: IConstruct, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(scope, prop, value, 'is not a positive integer', 'use a whole number of 1 or more');
  }
}

function checkPolicyLength(scope: IConstruct, rules: LifecyclePolicyRule[]): void {
  const text = policyText(scope, rules);
  if (Token.isUnresolved(text)) return;
  if (text.length > MAX_POLICY_LENGTH) {
    fail(scope, 'lifecycle', `${rules.length} rules`, `render a policy of ${text.length} characters`,
      `ECR allows lifecycle policies of up to ${MAX_POLICY_LENGTH} characters; use fewer rules or tag prefixes, or shorter descriptions`);
  }
}

/** The policy text, as ecr.Repository writes it (same keys, same order, tokens resolved). */
function policyText(scope: IConstruct, rules: LifecyclePolicyRule[]): string {
  return JSON.stringify(Stack.of(scope).resolve({ rules }));
}

function storageOf(spec: RuleSpec): StorageClass {
  return spec.storageClass ?? StorageClass.STANDARD;
}

function render(spec: RuleSpec, priority: number): LifecyclePolicyRule {
  const storageClass = storageOf(spec);
  const action = spec.action ?? Action.EXPIRE;
  return {
    rulePriority: priority,
    description: spec.options.description ?? spec.defaultDescription,
    selection: {
      tagStatus: spec.selection,
      tagPrefixList: spec.selection === Selection.TAGGED ? spec.tagPrefixes : undefined,
      tagPatternList: undefined,
      // Written out only for the archive class: `standard` is ECR's default, and leaving it out
      // keeps the policies of repositories without archive rules exactly as they were.
      storageClass: storageClass === StorageClass.ARCHIVE ? storageClass : undefined,
      countType: spec.days !== undefined ? (spec.since ?? Since.PUSHED) : 'imageCountMoreThan',
      countNumber: (spec.days ?? spec.count)!,
      countUnit: spec.days !== undefined ? 'days' : undefined,
    },
    action: action === Action.TRANSITION ? { type: action, targetStorageClass: StorageClass.ARCHIVE } : { type: action },
  };
}

/**
 * The rule that claims release images: it selects images with a tag matching `pattern` and
 * would expire only beyond RELEASE_KEEP_COUNT of them, more than ECR's default quota of images
 * per repository (100,000), so in practice never. Its job is the selection: ECR does not let
 * a lower-priority rule expire or archive an image that a higher-priority rule selected.
 */
function renderReleaseRule(pattern: string, priority: number): LifecyclePolicyRule {
  return {
    rulePriority: priority,
    description: `Keep release images (tags ${pattern}): no later rule may expire them`,
    selection: {
      tagStatus: Selection.TAGGED,
      tagPatternList: [pattern],
      countType: 'imageCountMoreThan',
      countNumber: Defaults.releaseImageKeepCount,
    },
    action: { type: Action.EXPIRE },
  };
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
