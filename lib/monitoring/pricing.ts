import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * CloudWatch, KMS and SNS list prices in us-east-1 (USD per month) and the arithmetic of the
 * monitoring's monthly cost. Internal: AppMonitoring.figures() reads it.
 */
export const MonitoringPrices = {
  /** One standard-resolution alarm metric (a metric-math alarm pays this per metric in its expression). */
  alarmMetricUsd: 0.10,
  /** One dashboard beyond the account's 3 free ones (dashboards of up to 50 metrics). */
  dashboardUsd: 3.00,
  /** One customer-managed KMS key (its requests: $0.03 per 10,000, a few per notification). */
  kmsKeyUsd: 1.00,
  /** An SNS topic costs nothing by itself; notifications are billed per delivery (first 1,000 e-mails a month free). */
  snsTopicUsd: 0,
} as const;

/** The metrics an alarm is billed for: 1 for a metric, the metrics of a math expression's `usingMetrics`. */
export function billedMetrics(metric: cloudwatch.IMetric): number {
  if (metric instanceof cloudwatch.MathExpression) {
    return Object.values(metric.usingMetrics).reduce((sum, m) => sum + billedMetrics(m), 0);
  }
  return 1;
}

/** Monthly cost in USD, rounded to cents. */
export function monthlyCostUsd(input: { alarmMetrics: number; dashboards: number; kmsKeys: number }): number {
  const total = input.alarmMetrics * MonitoringPrices.alarmMetricUsd
    + input.dashboards * MonitoringPrices.dashboardUsd
    + input.kmsKeys * MonitoringPrices.kmsKeyUsd;
  return Math.round(total * 100) / 100;
}
