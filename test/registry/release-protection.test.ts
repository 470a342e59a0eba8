import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ImageRepository, ImageRepositoryProps, LifecycleRules } from '../../lib/registry';
import { testApp, testStack } from '../util/test-app';

/**
 * ECR's lifecycle evaluation, as the ECR user guide states it ("Lifecycle policy evaluation
 * rules", LifecyclePolicies.html):
 * - rules are applied in rulePriority order, lowest number first;
 * - an image that matches the tagging requirements of a higher-priority rule cannot be expired by
 *   a rule with a lower priority (it stays counted by later count rules, but is never marked);
 * - an image is expired by exactly one or zero rules;
 * - count rules sort the selected images newest first and expire those beyond countNumber;
 *   age rules expire those pushed more than countNumber days ago;
 * - a tag list selects an image when EVERY entry matches one of its tags (prefix, or `*` pattern).
 */
interface Image { readonly id: string; readonly tags: string[]; readonly ageDays: number }
interface PolicyRule {
  rulePriority: number;
  selection: { tagStatus: string; tagPrefixList?: string[]; tagPatternList?: string[]; countType: string; countNumber: number };
}

function patternMatches(pattern: string, tag: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
  return regex.test(tag);
}

function selects(rule: PolicyRule, image: Image): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'any') return true;
  if (s.tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  if (s.tagPrefixList) return s.tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)));
  return (s.tagPatternList ?? []).every((pattern) => image.tags.some((tag) => patternMatches(pattern, tag)));
}

/** The images ECR would expire under `rules`, each with the priority of the rule that expires it. */
function expiredBy(rules: PolicyRule[], images: Image[]): Map<string, number> {
  const claimed = new Set<string>();
  const expired = new Map<string, number>();
  for (const rule of [...rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const selected = images.filter((image) => selects(rule, image));
    let candidates: Image[];
    if (rule.selection.countType === 'imageCountMoreThan') {
      candidates = [...selected].sort((a, b) => a.ageDays - b.ageDays).slice(rule.selection.countNumber);
    } else {
      candidates = selected.filter((image) => image.ageDays > rule.selection.countNumber);
    }
    for (const image of candidates) {
      if (!claimed.has(image.id) && !expired.has(image.id)) expired.set(image.id, rule.rulePriority);
    }
    for (const image of selected) claimed.add(image.id);
  }
  return expired;
}

/** 600 pushes, one a day: CI builds, untagged leftovers, and releases in both naming styles. */
function history(): Image[] {
  const images: Image[] = [];
  for (let day = 600; day >= 1; day--) {
    const id = `img-${day}`;
    if (day % 11 === 0) images.push({ id, tags: [`v1.${day}`], ageDays: day });
    else if (day % 13 === 0) images.push({ id, tags: [`2.${day}.0`], ageDays: day });
    else if (day % 17 === 0) images.push({ id, tags: [`v${day}`], ageDays: day });
    else if (day % 19 === 0) images.push({ id, tags: [`sha-${day}`, `v3.${day}`], ageDays: day });
    else if (day % 3 === 0) images.push({ id, tags: [], ageDays: day });
    else images.push({ id, tags: [`sha-${day}`], ageDays: day });
  }
  return images;
}

const isRelease = (image: Image) => image.tags.some((tag) => tag.startsWith('v') || tag.includes('.'));

function policyOf(props: ImageRepositoryProps): PolicyRule[] {
  const stack = testStack(testApp());
  new ImageRepository(stack, 'Repo', props);
  const repo = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0] as any;
  return JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
}

describe('release images and the lifecycle policy', () => {
  const images = history();
  const releases = images.filter(isRelease);

  test('the history has releases older than any count rule keeps', () => {
    expect(releases.length).toBeGreaterThan(60);
    expect(releases.filter((image) => image.ageDays > 100).length).toBeGreaterThan(30);
  });

  test('default policy: no release image is ever expired; old CI builds and untagged leftovers are', () => {
    // GIVEN the default repository WHEN ECR evaluates its policy over the history
    const expired = expiredBy(policyOf({}), images);
    // THEN no release image is expired ...
    expect(releases.filter((image) => expired.has(image.id)).map((image) => image.tags)).toEqual([]);
    // ... and the policy still cleans up: untagged leftovers past 7 days, CI builds beyond the newest 30
    const untaggedOld = images.filter((image) => image.tags.length === 0 && image.ageDays > 7);
    expect(untaggedOld.every((image) => expired.has(image.id))).toBe(true);
    const ciBuilds = images.filter((image) => !isRelease(image) && image.tags.length > 0);
    expect(ciBuilds.filter((image) => expired.has(image.id)).length).toBeGreaterThan(ciBuilds.length - 30);
  });

  test('without release-tag rules (releaseTagPatterns: []) the same rules expire release images', () => {
    // This is the policy the library shipped before: the "keep 30 of any" rule reaches releases.
    const expired = expiredBy(policyOf({ releaseTagPatterns: [] }), images);
    expect(releases.filter((image) => expired.has(image.id)).length).toBeGreaterThan(30);
  });

  test('even aggressive custom rules cannot expire a release image', () => {
    const expired = expiredBy(policyOf({
      lifecycle: LifecycleRules.empty()
        .expireTaggedOlderThan(1, ['v'])
        .keepLastTagged(1, ['2.'])
        .expireUntaggedAfter(1)
        .keepLast(1),
    }), images);
    expect(releases.filter((image) => expired.has(image.id))).toEqual([]);
    // Everything else goes: the rules still work on non-release images.
    expect(images.filter((image) => !isRelease(image) && image.ageDays > 1).every((image) => expired.has(image.id))).toBe(true);
  });

  test('a custom release pattern protects exactly those tags', () => {
    const rules = policyOf({ releaseTagPatterns: ['release-*'] });
    const own: Image[] = [
      { id: 'old-release', tags: ['release-2020.1'], ageDays: 900 },
      ...Array.from({ length: 40 }, (_, i) => ({ id: `ci-${i}`, tags: [`sha-${i}`], ageDays: i + 1 })),
    ];
    const expired = expiredBy(rules, own);
    expect(expired.has('old-release')).toBe(false);
    expect(expired.size).toBe(10);
  });

  test('the release-tag rules come first and keep 999,999 images (above ECR\'s default 100,000 images per repository)', () => {
    const rules = policyOf({ releaseTagPatterns: ['v*', 'prod-*', '*.*'] });
    expect(rules.slice(0, 3).map((r) => [r.rulePriority, r.selection])).toEqual([
      [1, { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 999999 }],
      [2, { tagStatus: 'tagged', tagPatternList: ['prod-*'], countType: 'imageCountMoreThan', countNumber: 999999 }],
      [3, { tagStatus: 'tagged', tagPatternList: ['*.*'], countType: 'imageCountMoreThan', countNumber: 999999 }],
    ]);
    expect(Math.min(...rules.slice(3).map((r) => r.rulePriority))).toBe(4);
  });

  test('LifecycleRules.empty() adds no release rules: there is no policy at all', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { lifecycle: LifecycleRules.empty() });
    const repo = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0] as any;
    expect(repo.Properties.LifecyclePolicy).toBeUndefined();
  });
});

describe('releaseTagPatterns validation', () => {
  function make(props: ImageRepositoryProps) {
    return () => new ImageRepository(testStack(testApp()), 'Repo', props);
  }

  test.each([
    [[''], /releaseTagPatterns\[0\] "" is not a valid tag pattern; use 1 to 128 letters/],
    [['v*', 'bad tag'], /releaseTagPatterns\[1\] "bad tag" is not a valid tag pattern/],
    [['-v*'], /releaseTagPatterns\[0\] "-v\*" is not a valid tag pattern/],
    [['a*b*c*d*e*'], /releaseTagPatterns\[0\] "a\*b\*c\*d\*e\*" has more than 4 wildcards; ECR allows at most 4/],
    [['v*', 'v*'], /releaseTagPatterns\[1\] "v\*" is listed twice/],
  ])('%j is rejected', (patterns, message) => {
    expect(make({ releaseTagPatterns: patterns })).toThrow(message);
  });

  test('a rule priority taken by a release-tag rule is rejected', () => {
    expect(make({ lifecycle: LifecycleRules.empty().expireUntaggedAfter(3, { priority: 2 }) }))
      .toThrow(/^TestStack\/Repo: lifecycle.expireUntaggedAfter.priority 2 is taken by the release-tag rules \(releaseTagPatterns \["v\*", "\*\.\*"\]\).*; use a priority above 2, or leave it out$/);
  });

  test('explicit priorities above the release-tag rules are kept as given', () => {
    const rules = policyOf({ lifecycle: LifecycleRules.empty().expireUntaggedAfter(3, { priority: 10 }).keepLast(5) });
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 10, 11]);
  });

  test('with releaseTagPatterns: [] any priority is free again', () => {
    const rules = policyOf({ releaseTagPatterns: [], lifecycle: LifecycleRules.empty().expireUntaggedAfter(3, { priority: 1 }) });
    expect(rules.map((r) => r.rulePriority)).toEqual([1]);
  });
});

describe('the keep-30 rule counts every image, release and untagged ones included', () => {
  // ECR: a rule "can never mark images that are marked by higher priority rules, but can still
  // identify them as if they haven't been expired" (Example A: the beta rule counts Image B,
  // which the prod rule selected, and skips it). The README and LifecycleRules.recommended() say so.
  test('a CI build is expired once 30 newer images of any kind exist, even if they are all releases', () => {
    const images: Image[] = [
      ...Array.from({ length: 30 }, (_, i) => ({ id: `release-${i}`, tags: [`v1.${i}`], ageDays: i + 1 })),
      { id: 'ci-newest', tags: ['sha-abc'], ageDays: 31 },
      { id: 'ci-older', tags: ['sha-def'], ageDays: 32 },
      { id: 'untagged', tags: [], ageDays: 5 },
    ];
    const expired = expiredBy(policyOf({}), images);
    // Both CI builds go, though they are the only two non-release tagged images: 30 newer ones exist.
    expect([...expired.keys()].sort()).toEqual(['ci-newest', 'ci-older']);
  });
});

describe('a tagged rule under a release pattern is inert: a warning', () => {
  const WARNING = 'ecs-service-kit:lifecycle-rule-shadowed';

  function repoWith(lifecycle: LifecycleRules, props: ImageRepositoryProps = {}) {
    const stack = testStack(testApp());
    const repo = new ImageRepository(stack, 'Repo', { lifecycle, ...props });
    return { stack, repo, annotations: () => Annotations.fromStack(stack) };
  }

  test('keepLastTagged(50, [\'release-\', \'v\']): names the rule, the entry, the release pattern and what to do', () => {
    const { annotations } = repoWith(LifecycleRules.empty().keepLastTagged(50, ['release-', 'v']));
    annotations().hasWarning('/TestStack/Repo', Match.stringLikeRegexp(
      '^lifecycle rule 3 \\("Keep the last 50 images tagged release-\\* and v\\*"\\), lifecycle.keepLastTagged with tagPrefixes \\["release-", "v"\\], can never expire an image: '
      + 'it selects only images that have a tag for every prefix, and every tag starting with "v" matches the release tag pattern "v\\*" \\(rule 1\\)\\. '
      + '.*Set releaseTagPatterns to your release scheme \\(e\\.g\\. \\[\'release-\\*\'\\]\\).*or drop the rule'
      + `.*Annotation::${WARNING}`));
  });

  test('expireTaggedOlderThan(14, [\'v\']) with a description: named by it', () => {
    const { annotations } = repoWith(LifecycleRules.empty().expireTaggedOlderThan(14, ['v'], { description: 'Old versions', priority: 7 }));
    annotations().hasWarning('/TestStack/Repo', Match.stringLikeRegexp('^lifecycle rule 7 \\("Old versions"\\), lifecycle.expireTaggedOlderThan'));
  });

  test.each([
    ['v1.', '"v1." matches the release tag pattern "v\\*" \\(rule 1\\)'],
    ['1.', '"1." matches the release tag pattern "\\*\\.\\*" \\(rule 2\\)'],
    ['build.', '"build." matches the release tag pattern "\\*\\.\\*" \\(rule 2\\)'],
  ])('prefix %j is covered', (prefix, text) => {
    const { annotations } = repoWith(LifecycleRules.empty().keepLastTagged(5, [prefix]));
    annotations().hasWarning('/TestStack/Repo', Match.stringLikeRegexp(`every tag starting with ${text}`));
  });

  test.each([
    [['pr-']],
    [['1']], // "10" is no release tag, "1.2" is: the rule still expires some images
    [['sha-', 'preview']],
  ])('rules on other tags (%j) do not warn', (prefixes) => {
    const { annotations } = repoWith(LifecycleRules.empty().expireUntaggedAfter(7).expireTaggedOlderThan(14, prefixes).keepLast(30));
    annotations().hasNoWarning('*', Match.stringLikeRegexp(WARNING));
  });

  test('no warning when releaseTagPatterns follows another scheme, or is []', () => {
    const rules = () => LifecycleRules.empty().keepLastTagged(50, ['v']);
    repoWith(rules(), { releaseTagPatterns: ['release-*'] }).annotations().hasNoWarning('*', Match.stringLikeRegexp(WARNING));
    repoWith(rules(), { releaseTagPatterns: [] }).annotations().hasNoWarning('*', Match.stringLikeRegexp(WARNING));
  });

  test('acknowledgeable by its id', () => {
    const { repo, annotations } = repoWith(LifecycleRules.empty().keepLastTagged(50, ['v']));
    Validations.of(repo).acknowledge({ id: `Annotation::${WARNING}`, reason: 'Kept on purpose: every v* release stays.' });
    annotations().hasNoWarning('*', Match.stringLikeRegexp(WARNING));
  });

  test('what the warning says holds under ECR\'s evaluation: the shadowed rule expires nothing', () => {
    const images: Image[] = Array.from({ length: 80 }, (_, i) => ({ id: `v-${i}`, tags: [`v${i}`, `release-${i}`], ageDays: i + 1 }));
    const expired = expiredBy(policyOf({ lifecycle: LifecycleRules.empty().keepLastTagged(50, ['release-', 'v']) }), images);
    expect(expired.size).toBe(0);
  });
});

/**
 * ECR's evaluation with the archive storage class (same page, 2025 edition): a rule also selects by
 * `storageClass` (standard unless it says archive); "an image is expired or archived by exactly one
 * or zero rules"; "an image that matches the tagging requirements of a rule cannot be expired or
 * archived by a rule with a lower priority"; `sinceImagePulled` counts from the last pull (the push
 * when never pulled) and only archives; `sinceImageTransitioned` counts from the archiving and only
 * expires archived images. The simulation takes the conservative reading for archived images: a
 * standard-class release rule does not shield them (the docs do not say it does).
 */
interface StoredImage extends Image {
  readonly archived?: boolean;
  /** Days since the last pull; undefined when never pulled (then the push counts). */
  readonly pulledDaysAgo?: number;
  /** Days since it was archived (archived images only). */
  readonly archivedDaysAgo?: number;
}
interface ArchivePolicyRule extends PolicyRule {
  selection: PolicyRule['selection'] & { storageClass?: string };
  action: { type: string; targetStorageClass?: string };
}

/** What ECR would do to each image under `rules`: 'expire' or 'archive', by image id. */
function evaluate(rules: ArchivePolicyRule[], images: StoredImage[]): Map<string, string> {
  const claimed = new Set<string>();
  const done = new Map<string, string>();
  for (const rule of [...rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const storage = rule.selection.storageClass ?? 'standard';
    const selected = images.filter((image) => (image.archived ? 'archive' : 'standard') === storage && selects(rule, image));
    const n = rule.selection.countNumber;
    let candidates: StoredImage[];
    switch (rule.selection.countType) {
      case 'imageCountMoreThan': candidates = [...selected].sort((a, b) => a.ageDays - b.ageDays).slice(n); break;
      case 'sinceImagePushed': candidates = selected.filter((image) => image.ageDays > n); break;
      case 'sinceImagePulled': candidates = selected.filter((image) => (image.pulledDaysAgo ?? image.ageDays) > n); break;
      case 'sinceImageTransitioned': candidates = selected.filter((image) => (image.archivedDaysAgo ?? 0) > n); break;
      default: throw new Error(`unknown countType ${rule.selection.countType}`);
    }
    for (const image of candidates) {
      if (!claimed.has(image.id) && !done.has(image.id)) done.set(image.id, rule.action.type === 'transition' ? 'archive' : 'expire');
    }
    for (const image of selected) claimed.add(image.id);
  }
  return done;
}

describe('release images and archive rules', () => {
  /** The history, with pulls: releases a running service uses were pulled recently, old ones long ago. */
  function storedHistory(): StoredImage[] {
    const images: StoredImage[] = history().map((image) => ({ ...image, pulledDaysAgo: image.ageDays > 60 ? image.ageDays - 1 : undefined }));
    images.push({ id: 'archived-ci-old', tags: ['sha-old'], ageDays: 700, archived: true, archivedDaysAgo: 200 });
    images.push({ id: 'archived-ci-new', tags: ['sha-new'], ageDays: 650, archived: true, archivedDaysAgo: 30 });
    return images;
  }
  const archiving = () => LifecycleRules.empty().expireUntaggedAfter(7).archiveNotPulledFor(30).expireArchivedAfter(180);

  test('a release image is never archived, however long since its last pull; CI builds are, and old archives go', () => {
    // GIVEN the default release patterns and rules that archive everything not pulled for 30 days
    const images = storedHistory();
    const done = evaluate(policyOf({ lifecycle: archiving() }) as ArchivePolicyRule[], images);
    // THEN no release image is archived or expired
    const releases = images.filter((image) => !image.archived && isRelease(image));
    expect(releases.filter((image) => done.has(image.id)).map((image) => image.tags)).toEqual([]);
    expect(releases.filter((image) => (image.pulledDaysAgo ?? image.ageDays) > 30).length).toBeGreaterThan(30);
    // ... CI builds not pulled for 30 days are archived, untagged leftovers expired
    const ciStale = images.filter((image) => !image.archived && !isRelease(image) && image.tags.length > 0 && (image.pulledDaysAgo ?? image.ageDays) > 30);
    expect(ciStale.length).toBeGreaterThan(100);
    expect(ciStale.every((image) => done.get(image.id) === 'archive')).toBe(true);
    expect(images.filter((image) => image.tags.length === 0 && image.ageDays > 7).every((image) => done.get(image.id) === 'expire')).toBe(true);
    // ... and archived images are expired 180 days after archiving, not before
    expect(done.get('archived-ci-old')).toBe('expire');
    expect(done.has('archived-ci-new')).toBe(false);
  });

  test('without release-tag rules the same archive rule archives release images: a synth warning says so', () => {
    const images = storedHistory();
    const done = evaluate(policyOf({ releaseTagPatterns: [], lifecycle: archiving() }) as ArchivePolicyRule[], images);
    expect(images.filter((image) => isRelease(image) && done.get(image.id) === 'archive').length).toBeGreaterThan(30);

    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { releaseTagPatterns: [], lifecycle: archiving() });
    Annotations.fromStack(stack).hasWarning('/TestStack/Repo',
      Match.stringLikeRegexp('^lifecycle rule 2 \\(archiveNotPulledFor\\) archives images and no release-tag rule comes before it .*an archived image cannot be pulled until it is restored'));
  });

  test('with release-tag rules there is no archive warning', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { lifecycle: archiving() });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('archives images'))).toEqual([]);
  });
});
