import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { ConfigurationError } from './configuration-error';

/**
 * Shared prop checks. Each one skips unresolved tokens (the value is only known at deploy
 * time) and throws a ConfigurationError naming the construct path, the prop, the value and
 * what is allowed.
 */

/** The retention periods CloudWatch Logs offers, as aws-cdk-lib names them. */
export const LOG_RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is logs.RetentionDays => typeof v === 'number');

/** Renders a value the way the user wrote it, for error messages. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Duration) return value.toHumanString();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A SubnetSelection as the user would recognise it in an error message (subnets as ids). */
export function describeSubnetSelection(selection: ec2.SubnetSelection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (selection.subnetType !== undefined) out.subnetType = selection.subnetType;
  if (selection.subnetGroupName !== undefined) out.subnetGroupName = selection.subnetGroupName;
  if (selection.availabilityZones !== undefined) out.availabilityZones = selection.availabilityZones;
  if (selection.onePerAz !== undefined) out.onePerAz = selection.onePerAz;
  if (selection.subnets !== undefined) out.subnets = selection.subnets.map((s) => s.subnetId);
  if (selection.subnetFilters !== undefined) out.subnetFilters = `${selection.subnetFilters.length} filter(s)`;
  return out;
}

/** Throws the library's validation error. `problem` reads after the value; `allowed` says what would work. */
export function fail(scope: IConstruct, prop: string, value: unknown, problem: string, allowed: string): never {
  throw new ConfigurationError(scope.node.path || '<root>', prop, formatValue(value), problem, allowed);
}

/** Like `fail`, for a value the caller has already put into words (`256 with memoryMiB 4096`). */
export function failWithText(scope: IConstruct, prop: string, valueText: string, problem: string, allowed: string): never {
  throw new ConfigurationError(scope.node.path || '<root>', prop, valueText, problem, allowed);
}

function isUnresolvedNumber(value: number): boolean {
  return Token.isUnresolved(value);
}

/** An integer (or any number when `integer` is false) in [min, max]. */
export function checkRange(
  scope: IConstruct, prop: string, value: number | undefined, min: number, max: number,
  options: { integer?: boolean; unit?: string } = {},
): void {
  if (value === undefined || isUnresolvedNumber(value)) return;
  const integer = options.integer ?? true;
  const unit = options.unit ? ` ${options.unit}` : '';
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    fail(scope, prop, value, 'is out of range', `use ${integer ? 'an integer' : 'a number'} from ${min} to ${max}${unit}`);
  }
}

/** A Duration whose length in whole seconds is in [minSeconds, maxSeconds]. */
export function checkDurationSeconds(
  scope: IConstruct, prop: string, value: Duration | undefined, minSeconds: number, maxSeconds: number,
): void {
  if (value === undefined) return;
  if (!(value instanceof Duration)) {
    fail(scope, prop, value, 'is not a Duration', 'use Duration.seconds(...) or Duration.minutes(...)');
  }
  if (value.isUnresolved()) return;
  // integral: false, so NaN, Infinity and fractions reach the range check instead of throwing inside aws-cdk-lib.
  const millis = value.toMilliseconds({ integral: false });
  if (millis % 1000 !== 0 || millis < minSeconds * 1000 || millis > maxSeconds * 1000) {
    fail(scope, prop, value, 'is out of range', `use whole seconds from ${minSeconds} to ${maxSeconds}`);
  }
}

/** A string matching `pattern`; `allowed` describes the pattern in words. */
export function checkPattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, allowed: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !pattern.test(value)) {
    fail(scope, prop, value, 'is not valid', allowed);
  }
}

/** A TCP/UDP port, 1–65535. */
export function checkPort(scope: IConstruct, prop: string, value: number | undefined): void {
  checkRange(scope, prop, value, 1, 65535);
}

/** A value from a fixed list. */
export function checkOneOf<T>(scope: IConstruct, prop: string, value: T | undefined, allowed: readonly T[]): void {
  if (value === undefined) return;
  if (typeof value === 'string' && Token.isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    fail(scope, prop, value, 'is not allowed', `use one of ${allowed.map(formatValue).join(', ')}`);
  }
}

/** Two props that must not be given together. */
export function checkExclusive(scope: IConstruct, propA: string, valueA: unknown, propB: string, valueB: unknown): void {
  if (valueA !== undefined && valueB !== undefined) {
    fail(scope, propA, valueA, `cannot be combined with ${propB}`, `give either ${propA} or ${propB}, not both`);
  }
}
