import { tagPatternCovers, tagPatternsOverlap } from '../../lib/registry/patterns';

describe('tagPatternCovers: every tag the entry matches also matches the pattern', () => {
  test.each([
    ['v*', 'v*'], ['v*', 'v1.*'], ['v*', 'v'], ['*.*', 'v1.*'], ['*.*', '1.*'], ['*.*', '*.*'],
    ['*.*', 'a.b'], ['*', 'anything*'], ['*', '*'], ['release-*', 'release-2024*'], ['*-*', 'a-*-b'],
    ['v*', 'v**'], ['**', 'x*'],
  ])('%j covers %j', (pattern, entry) => {
    expect(tagPatternCovers(pattern, entry)).toBe(true);
  });

  test.each([
    ['v*', '*'], ['v*', 'release-*'], ['*.*', 'v*'], ['*.*', '1*'], ['*.*', '*'], ['v*', 'V*'],
    ['v', 'v*'], ['*.*', 'a'], ['a*b', 'a*'], ['*-*', '*'], ['release-*', 'release*'],
  ])('%j does not cover %j', (pattern, entry) => {
    expect(tagPatternCovers(pattern, entry)).toBe(false);
  });

  test('agrees with brute force over short tags', () => {
    // Every tag of up to 4 characters over a small alphabet; a pattern covers an entry when every
    // tag the entry matches also matches the pattern. The alphabet has a character ("x") that no
    // pattern uses, so the check is exact here (see tagPatternCovers).
    const alphabet = ['a', '.', 'x'];
    const tags: string[] = [''];
    for (let length = 1; length <= 4; length++) {
      for (const tag of tags.filter((t) => t.length === length - 1)) for (const c of alphabet) tags.push(tag + c);
    }
    const glob = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.]/g, '\\.')).join('.*')}$`);
    const patterns = ['*', 'a*', '*.*', '*a', 'a.*', '*.', 'a*.', '.*a*'];
    const entries = ['*', 'a*', 'a.*', '*.*', 'a.', '.a', '*a', 'aa*', 'a*a', '..*'];
    for (const pattern of patterns) {
      for (const entry of entries) {
        const matched = tags.filter((t) => glob(entry).test(t));
        const brute = matched.every((t) => glob(pattern).test(t));
        expect([pattern, entry, tagPatternCovers(pattern, entry)]).toEqual([pattern, entry, brute]);
      }
    }
  });
});

describe('tagPatternsOverlap', () => {
  test.each([
    ['latest', 'v*', undefined],
    ['latest', '*.*', undefined],
    ['dev', '*.*', undefined],
    ['dev-*', 'release-*', undefined],
    ['dev-*', '*.*', 'dev-.x'],
    ['v*', 'v*', 'vx'],
    ['*', '*', 'x'],
    ['a*b', '*c*', 'acb'],
    ['1.x', '*.*', '1.x'],
  ])('%s and %s: %s', (a, b, witness) => {
    expect(tagPatternsOverlap(a, b)).toBe(witness);
  });
});
