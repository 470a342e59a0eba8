import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../validation/checks';

/**
 * Internal checks for listener-rule conditions and CIDRs, against the limits AWS documents for
 * Application Load Balancers (not exported from index.ts).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 */

/** ALB quota: condition values ("match evaluations") per rule, across all conditions. */
export const MAX_CONDITION_VALUES_PER_RULE = 5;
/** ALB quota: wildcard characters (`*`, `?`) per rule. */
export const MAX_WILDCARDS_PER_RULE = 5;
/** ALB limit: a path pattern or host header value is at most 128 characters. */
export const MAX_CONDITION_VALUE_LENGTH = 128;
export const MIN_RULE_PRIORITY = 1;
export const MAX_RULE_PRIORITY = 50000;
/** ALB quota: target groups per Application Load Balancer. Not adjustable. */
export const MAX_TARGET_GROUPS_PER_ALB = 100;

// Characters AWS allows in a path pattern (`&` is allowed too; CloudFormation takes it as-is).
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;
// Host header: letters, digits, '-', '.', and the wildcards; AWS requires at least one '.' and only
// letters after the last one.
const HOST_HEADER = /^[A-Za-z0-9\-*?]+(\.[A-Za-z0-9\-*?]+)*\.[A-Za-z]+$/;

function countWildcards(value: string): number {
  return (value.match(/[*?]/g) ?? []).length;
}

/** Checks one route's path patterns and host headers; `prop` prefixes are the user's names. */
export function checkRouteConditions(scope: IConstruct, routeId: string, pathPatterns: string[], hostHeaders: string[], sourceCidrs: string[] = []): void {
  // CloudFormation rejects a condition whose values repeat ("Array items are not unique").
  const seenPaths = new Set<string>();
  pathPatterns.forEach((p, i) => {
    const prop = `pathPatterns[${i}]`;
    if (Token.isUnresolved(p)) return;
    if (seenPaths.has(p)) {
      fail(scope, prop, p, `of route ${routeId} is listed twice`, 'list each path pattern once');
    }
    seenPaths.add(p);
    if (p.length > MAX_CONDITION_VALUE_LENGTH) {
      fail(scope, prop, p, `of route ${routeId} is ${p.length} characters long`, `use at most ${MAX_CONDITION_VALUE_LENGTH} characters`);
    }
    if (!PATH_PATTERN.test(p)) {
      fail(scope, prop, p, `of route ${routeId} is not a valid path pattern`,
        'start with "/" and use only A-Z a-z 0-9 _ - . $ / ~ " \' @ : + & and the wildcards * and ?');
    }
  });
  // Host names compare case-insensitively, so 'API.example.com' repeats 'api.example.com'.
  const seenHosts = new Set<string>();
  hostHeaders.forEach((h, i) => {
    const prop = `hostHeaders[${i}]`;
    if (Token.isUnresolved(h)) return;
    if (seenHosts.has(h.toLowerCase())) {
      fail(scope, prop, h, `of route ${routeId} is listed twice`, 'list each host header once');
    }
    seenHosts.add(h.toLowerCase());
    if (h.length > MAX_CONDITION_VALUE_LENGTH) {
      fail(scope, prop, h, `of route ${routeId} is ${h.length} characters long`, `use at most ${MAX_CONDITION_VALUE_LENGTH} characters`);
    }
    if (!HOST_HEADER.test(h)) {
      fail(scope, prop, h, `of route ${routeId} is not a valid host header`,
        'use a host name such as "api.example.com" or "*.example.com": letters, digits, "-", "." and the wildcards * and ?, at least one "." and only letters after the last one');
    }
  });
  const seenSources = new Set<string>();
  sourceCidrs.forEach((c, i) => {
    const prop = `sourceCidrs[${i}]`;
    if (Token.isUnresolved(c)) return;
    if (cidrKind(c) === undefined) fail(scope, prop, c, `of route ${routeId} is not a CIDR`, 'give an IPv4 or IPv6 CIDR such as "203.0.113.0/24" or "2001:db8::/32"');
    if (seenSources.has(c)) fail(scope, prop, c, `of route ${routeId} is listed twice`, 'list each CIDR once');
    seenSources.add(c);
  });
  const values = [...pathPatterns, ...hostHeaders];
  const valueCount = values.length + sourceCidrs.length;
  if (valueCount > MAX_CONDITION_VALUES_PER_RULE) {
    fail(scope, 'pathPatterns', values, `with hostHeaders${sourceCidrs.length ? ' and sourceCidrs' : ''} of route ${routeId} are ${valueCount} condition values`,
      `an ALB rule allows at most ${MAX_CONDITION_VALUES_PER_RULE} values across pathPatterns, hostHeaders and sourceCidrs: give fewer (a wildcard such as "/api/*" covers many paths, a wider CIDR many addresses), or route the rest through a second route`);
  }
  const wildcards = values.filter(v => !Token.isUnresolved(v)).reduce((n, v) => n + countWildcards(v), 0);
  if (wildcards > MAX_WILDCARDS_PER_RULE) {
    fail(scope, 'pathPatterns', values, `with hostHeaders of route ${routeId} contain ${wildcards} wildcards`,
      `an ALB rule allows at most ${MAX_WILDCARDS_PER_RULE} wildcard characters (* or ?) in total`);
  }
}

function isIpv4Cidr(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  return octets.every(o => o <= 255) && prefix <= 32;
}

function isIpv6Address(value: string): boolean {
  // A single colon at either end is no address ('::' may start or end one).
  if (!/^[0-9A-Fa-f:]+$/.test(value) || value.includes(':::') || /^:(?!:)/.test(value) || /(?<!:):$/.test(value)) return false;
  const doubleColons = value.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = value.split(':').filter(g => g !== '');
  if (!groups.every(g => g.length <= 4)) return false;
  return doubleColons === 1 ? groups.length <= 7 : groups.length === 8;
}

function isIpv6Cidr(value: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  return m !== null && isIpv6Address(m[1]) && Number(m[2]) <= 128;
}

/** The kind of a literal CIDR, or undefined when it is not one. */
export function cidrKind(value: string): 'ipv4' | 'ipv6' | undefined {
  if (isIpv4Cidr(value)) return 'ipv4';
  if (isIpv6Cidr(value)) return 'ipv6';
  return undefined;
}

/** A domain name (optionally a wildcard `*.` first label), as ACM and Route 53 accept it. */
export function isDomainName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.replace(/^\*\./, '').split('.');
  if (labels.length < 2) return false;
  return labels.every(l => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) && /^[A-Za-z]/.test(labels[labels.length - 1]);
}

/** A literal CIDR as the first and last address it covers, with its family; undefined for a token or not a CIDR. */
function cidrRange(cidr: string): { family: 'ipv4' | 'ipv6'; first: bigint; last: bigint } | undefined {
  if (Token.isUnresolved(cidr)) return undefined;
  const family = cidrKind(cidr);
  if (family === undefined) return undefined;
  const [address, prefixText] = cidr.split('/');
  const bits = family === 'ipv4' ? 32 : 128;
  let value = 0n;
  if (family === 'ipv4') {
    for (const octet of address.split('.')) value = (value << 8n) + BigInt(Number(octet));
  } else {
    const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const zeros: string[] = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
    const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
    for (const group of groups) value = (value << 16n) + BigInt(parseInt(group === '' ? '0' : group, 16));
  }
  const host = BigInt(bits - Number(prefixText));
  const first = (value >> host) << host;
  return { family, first, last: first + (1n << host) - 1n };
}

/** Every address of both families: what a route without sources admits. */
export const ANY_SOURCE = ['0.0.0.0/0', '::/0'];

/** Whether some address is in a CIDR of `a` and in one of `b` (a token may be anything: it counts as overlapping). */
export function cidrsOverlap(a: string[], b: string[]): boolean {
  return a.some((x) => b.some((y) => {
    const [p, q] = [cidrRange(x), cidrRange(y)];
    if (!p || !q) return true;
    return p.family === q.family && p.first <= q.last && q.first <= p.last;
  }));
}

/**
 * Whether every address of `inner` is in the CIDRs of `outer` taken together (`10.0.0.0/25` and
 * `10.0.0.128/25` cover `10.0.0.0/24`). A token is unknown until deploy: in `outer` it adds
 * nothing; in `inner` it is covered only when `outer` covers every address of both families.
 */
export function cidrsCover(outer: string[], inner: string[]): boolean {
  const ranges = outer.map(cidrRange).filter((r): r is NonNullable<ReturnType<typeof cidrRange>> => r !== undefined);
  const covers = (q: NonNullable<ReturnType<typeof cidrRange>>): boolean => {
    // Walk the outer ranges of q's family in order, extending the covered stretch from q's first address.
    let next = q.first;
    for (const r of ranges.filter((x) => x.family === q.family).sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0))) {
      if (r.first > next) break;
      if (r.last >= next) next = r.last + 1n;
      if (next > q.last) return true;
    }
    return next > q.last;
  };
  return inner.every((y) => {
    const q = cidrRange(y);
    return q ? covers(q) : ANY_SOURCE.every((any) => covers(cidrRange(any)!));
  });
}

/** Whether two lists of CIDRs name the same addresses (both empty: any source). */
export function sameCidrs(a: string[], b: string[]): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  // The same strings are the same addresses, tokens included (one token resolves to one value).
  if (JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort())) return true;
  return cidrsCover(a, b) && cidrsCover(b, a);
}
