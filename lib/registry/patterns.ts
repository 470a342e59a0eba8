/**
 * Name formats ECR and Docker accept. Internal: shared by lib/registry and lib/image.
 */

/** What names a repository creation template in a registry (its prefix), for claimUniqueName. */
export const CREATION_TEMPLATE_PREFIX = 'repository creation template prefix';

/** ECR repository names: lowercase path components separated by `/`, 2–256 characters. */
export const REPOSITORY_NAME_PATTERN = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Docker image tags (also what an ECR lifecycle tag prefix must start like). */
export const IMAGE_TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const IMAGE_TAG_ALLOWED = 'use 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"';

/** Image digests as ECR stores them. */
export const IMAGE_DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** AWS account ids. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** ECR lifecycle tag patterns (`tagPatternList`): tag characters and `*` wildcards. */
export const TAG_PATTERN_PATTERN = /^[a-zA-Z0-9_*][a-zA-Z0-9._*-]{0,127}$/;
export const TAG_PATTERN_ALLOWED = 'use 1 to 128 letters, digits, "_", ".", "-" or "*" (any run of characters), not starting with "." or "-", e.g. "v*" or "*.*"';
/** ECR allows at most four wildcards per tag pattern. */
export const MAX_TAG_PATTERN_WILDCARDS = 4;

/**
 * Whether every tag that `entry` matches also matches `pattern`, both in ECR `tagPatternList`
 * syntax (`*` is any run of characters, possibly none; everything else is literal; a pattern
 * matches a whole tag). A tag prefix `p` is the entry `p*`.
 *
 * The check matches `pattern` against `entry` with each `*` of `entry` kept as an opaque symbol
 * that only a `*` of `pattern` can absorb. When that succeeds, the same alignment matches every
 * tag the entry matches (whatever a `*` of the entry stands for, the `*` of `pattern` that absorbed
 * it absorbs that text instead), so a `true` is always right. A `false` errs only towards "not
 * covered": it is exact whenever some letter, digit or `_` does not occur in `pattern` (then
 * writing that character for each `*` of `entry` gives a tag the entry matches and `pattern` does
 * not), which holds for every pattern of fewer than 63 characters (and an entry of at most 128).
 * Coverage by several patterns together (an entry whose tags are split between two patterns) is
 * not detected.
 */
export function tagPatternCovers(pattern: string, entry: string): boolean {
  const STAR = null;
  const symbols: Array<string | null> = [...entry].map((c) => (c === '*' ? STAR : c));
  const p = [...pattern];
  // matches[j]: pattern[i..] matches symbols[j..], computed for i from the end of pattern down to 0.
  let matches = symbols.map(() => false).concat([true]);
  for (let i = p.length - 1; i >= 0; i--) {
    const next = new Array<boolean>(symbols.length + 1).fill(false);
    for (let j = symbols.length; j >= 0; j--) {
      if (p[i] === '*') {
        next[j] = matches[j] || (j < symbols.length && next[j + 1]);
      } else {
        next[j] = j < symbols.length && symbols[j] !== STAR && symbols[j] === p[i] && matches[j + 1];
      }
    }
    matches = next;
  }
  return matches[0];
}

/** ECR tag-mutability exclusion filters (`WILDCARD` type): API pattern `^[0-9a-zA-Z._*-]{1,128}$`. */
export const EXCLUSION_FILTER_PATTERN = /^[0-9a-zA-Z._*-]{1,128}$/;
export const EXCLUSION_FILTER_ALLOWED = 'use 1 to 128 letters, digits, ".", "_", "-" or "*" (any run of characters), e.g. "latest" or "dev-*"';
/** ECR takes 1 to 5 exclusion filters per repository (aws-cdk-lib checks the same range). */
export const MAX_EXCLUSION_FILTERS = 5;

/**
 * A tag that both wildcard patterns match (`*` is any run of characters, everything else literal,
 * whole-tag match), or undefined when no string matches both. Exact: it searches the product of
 * the two patterns' positions. Where a `*` meets a `*` the witness gets an `x`, so a witness is
 * never empty and reads like a tag.
 */
export function tagPatternsOverlap(a: string, b: string): string | undefined {
  const pa = [...a];
  const pb = [...b];
  const key = (i: number, j: number) => i * (pb.length + 1) + j;
  const seen = new Map<number, { from?: number; emit: string }>();
  const queue: Array<[number, number]> = [[0, 0]];
  seen.set(key(0, 0), { emit: '' });
  const goal = key(pa.length, pb.length);
  while (queue.length > 0) {
    const [i, j] = queue.shift()!;
    const here = key(i, j);
    if (here === goal) break;
    const next: Array<[number, number, string]> = [];
    const ca = pa[i];
    const cb = pb[j];
    if (ca === '*') next.push([i + 1, j, '']);
    if (cb === '*') next.push([i, j + 1, '']);
    if (ca !== undefined && cb !== undefined) {
      if (ca === '*' && cb === '*') next.push([i + 1, j + 1, 'x']);
      else if (ca === '*') next.push([i, j + 1, cb]);
      else if (cb === '*') next.push([i + 1, j, ca]);
      else if (ca === cb) next.push([i + 1, j + 1, ca]);
    }
    for (const [ni, nj, emit] of next) {
      const k = key(ni, nj);
      if (seen.has(k)) continue;
      seen.set(k, { from: here, emit });
      queue.push([ni, nj]);
    }
  }
  if (!seen.has(goal)) return undefined;
  let witness = '';
  for (let k: number | undefined = goal; k !== undefined;) {
    const step: { from?: number; emit: string } = seen.get(k)!;
    witness = step.emit + witness;
    k = step.from;
  }
  return witness === '' ? 'x' : witness;
}
