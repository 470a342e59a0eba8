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
