import { TimeZone, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../validation/checks';

/**
 * Checks of EventBridge Scheduler expressions, so a schedule that the Scheduler API would reject
 * fails at synth time with the prop named. Internal: not exported from lib/task/index.ts.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */

/** One field of a Scheduler cron expression: `cron(minutes hours day-of-month month day-of-week year)`. */
interface CronField {
  /** The TaskCronOptions key the field comes from. */
  readonly option: string;
  /** The field's name in AWS's documentation. */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted instead of numbers (index + min is the value). */
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export const CRON_FIELDS: readonly CronField[] = [
  { option: 'minute', label: 'minutes', min: 0, max: 59 },
  { option: 'hour', label: 'hours', min: 0, max: 23 },
  { option: 'day', label: 'day-of-month', min: 1, max: 31 },
  { option: 'month', label: 'month', min: 1, max: 12, names: MONTHS },
  { option: 'weekDay', label: 'day-of-week', min: 1, max: 7, names: WEEK_DAYS },
  { option: 'year', label: 'year', min: 1970, max: 2199 },
];

/** What a cron field accepts, in words, for error messages. */
function fieldAllowed(field: CronField): string {
  const names = field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : '';
  const specials: Record<string, string> = {
    day: ', ?, L, LW or nW',
    weekDay: ', ?, L, nL or n#k',
  };
  return `use ${field.min}–${field.max}${names} with , - * /${specials[field.option] ?? ''}`;
}

/** The number a cron value stands for, or undefined when it is neither a number nor a name of the field. */
function cronValue(field: CronField, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

function inRange(field: CronField, text: string): boolean {
  const value = cronValue(field, text);
  return value !== undefined && value >= field.min && value <= field.max;
}

/** True when one comma-separated item of a cron field is valid. */
function cronItemValid(field: CronField, item: string): boolean {
  if (field.option === 'day') {
    if (item === 'L' || item === 'LW') return true;
    const weekday = /^(\d{1,2})W$/.exec(item);
    if (weekday) return inRange(field, weekday[1]);
  }
  if (field.option === 'weekDay') {
    if (item === 'L') return true;
    const last = /^([A-Za-z]{3}|\d)L$/.exec(item);
    if (last) return inRange(field, last[1]);
    const nth = /^([A-Za-z]{3}|\d)#([1-5])$/.exec(item);
    if (nth) return inRange(field, nth[1]);
  }
  const match = /^(\*|[A-Za-z]{3}|\d+)(?:-([A-Za-z]{3}|\d+))?(?:\/(\d+))?$/.exec(item);
  if (!match) return false;
  const [, start, end, step] = match;
  if (start === '*' && end !== undefined) return false;
  if (start !== '*' && !inRange(field, start)) return false;
  if (end !== undefined && !inRange(field, end)) return false;
  return step === undefined || Number(step) >= 1;
}

/** A problem with one cron field, in words, or undefined when the field is valid. `?` is checked by the caller. */
export function cronFieldProblem(field: CronField, text: string): string | undefined {
  if (text === '?') {
    return field.option === 'day' || field.option === 'weekDay' ? undefined : `uses ? in the ${field.label} field`;
  }
  if (text === '' || !text.split(',').every((item) => cronItemValid(field, item))) {
    return `has an invalid ${field.label} field ${JSON.stringify(text)}`;
  }
  return undefined;
}

/** The allowed-text for a field, by its option name. */
export function cronFieldAllowed(option: string): string {
  const field = CRON_FIELDS.find((f) => f.option === option);
  return field ? fieldAllowed(field) : '';
}

/**
 * Fails unless `expression` is a Scheduler expression: `cron(...)` with six valid fields and
 * exactly one of day-of-month and day-of-week set to `?`, `rate(n unit)` of at least one minute,
 * or `at(yyyy-mm-ddThh:mm:ss)` naming a real date and time.
 */
export function checkScheduleExpression(scope: IConstruct, prop: string, expression: string): void {
  if (Token.isUnresolved(expression)) return;
  if (typeof expression !== 'string') {
    fail(scope, prop, expression, 'is not a schedule expression', 'use cron(...), rate(...) or at(...)');
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    checkCronFields(scope, prop, expression, cron[1].trim().split(/\s+/));
    return;
  }
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const parts = /^(\d+) (minutes?|hours?|days?)$/.exec(rate[1]);
    if (!parts) {
      fail(scope, prop, expression, 'is not a rate expression', 'use rate(<n> minutes|hours|days), e.g. rate(15 minutes) or rate(1 hour)');
    }
    const value = Number(parts[1]);
    if (value < 1) {
      fail(scope, prop, expression, 'runs more often than once a minute', 'use a rate of at least 1 minute');
    }
    // The Scheduler API wants the singular unit for 1 and the plural otherwise.
    const plural = parts[2].endsWith('s');
    if ((value === 1) === plural) {
      fail(scope, prop, expression, `uses "${parts[2]}" with ${value}`, `write rate(1 ${parts[2].replace(/s$/, '')}) or rate(${value === 1 ? 2 : value} ${parts[2].replace(/s?$/, 's')})`);
    }
    return;
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
      && hour <= 23 && minute <= 59 && second <= 59;
    if (!real) fail(scope, prop, expression, 'is not a real date and time', 'use at(yyyy-mm-ddThh:mm:ss) with a calendar date and a 24-hour time');
    return;
  }
  fail(scope, prop, expression, 'is not a schedule expression',
    'use cron(minutes hours day-of-month month day-of-week year), rate(<n> minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)');
}

function checkCronFields(scope: IConstruct, prop: string, expression: string, fields: string[]): void {
  if (fields.length !== CRON_FIELDS.length) {
    fail(scope, prop, expression, `has ${fields.length} fields`,
      'a Scheduler cron expression has 6: cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 2 * * ? *)');
  }
  CRON_FIELDS.forEach((field, index) => {
    const problem = cronFieldProblem(field, fields[index]);
    if (problem) fail(scope, prop, expression, problem, fieldAllowed(field));
  });
  checkDayFields(scope, prop, expression, fields[2], fields[4]);
}

/** Exactly one of day-of-month and day-of-week must be `?`. */
export function checkDayFields(scope: IConstruct, prop: string, value: string, day: string, weekDay: string): void {
  if (day === '?' && weekDay === '?') {
    fail(scope, prop, value, 'sets neither day-of-month nor day-of-week', 'put ? in one of the two fields and a value or * in the other');
  }
  if (day !== '?' && weekDay !== '?') {
    fail(scope, prop, value, 'sets both day-of-month and day-of-week', 'put ? in one of the two fields (e.g. cron(0 2 * * ? *) or cron(0 2 ? * MON-FRI *))');
  }
}

let knownTimeZones: Set<string> | undefined;

/** IANA names aws-cdk-lib knows (TimeZone's constants) and the ones Node's ICU knows. */
function timeZoneNames(): Set<string> {
  if (!knownTimeZones) {
    const fromCdk = Object.getOwnPropertyNames(TimeZone)
      .map((key) => (TimeZone as unknown as Record<string, unknown>)[key])
      .filter((value): value is TimeZone => value instanceof TimeZone)
      .map((zone) => zone.timezoneName);
    const intl = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
    knownTimeZones = new Set<string>([...fromCdk, ...(intl ? intl('timeZone') : []), 'UTC']);
  }
  return knownTimeZones;
}

/** The IANA name ICU resolves `name` to, or undefined when ICU does not know it. */
function resolveTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Fails unless `timeZone` names an IANA time zone, spelled as the Scheduler expects (case matters). */
export function checkTimeZone(scope: IConstruct, prop: string, timeZone: TimeZone | undefined): void {
  if (timeZone === undefined) return;
  const name = timeZone.timezoneName;
  if (Token.isUnresolved(name)) return;
  if (timeZoneNames().has(name)) return;
  const resolved = resolveTimeZone(name);
  // ICU also knows IANA aliases (Asia/Calcutta) that its canonical list leaves out; it matches case-insensitively, the Scheduler does not.
  if (resolved !== undefined && /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(name)) return;
  const suggestion = resolved !== undefined && resolved.toLowerCase() === name.toLowerCase() ? ` (did you mean ${JSON.stringify(resolved)}?)` : '';
  fail(scope, prop, name, `is not an IANA time zone${suggestion}`, 'use a TimeZone constant such as TimeZone.EUROPE_BERLIN, or TimeZone.of(\'Area/City\') with an IANA name');
}
