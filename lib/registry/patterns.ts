/**
 * Name formats ECR and Docker accept. Internal: shared by lib/registry and lib/image.
 */

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
