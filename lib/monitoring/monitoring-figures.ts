/**
 * What the monitoring adds and what it costs a month (us-east-1 list prices).
 */
export interface MonitoringFigures {
  /** CloudFormation resources this construct created (alarms, rules, dashboard, topic, key, policies). */
  readonly resources: number;
  /** Alarms this construct created. */
  readonly alarms: number;
  /** Metrics those alarms are billed for ($0.10 each; a metric-math alarm pays for each metric in its expression). */
  readonly alarmMetrics: number;
  /** Dashboards (0 or 1). */
  readonly dashboards: number;
  /** Customer-managed KMS keys (the created topic's). */
  readonly kmsKeys: number;
  /** Monthly cost of the alarms in USD. */
  readonly alarmCostUsd: number;
  /** Monthly cost of the dashboard in USD ($3, or $0 while the account has fewer than 3 dashboards). */
  readonly dashboardCostUsd: number;
  /** Monthly cost of everything above in USD (dashboard at $3, KMS key at $1; SNS deliveries not counted). */
  readonly monthlyCostUsd: number;
}
