import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { fail, formatValue } from '../validation/checks';
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

/** One rule as the user wrote it; validated and numbered by `_render`. */
interface RuleSpec {
  /** The builder method, for error messages: `lifecycle.<method>.<arg>`. */
  readonly method: string;
  readonly selection: Selection;
  readonly tagPrefixes?: string[];
  /** Exactly one of count and days. */
  readonly count?: number;
  readonly days?: number;
  readonly options: LifecycleRuleOptions;
  readonly defaultDescription: string;
}

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
   * Validates the rules and renders them for `ecr.Repository`, numbered and in priority order,
   * after one rule per release-tag pattern (priorities 1..n; none when there is no rule to
   * protect from). Errors name `scope`'s construct path and the prop as `lifecycle.<method>.<argument>`.
   *
   * @internal
   */
  public _render(scope: IConstruct, releaseTagPatterns: string[] = [], releasePatternsProp = 'releaseTagPatterns'): ecr.LifecycleRule[] {
    for (const spec of this.specs) {
      validateSpec(scope, spec);
    }
    // No rule expires anything: nothing to protect, no policy.
    const protect = this.specs.length > 0 ? releaseTagPatterns : [];

    const anyRules = this.specs.filter(s => s.selection === Selection.ANY);
    if (anyRules.length > 1) {
      fail(scope, 'lifecycle.keepLast', anyRules.map(s => s.count), 'is given more than once',
        'ECR allows one rule for images of any tag status; call keepLast once');
    }

    // The release-tag rules come first (priorities 1..k): ECR never lets a rule expire an image
    // that a rule of higher priority (a lower number) selected.
    for (const spec of this.specs) {
      const priority = spec.options.priority;
      if (priority !== undefined && !Token.isUnresolved(priority) && priority <= protect.length) {
        fail(scope, `lifecycle.${spec.method}.priority`, priority,
          `is taken by the release-tag rules (${releasePatternsProp} ${formatValue(protect)}), which come first so no rule can expire a release image`,
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
    for (const spec of anyRules) {
      if (spec.options.priority !== undefined) continue;
      highest = Math.max(highest, ...taken.keys());
      const priority = highest + 1;
      taken.set(priority, spec);
      numbered.push({ spec, priority });
    }

    numbered.sort((a, b) => a.priority - b.priority);
    const last = numbered[numbered.length - 1];
    for (const { spec, priority } of numbered) {
      if (spec.selection === Selection.ANY && spec !== last.spec) {
        fail(scope, 'lifecycle.keepLast.priority', priority,
          `is lower than the priority ${last.priority} of ${last.spec.method}`,
          'the keepLast rule applies to every image and must have the highest priority; omit its priority to put it last');
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
    return rules;
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
  if (spec.selection !== Selection.TAGGED) return;
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

function checkPolicyLength(scope: IConstruct, rules: ecr.LifecycleRule[]): void {
  const text = policyText(rules);
  if (Token.isUnresolved(text)) return;
  if (text.length > MAX_POLICY_LENGTH) {
    fail(scope, 'lifecycle', `${rules.length} rules`, `render a policy of ${text.length} characters`,
      `ECR allows lifecycle policies of up to ${MAX_POLICY_LENGTH} characters; use fewer rules or tag prefixes, or shorter descriptions`);
  }
}

/** The policy text as ecr.Repository writes it (same keys, same order), to measure it. */
function policyText(rules: ecr.LifecycleRule[]): string {
  return JSON.stringify({
    rules: rules.map(rule => ({
      rulePriority: rule.rulePriority,
      description: rule.description,
      selection: {
        tagStatus: rule.tagStatus,
        tagPrefixList: rule.tagPrefixList,
        tagPatternList: rule.tagPatternList,
        countType: rule.maxImageAge !== undefined ? 'sinceImagePushed' : 'imageCountMoreThan',
        countNumber: rule.maxImageAge?.toDays() ?? rule.maxImageCount,
        countUnit: rule.maxImageAge !== undefined ? 'days' : undefined,
      },
      action: { type: 'expire' },
    })),
  });
}

function render(spec: RuleSpec, priority: number): ecr.LifecycleRule {
  const tagStatus = {
    [Selection.ANY]: ecr.TagStatus.ANY,
    [Selection.TAGGED]: ecr.TagStatus.TAGGED,
    [Selection.UNTAGGED]: ecr.TagStatus.UNTAGGED,
  }[spec.selection];
  return {
    rulePriority: priority,
    description: spec.options.description ?? spec.defaultDescription,
    tagStatus,
    tagPrefixList: spec.selection === Selection.TAGGED ? spec.tagPrefixes : undefined,
    maxImageCount: spec.count,
    maxImageAge: spec.days !== undefined ? Duration.days(spec.days) : undefined,
  };
}

/**
 * The rule that claims release images: it selects images with a tag matching `pattern` and
 * would expire only beyond RELEASE_KEEP_COUNT of them, more than ECR's default quota of images
 * per repository (100,000), so in practice never. Its job is the selection: ECR does not let
 * a lower-priority rule expire an image that a higher-priority rule selected.
 */
function renderReleaseRule(pattern: string, priority: number): ecr.LifecycleRule {
  return {
    rulePriority: priority,
    description: `Keep release images (tags ${pattern}): no later rule may expire them`,
    tagStatus: ecr.TagStatus.TAGGED,
    tagPatternList: [pattern],
    maxImageCount: Defaults.releaseImageKeepCount,
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
