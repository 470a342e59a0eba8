/**
 * The release-tag rules of `LifecycleRules`: the rules an `ImageRepository` puts first, one per
 * release-tag pattern, so no later rule can expire or archive a release image, and the checks and
 * warnings about the rules behind them. Internal: not exported from lib/registry/index.ts.
 */
import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { fail, formatValue } from '../validation/checks';
import { LifecyclePolicyRule } from './lifecycle-policy';
import { Action, NumberedRule, RuleSpec, Selection, StorageClass, storageOf } from './lifecycle-rule-model';
import { TAG_PATTERN_ALLOWED, TAG_PATTERN_PATTERN, MAX_TAG_PATTERN_WILDCARDS, tagPatternCovers } from './patterns';

/** The id of the synth warning for an archive rule with no release-tag rules in front of it. */
const ARCHIVE_UNPROTECTED_WARNING = 'ecs-service-kit:archive-without-release-rules';

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
 * Fails when a rule's explicit priority is one of 1..n, the priorities of the n release-tag rules,
 * which come first: ECR never lets a rule expire or archive an image that a rule of higher
 * priority (a lower number) selected.
 */
export function checkReleaseTagPriorities(scope: IConstruct, specs: RuleSpec[], protect: string[], releasePatternsProp: string): void {
  for (const spec of specs) {
    const priority = spec.options.priority;
    if (priority !== undefined && !Token.isUnresolved(priority) && priority <= protect.length) {
      fail(scope, `lifecycle.${spec.method}.priority`, priority,
        `is taken by the release-tag rules (${releasePatternsProp} ${formatValue(protect)}), which come first so no rule can expire or archive a release image`,
        `use a priority above ${protect.length}, or leave it out`);
    }
  }
}

/**
 * The rule that claims release images: it selects images with a tag matching `pattern` and
 * would expire only beyond RELEASE_KEEP_COUNT of them, more than ECR's default quota of images
 * per repository (100,000), so in practice never. Its job is the selection: ECR does not let
 * a lower-priority rule expire or archive an image that a higher-priority rule selected.
 */
export function renderReleaseRule(pattern: string, priority: number): LifecyclePolicyRule {
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

/**
 * Warns (acknowledgeably, id `ecs-service-kit:lifecycle-rule-shadowed`) when a tagged rule can never
 * expire an image. ECR selects an image for a `tagPrefixList` only when it has a matching tag for
 * EVERY entry, so when one entry's tags all match a release pattern, every image the rule selects
 * was already selected by that release-tag rule, which comes first: ECR lets no lower-priority rule
 * expire it, and the rule is inert. Coverage is `tagPatternCovers` (a prefix `p` is the pattern
 * `p*`): it never reports a rule that can still expire something.
 */
export function warnIfShadowed(scope: IConstruct, spec: RuleSpec, priority: number, releasePatterns: string[], releasePatternsProp: string): void {
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

/**
 * Warns (acknowledgeably, id `ecs-service-kit:archive-without-release-rules`) when a rule archives
 * images and no release-tag rule comes before it.
 */
export function warnIfArchiveUnprotected(scope: IConstruct, numbered: NumberedRule[], protect: string[], releasePatternsProp: string): void {
  const transitions = numbered.filter(n => n.spec.action === Action.TRANSITION);
  if (transitions.length > 0 && protect.length === 0) {
    Annotations.of(scope).addWarningV2(ARCHIVE_UNPROTECTED_WARNING,
      `lifecycle rule ${transitions[0].priority} (${transitions[0].spec.method}) archives images and no release-tag rule comes before it (${releasePatternsProp} is []): ` +
      'an archived image cannot be pulled until it is restored, so a task that starts (a scale-out, a replaced task, a rollback) with the image of a running service fails. ' +
      `Set ${releasePatternsProp} to the tags you deploy, so those images are never archived; ` +
      `to keep it as it is, acknowledge with Validations.of(<this repository>).acknowledge({ id: 'Annotation::${ARCHIVE_UNPROTECTED_WARNING}', reason }).`);
  }
}
