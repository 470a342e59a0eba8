import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { billedMetrics, MonitoringPrices, monthlyCostUsd } from '../../lib/monitoring/pricing';

describe('monitoring prices (us-east-1 list prices)', () => {
  test('an alarm on one metric is billed for 1 metric; a metric-math alarm for each metric in its expression', () => {
    const m = (name: string) => new cloudwatch.Metric({ namespace: 'X', metricName: name, period: Duration.minutes(1) });
    expect(billedMetrics(m('a'))).toBe(1);
    expect(billedMetrics(new cloudwatch.MathExpression({ expression: 'a - b', usingMetrics: { a: m('a'), b: m('b') } }))).toBe(2);
  });

  test('$0.10 per alarm metric, $3 per dashboard, $1 per KMS key, rounded to cents', () => {
    expect(MonitoringPrices).toMatchObject({ alarmMetricUsd: 0.1, dashboardUsd: 3, kmsKeyUsd: 1, snsTopicUsd: 0 });
    expect(monthlyCostUsd({ alarmMetrics: 8, dashboards: 1, kmsKeys: 1 })).toBe(4.8);
    expect(monthlyCostUsd({ alarmMetrics: 3, dashboards: 0, kmsKeys: 0 })).toBe(0.3);
  });
});
