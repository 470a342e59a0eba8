import { createHash } from 'crypto';
import { Token } from 'aws-cdk-lib';
import { ANY_SOURCE, cidrsCover, sameCidrs } from './route-validation';

/**
 * Automatic listener-rule priorities (internal, not exported from index.ts).
 *
 * A listener-rule priority must be unique on its listener at every moment, including in the
 * middle of a CloudFormation update, and CloudFormation updates the rules that stay before it
 * deletes the rules that go. So a rule that stays must never take a priority another rule holds
 * now: an automatic priority may not depend on the other routes (their number, their order in
 * the code). It is derived from the route alone:
 *
 *   priority = AUTO_PRIORITY_MIN + start of the route's band + hash(route id) mod band width
 *
 * - **Band**: how specific the route's conditions are, because lower priorities are evaluated
 *   first. From first to last: an exact host with paths, a wildcard host with paths, an exact host
 *   alone, a wildcard host alone, paths alone. Inside each band with paths, a class of the literal
 *   path prefix's length (the characters before the first `*` or `?`: 24 and more, 16–23, 12–15,
 *   8–11, 6–7, 4–5, 2–3, 1) puts longer prefixes first. A route's least specific value decides (a
 *   route with `['/api/v1/*', '/*']` ranks as `/*`). So `/api/v1/*` is tried before `/api/*`, and
 *   `api.example.com` + `/admin/*` before `api.example.com` alone, whatever the code order.
 * - **Hash**: of the route id (a WebService uses its unique id), so the priority stays put when
 *   other routes are added or removed anywhere. The classes are coarse so that the bands are wide
 *   and hashes rarely collide.
 * - Checked at synth, both naming the two routes and asking for `priority` on one of them: two
 *   automatic priorities that collide, and two routes of the same band where the broader one (a
 *   path pattern whose literal prefix starts the other's path, same hosts) would be evaluated
 *   first and hide the narrower one.
 * - Explicit priorities from 1 to `AUTO_PRIORITY_MIN - 1` never collide with automatic ones and
 *   are evaluated before all of them.
 * - Version 0.1 assigned 10, 20, 30, … in code order. The automatic range starts above
 *   anything that scheme could reach with the 100-rule default quota, so the first update after
 *   upgrading moves every automatic rule to a priority no existing rule holds.
 */

/** The first automatic priority. 1 to this − 1 are for explicit priorities. */
export const AUTO_PRIORITY_MIN = 10_001;

/** Lower bounds of the literal-prefix-length classes, longest first (evaluated first). */
const PATH_CLASSES = [24, 16, 12, 8, 6, 4, 2, 1];

/** The bands in evaluation order, with the number of classes and the priorities per class. */
const BANDS = {
  exactHostAndPath: { classes: PATH_CLASSES.length, width: 1000 },
  wildcardHostAndPath: { classes: PATH_CLASSES.length, width: 300 },
  exactHost: { classes: 1, width: 4000 },
  wildcardHost: { classes: 1, width: 1500 },
  path: { classes: PATH_CLASSES.length, width: 3000 },
} as const;
type BandName = keyof typeof BANDS;

const BAND_ORDER: BandName[] = ['exactHostAndPath', 'wildcardHostAndPath', 'exactHost', 'wildcardHost', 'path'];

function bandStart(band: BandName): number {
  let start = AUTO_PRIORITY_MIN;
  for (const b of BAND_ORDER) {
    if (b === band) return start;
    start += BANDS[b].classes * BANDS[b].width;
  }
  throw new Error(`unknown band ${band}`);
}

/** The last automatic priority (49,900, under the ALB maximum of 50,000). */
export const AUTO_PRIORITY_MAX = bandStart('path') + BANDS.path.classes * BANDS.path.width - 1;

function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

function literalPrefix(path: string): string {
  return path.split(/[*?]/)[0];
}

/** 0 for the longest literal prefixes to PATH_CLASSES.length − 1 for `/*`; a route's least specific path decides. */
function pathClass(pathPatterns: string[]): number {
  let least = 0;
  for (const p of pathPatterns) {
    // A token is unknown until deploy: rank it as the least specific.
    const length = Token.isUnresolved(p) ? 1 : literalPrefix(p).length;
    const cls = PATH_CLASSES.findIndex(min => length >= min);
    least = Math.max(least, cls < 0 ? PATH_CLASSES.length - 1 : cls);
  }
  return least;
}

function bandOf(pathPatterns: string[], hostHeaders: string[]): BandName {
  const wildcardHost = hostHeaders.some(h => Token.isUnresolved(h) || hasWildcard(h));
  if (hostHeaders.length > 0 && pathPatterns.length > 0) return wildcardHost ? 'wildcardHostAndPath' : 'exactHostAndPath';
  if (hostHeaders.length > 0) return wildcardHost ? 'wildcardHost' : 'exactHost';
  return 'path';
}

/** A stable number from a route id: the first 32 bits of its SHA-256. */
function hashOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0);
}

/** Where a route's automatic priority falls: its band and class, e.g. `path/3`. */
export function priorityBand(pathPatterns: string[], hostHeaders: string[]): string {
  const band = bandOf(pathPatterns, hostHeaders);
  return `${band}/${BANDS[band].classes > 1 ? pathClass(pathPatterns) : 0}`;
}

/**
 * The automatic priority of a route: depends only on its id and its conditions (at least one
 * path pattern or host header).
 */
export function autoPriority(routeId: string, pathPatterns: string[], hostHeaders: string[]): number {
  const band = bandOf(pathPatterns, hostHeaders);
  const { classes, width } = BANDS[band];
  const cls = classes > 1 ? pathClass(pathPatterns) : 0;
  return bandStart(band) + cls * width + (hashOf(routeId) % width);
}

/**
 * Whether route `broad` matches some of the requests route `narrow` is meant for: the same hosts
 * (or none), and a path of `narrow` that lies under a wildcard path of `broad` with a shorter
 * literal prefix (`/api/*` over `/api/v1/*`), or that is a wildcard path of `broad` which has
 * more paths besides. Then `narrow` must be evaluated first.
 */
export function shadows(
  broad: { pathPatterns: string[]; hostHeaders: string[]; sourceCidrs?: string[] },
  narrow: { pathPatterns: string[]; hostHeaders: string[]; sourceCidrs?: string[] },
): boolean {
  const hosts = (h: string[]) => JSON.stringify([...new Set(h.map(x => x.toLowerCase()))].sort());
  if (hosts(broad.hostHeaders) !== hosts(narrow.hostHeaders)) return false;
  const resolved = (p: string[]) => p.filter(x => !Token.isUnresolved(x));
  const samePatterns = JSON.stringify([...new Set(broad.pathPatterns)].sort()) === JSON.stringify([...new Set(narrow.pathPatterns)].sort());
  return resolved(narrow.pathPatterns).some(n => resolved(broad.pathPatterns).some(b => {
    if (!hasWildcard(b)) return false;
    // The same wildcard pattern: `broad` takes the other's requests when it admits all of the
    // other's sources and differs otherwise (more patterns, `['/*', '/api/*']` over `['/*']`, or
    // wider sources, every source over an office).
    if (n === b) {
      const [broadSources, narrowSources] = [broad.sourceCidrs ?? [], narrow.sourceCidrs ?? []];
      if (samePatterns || !cidrsCover(anySourceIfNone(broadSources), anySourceIfNone(narrowSources))) return false;
      return broad.pathPatterns.length > narrow.pathPatterns.length || !sameCidrs(broadSources, narrowSources);
    }
    const prefix = literalPrefix(b);
    return n.startsWith(prefix) && literalPrefix(n).length > prefix.length;
  }));
}

function anySourceIfNone(cidrs: string[]): string[] {
  return cidrs.length > 0 ? cidrs : ANY_SOURCE;
}
