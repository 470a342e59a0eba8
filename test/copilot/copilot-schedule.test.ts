import { toAwsExpression } from '../../lib/copilot/copilot-schedule';

const refuse = (problem: string, allowed: string): never => {
  throw new Error(`${problem}; ${allowed}`);
};
const convert = (text: string) => toAwsExpression(text, refuse);

describe('on.schedule converts as Copilot converts it (scheduled_job.go), in UTC', () => {
  test.each([
    ['@hourly', 'cron(0 * * * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@midnight', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * 1 *)'],
    ['@monthly', 'cron(0 0 1 * ? *)'],
    // Copilot's docs table says cron(0 * * * ? *); its code, which users ran, says this.
    ['@yearly', 'cron(0 0 1 1 ? *)'],
    ['@annually', 'cron(0 0 1 1 ? *)'],
  ])('the preset %s is %s', (text, expected) => {
    expect(convert(text)).toBe(expected);
  });

  test.each([
    ['@every 1m', 'rate(1 minute)'],
    ['@every 30m', 'rate(30 minutes)'],
    ['@every 1h30m', 'rate(90 minutes)'],
  ])('%s is %s', (text, expected) => {
    expect(convert(text)).toBe(expected);
  });

  test.each([
    // weekdays: Unix 1-5 (Mon–Fri) is AWS 2-6
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
    ['30 2 1 * *', 'cron(30 2 1 * ? *)'],
    ['0 0 * * 0', 'cron(0 0 ? * 1 *)'],
    ['0 0 * * MON', 'cron(0 0 ? * MON *)'],
  ])('the Unix cron %s is the AWS cron %s', (text, expected) => {
    expect(convert(text)).toBe(expected);
  });

  test.each(['rate(5 minutes)', 'cron(0 12 * * ? *)', 'none'])('%s passes through', (text) => {
    expect(convert(text)).toBe(text);
  });

  test.each([
    ['@every 90s', /whole number of minutes/],
    ['@every 30s', /whole number of minutes/],
    ['@every soon', /no Go duration/],
    ['@fortnightly', /not a schedule preset; use one of @hourly/],
    ['0 9 * *', /not a five-field cron expression/],
    ['0 9 1 * 1', /both a day of the month and a day of the week/],
  ])('%s is refused', (text, message) => {
    expect(() => convert(text)).toThrow(message);
  });
});
