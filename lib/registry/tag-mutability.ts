import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { fail } from '../validation/checks';
import { EXCLUSION_FILTER_ALLOWED, EXCLUSION_FILTER_PATTERN, MAX_EXCLUSION_FILTERS, tagPatternsOverlap } from './patterns';

/*
 * Tag mutability checks shared by ImageRepository and ReplicaRepositoryTemplate. Internal: not
 * exported from any index.ts.
 */

/**
 * Validates `mutableTagPatterns`: 1 to 5 ECR wildcard filters, each a valid filter, listed once,
 * not `*` alone, only with IMMUTABLE, and none overlapping a release tag pattern.
 */
export function checkMutableTagPatterns(scope: IConstruct, patterns: string[] | undefined, mutability: ecr.TagMutability | undefined,
  releaseTagPatterns: string[]): void {
  if (patterns === undefined) return;
  const prop = 'mutableTagPatterns';
  if (!Array.isArray(patterns) || patterns.length === 0 || patterns.length > MAX_EXCLUSION_FILTERS) {
    fail(scope, prop, patterns, `is not a list of 1 to ${MAX_EXCLUSION_FILTERS} patterns`,
      `ECR takes 1 to ${MAX_EXCLUSION_FILTERS} tag-mutability exclusion filters; leave ${prop} out for all-immutable tags`);
  }
  if (mutability !== undefined && mutability !== ecr.TagMutability.IMMUTABLE) {
    fail(scope, prop, patterns, `cannot be combined with imageTagMutability ${JSON.stringify(mutability)}`,
      'mutableTagPatterns makes an immutable repository IMMUTABLE_WITH_EXCLUSION; leave imageTagMutability out (IMMUTABLE)');
  }
  const seen = new Set<string>();
  patterns.forEach((pattern, i) => {
    const at = `${prop}[${i}]`;
    if (Token.isUnresolved(pattern)) {
      fail(scope, at, pattern, 'is a token', 'write the pattern out: synth checks it against the release tag patterns');
    }
    if (typeof pattern !== 'string' || !EXCLUSION_FILTER_PATTERN.test(pattern)) {
      fail(scope, at, pattern, 'is not a valid exclusion filter', EXCLUSION_FILTER_ALLOWED);
    }
    if (/^\*+$/.test(pattern)) {
      fail(scope, at, pattern, 'matches every tag', 'name the tags that may move (e.g. "latest"), or set imageTagMutability: MUTABLE');
    }
    if (seen.has(pattern)) {
      fail(scope, at, pattern, 'is listed twice', 'list each pattern once');
    }
    seen.add(pattern);
    for (const release of releaseTagPatterns) {
      const tag = tagPatternsOverlap(pattern, release);
      if (tag !== undefined) {
        fail(scope, at, pattern, `would make release tags mutable: the tag ${JSON.stringify(tag)} matches it and the release tag pattern ${JSON.stringify(release)}`,
          'release tags stay immutable so a deployed release can never change; use tags that no releaseTagPatterns pattern matches (with the defaults v* and *.*: no leading "v" and no ".", no "*"), e.g. "latest" or "dev", or narrow releaseTagPatterns');
      }
    }
  });
}
