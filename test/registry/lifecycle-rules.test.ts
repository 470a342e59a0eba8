import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { ImageRepository, LifecycleRules } from '../../lib/registry';
import { testApp, testStack } from '../util/test-app';

/** Validates and numbers the rules against a scope at TestStack/Repo, without a synth. */
function render(rules: LifecycleRules) {
  return rules._render(new Construct(testStack(testApp()), 'Repo')).map(r => ({
    priority: r.rulePriority,
    status: r.selection.tagStatus,
    prefixes: r.selection.tagPrefixList,
    count: r.selection.countType === 'imageCountMoreThan' ? r.selection.countNumber : undefined,
    days: r.selection.countType === 'imageCountMoreThan' ? undefined : r.selection.countNumber,
    description: r.description,
  }));
}

describe('LifecycleRules rendered into the repository', () => {
  test('every rule kind, numbered in order after the release-tag rule, keepLast last, as ECR policy JSON', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN keepLast is added first and the others after it
    new ImageRepository(stack, 'Repo', {
      releaseTagPatterns: ['release-*'],
      lifecycle: LifecycleRules.empty()
        .keepLast(100)
        .expireUntaggedAfter(3)
        .keepLastTagged(20, ['release-', 'v'])
        .expireTaggedOlderThan(14, ['pr-'], { description: 'Preview builds live two weeks' })
        .keepLastUntagged(5),
    });
    // THEN
    const repo = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0] as any;
    const policy = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules).toEqual([
      {
        rulePriority: 1,
        description: 'Keep release images (tags release-*): no later rule may expire them',
        selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 999999 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Expire untagged images after 3 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 3, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 3,
        description: 'Keep the last 20 images tagged release-* and v*',
        selection: { tagStatus: 'tagged', tagPrefixList: ['release-', 'v'], countType: 'imageCountMoreThan', countNumber: 20 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 4,
        description: 'Preview builds live two weeks',
        selection: { tagStatus: 'tagged', tagPrefixList: ['pr-'], countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 5,
        description: 'Keep the last 5 untagged images',
        selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 6,
        description: 'Keep the last 100 images',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
        action: { type: 'expire' },
      },
    ]);
  });
});

describe('LifecycleRules numbering', () => {
  test('recommended() extended with a tagged rule keeps the keepLast rule last', () => {
    expect(render(LifecycleRules.recommended().keepLastTagged(10, ['release-']))).toEqual([
      expect.objectContaining({ priority: 1, status: 'untagged', days: 7 }),
      expect.objectContaining({ priority: 2, status: 'tagged', prefixes: ['release-'], count: 10 }),
      expect.objectContaining({ priority: 3, status: 'any', count: 30 }),
    ]);
  });

  test('recommended() returns a new builder each time', () => {
    const a = LifecycleRules.recommended();
    a.keepLastUntagged(3);
    expect(a.ruleCount).toBe(3);
    expect(LifecycleRules.recommended().ruleCount).toBe(2);
  });

  test('explicit priorities are kept; automatic ones skip them and follow the previous rule', () => {
    const rules = render(LifecycleRules.empty()
      .expireUntaggedAfter(1)
      .keepLastTagged(10, ['v'], { priority: 1 })
      .keepLastTagged(5, ['rc'], { priority: 20 })
      .expireTaggedOlderThan(30, ['pr-'])
      .keepLast(50));
    expect(rules.map(r => [r.priority, r.status, r.prefixes?.[0]])).toEqual([
      [1, 'tagged', 'v'],
      [2, 'untagged', undefined],
      [20, 'tagged', 'rc'],
      [21, 'tagged', 'pr-'],
      [22, 'any', undefined],
    ]);
  });

  test('keepLast with an explicit highest priority is accepted', () => {
    expect(render(LifecycleRules.empty().expireUntaggedAfter(1).keepLast(5, { priority: 100 })).map(r => r.priority)).toEqual([1, 100]);
  });

  test('empty() has no rules', () => {
    expect(render(LifecycleRules.empty())).toEqual([]);
  });
});

describe('LifecycleRules validation (errors name the repository path and the rule argument)', () => {
  test.each([
    ['keepLast', 'count', () => LifecycleRules.empty().keepLast(0), '0'],
    ['keepLast', 'count', () => LifecycleRules.empty().keepLast(2.5), '2.5'],
    ['keepLastTagged', 'count', () => LifecycleRules.empty().keepLastTagged(-1, ['v']), '-1'],
    ['keepLastUntagged', 'count', () => LifecycleRules.empty().keepLastUntagged(NaN), 'NaN'],
    ['expireUntaggedAfter', 'days', () => LifecycleRules.empty().expireUntaggedAfter(0), '0'],
    ['expireTaggedOlderThan', 'days', () => LifecycleRules.empty().expireTaggedOlderThan(1.5, ['pr-']), '1.5'],
  ])('%s %s must be a positive integer', (method, arg, build, shown) => {
    expect(() => render(build())).toThrow(
      new RegExp(`^TestStack/Repo: lifecycle\\.${method}\\.${arg} ${shown.replace('.', '\\.')} is not a positive integer; use a whole number of 1 or more$`));
  });

  test('tagged rules need at least one prefix', () => {
    expect(() => render(LifecycleRules.empty().keepLastTagged(5, [])))
      .toThrow(/^TestStack\/Repo: lifecycle\.keepLastTagged\.tagPrefixes \[\] is empty; give at least one tag prefix/);
    expect(() => render(LifecycleRules.empty().expireTaggedOlderThan(5, [])))
      .toThrow(/^TestStack\/Repo: lifecycle\.expireTaggedOlderThan\.tagPrefixes \[\] is empty/);
  });

  test.each([['release candidate'], [''], ['-v'], ['v:1'], ['x'.repeat(129)]])('tag prefix %p is not a valid tag start', (prefix) => {
    expect(() => render(LifecycleRules.empty().keepLastTagged(5, ['ok', prefix])))
      .toThrow(new RegExp(`^TestStack/Repo: lifecycle\\.keepLastTagged\\.tagPrefixes\\[1\\] ${JSON.stringify(prefix)} is not a valid tag prefix; use 1 to 128 letters`));
  });

  test('a tag prefix listed twice', () => {
    expect(() => render(LifecycleRules.empty().keepLastTagged(5, ['v', 'v'])))
      .toThrow(/^TestStack\/Repo: lifecycle\.keepLastTagged\.tagPrefixes\[1\] "v" is listed twice/);
  });

  test('only one keepLast rule', () => {
    expect(() => render(LifecycleRules.recommended().keepLast(10)))
      .toThrow(/^TestStack\/Repo: lifecycle\.keepLast \[30, 10\] is given more than once; ECR allows one rule for images of any tag status/);
  });

  test('priorities must be unique', () => {
    expect(() => render(LifecycleRules.empty().keepLastTagged(5, ['v'], { priority: 3 }).expireUntaggedAfter(1, { priority: 3 })))
      .toThrow(/^TestStack\/Repo: lifecycle\.expireUntaggedAfter\.priority 3 is already used by keepLastTagged; give every lifecycle rule a unique priority/);
  });

  test('priorities must be positive integers', () => {
    expect(() => render(LifecycleRules.empty().expireUntaggedAfter(1, { priority: 0 })))
      .toThrow(/^TestStack\/Repo: lifecycle\.expireUntaggedAfter\.priority 0 is not a positive integer/);
  });

  test('keepLast must have the highest priority', () => {
    expect(() => render(LifecycleRules.empty().keepLast(10, { priority: 1 }).expireUntaggedAfter(1)))
      .toThrow(/^TestStack\/Repo: lifecycle\.keepLast\.priority 1 is lower than the priority 2 of expireUntaggedAfter; the keepLast rule applies to every image and must have the highest priority/);
  });

  test('a description must not be empty', () => {
    expect(() => render(LifecycleRules.empty().keepLastUntagged(1, { description: ' ' })))
      .toThrow(/^TestStack\/Repo: lifecycle\.keepLastUntagged\.description " " is empty/);
  });

  test('the policy must fit ECR\'s 30720-character limit', () => {
    // GIVEN 100 rules with 300-character descriptions (about 45,000 characters of policy)
    let rules = LifecycleRules.empty();
    for (let i = 0; i < 100; i++) rules = rules.keepLastTagged(5, [`p${i}`], { description: 'd'.repeat(300) });
    expect(() => render(rules)).toThrow(/^TestStack\/Repo: lifecycle "100 rules" render a policy of \d{5} characters; ECR allows lifecycle policies of up to 30720 characters/);
    // and 60 such rules (about 27,000 characters) fit
    let fewer = LifecycleRules.empty();
    for (let i = 0; i < 60; i++) fewer = fewer.keepLastTagged(5, [`p${i}`], { description: 'd'.repeat(300) });
    expect(render(fewer)).toHaveLength(60);
  });
});

describe('archive storage class', () => {
  function policy(rules: LifecycleRules, releaseTagPatterns?: string[]) {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { lifecycle: rules, releaseTagPatterns });
    const repo = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0] as any;
    return JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
  }

  test('transition and archive-expire rules render as ECR reads them, after the release-tag rules', () => {
    // GIVEN a policy that archives CI builds not pulled for 30 days and deletes archived images after 180
    const rules = policy(LifecycleRules.empty()
      .expireUntaggedAfter(7)
      .archiveTaggedNotPulledFor(30, ['sha-'])
      .expireArchivedAfter(180));
    // THEN
    expect(rules.slice(2)).toEqual([
      {
        rulePriority: 3,
        description: 'Expire untagged images after 7 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 4,
        description: 'Archive images tagged sha-* not pulled for 30 days',
        selection: { tagStatus: 'tagged', tagPrefixList: ['sha-'], countType: 'sinceImagePulled', countNumber: 30, countUnit: 'days' },
        action: { type: 'transition', targetStorageClass: 'archive' },
      },
      {
        rulePriority: 5,
        description: 'Expire images archived for 180 days',
        selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: 180, countUnit: 'days' },
        action: { type: 'expire' },
      },
    ]);
  });

  test('archiveUntaggedAfter counts from the push; the archive-class untagged and tagged expiries select archived images', () => {
    const rules = policy(LifecycleRules.empty()
      .archiveUntaggedAfter(14)
      .expireArchivedUntaggedAfter(90)
      .expireArchivedTaggedAfter(365, ['sha-']), []);
    expect(rules.map((r: any) => [r.selection.tagStatus, r.selection.storageClass, r.selection.countType, r.action])).toEqual([
      ['untagged', undefined, 'sinceImagePushed', { type: 'transition', targetStorageClass: 'archive' }],
      ['untagged', 'archive', 'sinceImageTransitioned', { type: 'expire' }],
      ['tagged', 'archive', 'sinceImageTransitioned', { type: 'expire' }],
    ]);
  });

  test('keepLast and expireArchivedAfter are both "any" rules, one per storage class: each is last of its class', () => {
    const rules = render(LifecycleRules.empty().expireArchivedAfter(90).keepLast(30).expireUntaggedAfter(7));
    expect(rules.map(r => [r.priority, r.description])).toEqual([
      [1, 'Expire untagged images after 7 days'],
      [2, 'Keep the last 30 images'],
      [3, 'Expire images archived for 90 days'],
    ]);
  });

  test.each([
    ['expireArchivedAfter', () => LifecycleRules.empty().expireArchivedAfter(89)],
    ['expireArchivedTaggedAfter', () => LifecycleRules.empty().expireArchivedTaggedAfter(30, ['sha-'])],
    ['expireArchivedUntaggedAfter', () => LifecycleRules.empty().expireArchivedUntaggedAfter(1)],
  ])('%s: fewer than 90 days in archive is rejected', (method, build) => {
    expect(() => render(build())).toThrow(new RegExp(`^TestStack/Repo: lifecycle\\.${method}\\.days \\d+ is less than ECR's minimum of 90 days in archive`));
  });

  test('archiveNotPulledFor and keepLast both select every standard image: rejected', () => {
    expect(() => render(LifecycleRules.empty().keepLast(30).archiveNotPulledFor(60)))
      .toThrow(/^TestStack\/Repo: lifecycle\.archiveNotPulledFor 60 cannot be combined with keepLast: both select images of any tag status in the standard storage class; ECR allows one such rule per storage class/);
  });

  test('two untagged rules of one storage class are rejected', () => {
    expect(() => render(LifecycleRules.empty().expireUntaggedAfter(7).archiveUntaggedAfter(30)))
      .toThrow(/^TestStack\/Repo: lifecycle\.archiveUntaggedAfter 30 cannot be combined with expireUntaggedAfter: both select untagged images in the standard storage class/);
    // ... but one per storage class is fine
    expect(render(LifecycleRules.empty().archiveUntaggedAfter(30).expireArchivedUntaggedAfter(90))).toHaveLength(2);
  });

  test('an archive-class "any" rule must be the last archive rule', () => {
    expect(() => render(LifecycleRules.empty().expireArchivedAfter(90, { priority: 1 }).expireArchivedTaggedAfter(120, ['sha-'])))
      .toThrow(/^TestStack\/Repo: lifecycle\.expireArchivedAfter\.priority 1 is lower than the priority 2 of expireArchivedTaggedAfter; the expireArchivedAfter rule applies to every image in archive and must have the highest priority of the archive rules/);
  });

  test('archive days must be positive integers; tagged archive rules need prefixes', () => {
    expect(() => render(LifecycleRules.empty().archiveNotPulledFor(0)))
      .toThrow(/^TestStack\/Repo: lifecycle\.archiveNotPulledFor\.days 0 is not a positive integer/);
    expect(() => render(LifecycleRules.empty().archiveTaggedNotPulledFor(30, [])))
      .toThrow(/^TestStack\/Repo: lifecycle\.archiveTaggedNotPulledFor\.tagPrefixes \[\] is empty/);
  });

  test('usesArchive tells whether any rule touches the archive storage class', () => {
    expect(LifecycleRules.recommended().usesArchive).toBe(false);
    expect(LifecycleRules.empty().archiveUntaggedAfter(3).usesArchive).toBe(true);
    expect(LifecycleRules.empty().expireArchivedAfter(90).usesArchive).toBe(true);
  });
});
