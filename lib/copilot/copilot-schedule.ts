import { Duration, TimeZone } from 'aws-cdk-lib';
import { TaskSchedule } from '../task/task-schedule';
import { parseGoDuration } from './go-duration';
import { ManifestReader } from './manifest-reader';

/** A Scheduled Job's `on.schedule` as a schedule of this library, and whether it runs at all (`none`). */
export interface ConvertedSchedule {
  readonly schedule: TaskSchedule;
  readonly enabled: boolean;
  /** The expression EventBridge receives, for messages and tests. */
  readonly expression: string;
}

/** Copilot's presets, as its code converts them (its docs' table shows @yearly wrong). */
const PRESETS: Record<string, string> = {
  '@hourly': 'cron(0 * * * ? *)',
  '@daily': 'cron(0 0 * * ? *)',
  '@midnight': 'cron(0 0 * * ? *)',
  '@weekly': 'cron(0 0 ? * 1 *)',
  '@monthly': 'cron(0 0 1 * ? *)',
  '@yearly': 'cron(0 0 1 1 ? *)',
  '@annually': 'cron(0 0 1 1 ? *)',
};

/**
 * Converts `on.schedule` as Copilot does (its `scheduled_job.go`), in UTC as Copilot's
 * schedules are: `rate(...)` and `cron(...)` pass through, `none` is a disabled schedule,
 * `@every <duration>` a rate in whole minutes, the `@` presets fixed crons, and a five-field
 * Unix cron an AWS cron, with day-of-week numbers moved from Unix's 0–6 to AWS's 1–7.
 */
export function copilotSchedule(reader: ManifestReader): ConvertedSchedule {
  const text = reader.string('on.schedule');
  const node = reader.peek('on.schedule');
  if (text === undefined) return reader.fail('on.schedule', reader.peek('on'), 'is missing', 'give a schedule: @daily, @every 1h, a cron expression, rate(...) or none');
  const expression = toAwsExpression(text.trim(), (problem, allowed) => reader.fail('on.schedule', node, problem, allowed));
  if (expression === 'none') {
    // Copilot keeps a disabled rule; a disabled schedule needs an expression too.
    return { schedule: TaskSchedule.rate(Duration.minutes(5)), enabled: false, expression: 'none' };
  }
  return { schedule: TaskSchedule.expression(expression, TimeZone.ETC_UTC), enabled: true, expression };
}

/** The AWS expression for a Copilot schedule, or `none`. Exported for tests. */
export function toAwsExpression(text: string, fail: (problem: string, allowed: string) => never): string {
  if (text === 'none' || /^(rate|cron)\(.*\)$/.test(text)) return text;
  if (PRESETS[text] !== undefined) return PRESETS[text];
  if (text.startsWith('@every ')) {
    const seconds = parseGoDuration(text.slice('@every '.length));
    if (seconds === undefined) fail('has no Go duration after @every', 'write @every 30m or @every 1h30m');
    const minutes = seconds / 60;
    if (minutes < 1 || !Number.isInteger(minutes)) fail('is not a whole number of minutes', 'use @every with whole minutes, at least 1m');
    return minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`;
  }
  if (text.startsWith('@')) fail('is not a schedule preset', `use one of ${Object.keys(PRESETS).join(', ')}, or @every <duration>`);
  const fields = text.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => /^[0-9A-Za-z*,/?-]+$/.test(f))) {
    fail('is not a five-field cron expression', 'write minute hour day-of-month month day-of-week (0 9 * * 1-5), a preset, @every <duration>, rate(...), cron(...) or none');
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const given = (f: string) => f !== '*' && f !== '?';
  if (given(dayOfMonth) && given(dayOfWeek)) fail('gives both a day of the month and a day of the week', 'give one of them (AWS cron cannot combine them) and * for the other');
  const awsDayOfWeek = given(dayOfWeek) ? dayOfWeek.replace(/\d/g, (d) => String(Number(d) + 1)) : '?';
  const awsDayOfMonth = given(dayOfWeek) ? '?' : given(dayOfMonth) ? dayOfMonth : '*';
  return `cron(${minute} ${hour} ${awsDayOfMonth} ${month} ${awsDayOfWeek} *)`;
}
