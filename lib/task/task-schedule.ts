import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IConstruct } from 'constructs';
import { fail, formatValue } from '../validation/checks';
import { checkScheduleExpression, checkTimeZone, cronFieldAllowed, cronFieldProblem, CRON_FIELDS } from './schedule-validation';

/**
 * The fields of a cron schedule (EventBridge Scheduler syntax). Each field is a string, so
 * lists (`MON,WED`), ranges (`1-5`), steps (`0/15`) and the special values (`L`, `W`, `#`) work.
 */
export interface TaskCronOptions {
  /**
   * Minutes, 0–59.
   *
   * @default '0' - on the full hour. (Unlike events.CronOptions, where a missing minute means
   * every minute: given only `hour`, that would start 60 tasks within that hour.)
   */
  readonly minute?: string;

  /**
   * Hours, 0–23, in `timeZone`.
   *
   * @default '*' - every hour
   */
  readonly hour?: string;

  /**
   * Day of the month, 1–31 (`L` for the last day). Give `day` or `weekDay`, not both.
   *
   * @default '*' - every day, unless `weekDay` is given
   */
  readonly day?: string;

  /**
   * Month, 1–12 or JAN–DEC.
   *
   * @default '*' - every month
   */
  readonly month?: string;

  /**
   * Day of the week, 1–7 (1 = Sunday) or SUN–SAT. Give `day` or `weekDay`, not both.
   *
   * @default - any day of the week (`?`)
   */
  readonly weekDay?: string;

  /**
   * Year, 1970–2199.
   *
   * @default '*' - every year
   */
  readonly year?: string;

  /**
   * The time zone the fields are read in. With a zone that has daylight saving time, the
   * Scheduler follows it (a run at 02:00 stays at 02:00 local time all year).
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
}

/**
 * A schedule resolved for a construct.
 */
export interface TaskScheduleConfig {
  /** The expression the EventBridge Scheduler schedule gets. */
  readonly expression: scheduler.ScheduleExpression;
  /** The expression with its time zone, for humans: `cron(0 2 * * ? *) in Europe/Berlin`. */
  readonly description: string;
}

/**
 * When a scheduled task runs: a cron schedule in a time zone, a fixed rate, or one point in time.
 *
 * The factories only record the input; `bind` checks it (the Scheduler's rules: six cron fields
 * in range, rates of whole minutes, real dates, IANA time zones) and reports problems as a
 * ConfigurationError naming `schedule`, so they fail at synth rather than at deploy time.
 */
export abstract class TaskSchedule {
  /**
   * Runs on a cron schedule in a time zone, e.g. nightly at 02:00 Berlin time:
   * `TaskSchedule.cron({ hour: '2', timeZone: TimeZone.EUROPE_BERLIN })`.
   */
  public static cron(options: TaskCronOptions): TaskSchedule {
    return new CronSchedule(options);
  }

  /**
   * Runs every `interval`: a whole number of minutes, at least one.
   */
  public static rate(interval: Duration): TaskSchedule {
    return new RateSchedule(interval);
  }

  /**
   * Runs once, at `date`. Its date and time fields (as `date.toISOString()` shows them, seconds
   * precision) are read in `timeZone`.
   *
   * @param timeZone the time zone the date is read in. Default: TimeZone.ETC_UTC
   */
  public static at(date: Date, timeZone?: TimeZone): TaskSchedule {
    return new AtSchedule(date, timeZone);
  }

  /**
   * A Scheduler expression as text: `cron(0 2 * * ? *)`, `rate(15 minutes)` or
   * `at(2030-01-01T00:00:00)`.
   *
   * @param timeZone the time zone the expression is read in. Default: TimeZone.ETC_UTC
   */
  public static expression(expression: string, timeZone?: TimeZone): TaskSchedule {
    return new TextSchedule(expression, timeZone);
  }

  /**
   * An aws-scheduler ScheduleExpression you already have. Its text and time zone are checked
   * like `expression`'s.
   */
  public static fromScheduleExpression(expression: scheduler.ScheduleExpression): TaskSchedule {
    return new TextSchedule(expression.expressionString, expression.timeZone);
  }

  /**
   * Checks the schedule and returns the expression for `scope`. Errors name `schedule`.
   */
  public abstract bind(scope: IConstruct): TaskScheduleConfig;
}

const PROP = 'schedule';

function config(expressionString: string, timeZone: TimeZone | undefined): TaskScheduleConfig {
  const zone = timeZone ?? TimeZone.ETC_UTC;
  return {
    expression: scheduler.ScheduleExpression.expression(expressionString, zone),
    description: `${expressionString} in ${zone.timezoneName}`,
  };
}

class CronSchedule extends TaskSchedule {
  constructor(private readonly options: TaskCronOptions) {
    super();
  }

  public bind(scope: IConstruct): TaskScheduleConfig {
    const options = this.options ?? {};
    if (options.day !== undefined && options.weekDay !== undefined) {
      fail(scope, `${PROP}.day`, options.day, `cannot be combined with ${PROP}.weekDay ${formatValue(options.weekDay)}`,
        'give day (day of the month) or weekDay (day of the week), not both');
    }
    const given: Record<string, string | undefined> = { ...options } as Record<string, string | undefined>;
    for (const field of CRON_FIELDS) {
      const value = given[field.option];
      if (value === undefined || Token.isUnresolved(value)) continue;
      if (typeof value !== 'string') {
        fail(scope, `${PROP}.${field.option}`, value, 'is not a string', cronFieldAllowed(field.option));
      }
      // `?` is spelled by leaving the field out.
      const problem = value === '?' ? 'is implied by leaving the field out' : cronFieldProblem(field, value);
      if (problem) fail(scope, `${PROP}.${field.option}`, value, problem, cronFieldAllowed(field.option));
    }
    // Exactly one of the two day fields is `?`: day and weekDay were checked not to come together.
    const day = options.day ?? (options.weekDay !== undefined ? '?' : '*');
    const weekDay = options.weekDay ?? '?';
    checkTimeZone(scope, `${PROP}.timeZone`, options.timeZone);
    const fields = [options.minute ?? '0', options.hour ?? '*', day, options.month ?? '*', weekDay, options.year ?? '*'];
    return config(`cron(${fields.join(' ')})`, options.timeZone);
  }
}

class RateSchedule extends TaskSchedule {
  constructor(private readonly interval: Duration) {
    super();
  }

  public bind(scope: IConstruct): TaskScheduleConfig {
    const interval = this.interval;
    if (!(interval instanceof Duration)) {
      fail(scope, PROP, interval, 'is not a Duration', 'use TaskSchedule.rate(Duration.minutes(15))');
    }
    if (interval.isUnresolved()) {
      return { expression: scheduler.ScheduleExpression.rate(interval), description: 'a rate from a token' };
    }
    // integral: false, so fractions and NaN reach our check instead of failing inside aws-cdk-lib.
    const minutes = interval.toMinutes({ integral: false });
    if (!Number.isFinite(minutes) || !Number.isInteger(minutes) || minutes < 1) {
      fail(scope, PROP, `rate(${interval.toHumanString()})`, 'is not a whole number of minutes of at least 1',
        'use TaskSchedule.rate with Duration.minutes(n), Duration.hours(n) or Duration.days(n), n ≥ 1');
    }
    const expression = scheduler.ScheduleExpression.rate(interval);
    return { expression, description: expression.expressionString };
  }
}

class AtSchedule extends TaskSchedule {
  constructor(private readonly date: Date, private readonly timeZone: TimeZone | undefined) {
    super();
  }

  public bind(scope: IConstruct): TaskScheduleConfig {
    if (!(this.date instanceof Date) || Number.isNaN(this.date.getTime())) {
      fail(scope, PROP, `at(${String(this.date)})`, 'is not a valid date', 'give TaskSchedule.at a valid Date, e.g. new Date(\'2030-01-01T02:00:00Z\')');
    }
    checkTimeZone(scope, `${PROP}.timeZone`, this.timeZone);
    const expression = scheduler.ScheduleExpression.at(this.date, this.timeZone ?? TimeZone.ETC_UTC);
    return { expression, description: `${expression.expressionString} in ${expression.timeZone?.timezoneName}` };
  }
}

class TextSchedule extends TaskSchedule {
  constructor(private readonly expression: string, private readonly timeZone: TimeZone | undefined) {
    super();
  }

  public bind(scope: IConstruct): TaskScheduleConfig {
    checkScheduleExpression(scope, PROP, this.expression);
    checkTimeZone(scope, `${PROP}.timeZone`, this.timeZone);
    return config(this.expression, this.timeZone);
  }
}
