import { createHash } from 'crypto';
import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { claimUniqueName } from '../validation/physical-names';
import { DeploymentAlarmOptions } from './deployment-options';

/**
 * The library's deployment alarms. Internal: WebService and WorkerService create them; users
 * reach them through `deploymentAlarms`.
 *
 * Each alarm has an explicit name derived from the stack name and the alarm's path in the stack.
 * The ECS service lists deployment alarms by name; a name that is a `Ref` to the alarm makes
 * aws-cdk-lib warn of a possible circular dependency (our alarms never read the service's own
 * metrics, so there would be none, but a literal name needs no such reasoning and keeps the
 * synth output quiet). Stack names are unique per account and region, and paths are unique in
 * a stack, so the names are too; `claimUniqueName` checks it anyway (a custom stackName could
 * repeat).
 */

/** The period of every deployment alarm: one minute, the finest standard resolution. */
export const ALARM_PERIOD = Duration.minutes(1);

/** CloudWatch's limit on alarm names. */
const MAX_ALARM_NAME_LENGTH = 255;

/** The explicit name of a deployment alarm `id` under `scope`. */
export function deploymentAlarmName(scope: IConstruct, id: string): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? Names.uniqueId(stack) : stack.stackName;
  const relative = scope.node.scopes.slice(scope.node.scopes.indexOf(stack) + 1).map(s => s.node.id).join('/');
  const name = `${stackName}/${relative}/${id}`;
  if (name.length <= MAX_ALARM_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_ALARM_NAME_LENGTH - 9)}-${hash}`;
}

/** What the alarms are set to, after defaults. */
export interface ResolvedAlarmSettings {
  readonly errorRatePercent: number;
  readonly minimumRequestsPerMinute: number;
  readonly evaluationPeriods: number;
  readonly maxMessageAgeSeconds: number;
}

export function resolveAlarmSettings(options: DeploymentAlarmOptions | undefined): ResolvedAlarmSettings {
  return {
    errorRatePercent: options?.errorRatePercent ?? Defaults.deploymentErrorRatePercent,
    minimumRequestsPerMinute: options?.minimumRequestsPerMinute ?? Defaults.deploymentMinimumRequestsPerMinute,
    evaluationPeriods: options?.evaluationPeriods ?? Defaults.deploymentAlarmEvaluationPeriods,
    maxMessageAgeSeconds: (options?.maxMessageAge ?? Defaults.deploymentMaxMessageAge).toSeconds(),
  };
}

function newAlarm(scope: Construct, id: string, props: Omit<cloudwatch.AlarmProps, 'alarmName'>): cloudwatch.Alarm {
  const alarmName = deploymentAlarmName(scope, id);
  claimUniqueName(scope, 'alarmName', alarmName, 'CloudWatch alarm name', 'alarms');
  return new cloudwatch.Alarm(scope, id, { ...props, alarmName });
}

/**
 * A WebService's deployment alarm, `DeploymentAlarm`: one verdict per service (one resource,
 * so a service stays within DESIGN.md's budget of 10 resources), over each of its target groups
 * (two with a traffic-shifting strategy, since ECS alternates new revisions between them). A
 * minute is bad when, in any of the groups,
 *
 * - the 5xx share, `100 × HTTPCode_Target_5XX_Count / RequestCount`, is above `errorRatePercent`
 *   in a minute with at least `minimumRequestsPerMinute` requests (fewer count as good: an idle
 *   service's one failed request is no verdict), or
 * - a target is unhealthy (a release whose tasks pass their first checks, then fail them).
 *
 * `evaluationPeriods` bad minutes in a row set it off. Missing data is good.
 */
export function createWebDeploymentAlarm(
  scope: Construct, targetGroups: elbv2.ApplicationTargetGroup[], settings: ResolvedAlarmSettings,
): cloudwatch.Alarm {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  const verdicts: string[] = [];
  targetGroups.forEach((group, i) => {
    const metrics = group.metrics;
    usingMetrics[`e${i}`] = metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: ALARM_PERIOD, statistic: 'Sum' });
    usingMetrics[`r${i}`] = metrics.requestCount({ period: ALARM_PERIOD, statistic: 'Sum' });
    usingMetrics[`u${i}`] = metrics.unhealthyHostCount({ period: ALARM_PERIOD, statistic: 'Maximum' });
    verdicts.push(`IF(FILL(r${i}, 0) >= ${settings.minimumRequestsPerMinute} AND 100 * FILL(e${i}, 0) / FILL(r${i}, 1) > ${settings.errorRatePercent}, 1, 0)`);
    verdicts.push(`IF(FILL(u${i}, 0) >= 1, 1, 0)`);
  });
  const bad = new cloudwatch.MathExpression({
    expression: `MAX([${verdicts.join(', ')}])`,
    usingMetrics,
    period: ALARM_PERIOD,
    label: 'Bad minute: 5xx share over the threshold or an unhealthy target (1)',
  });
  return newAlarm(scope, 'DeploymentAlarm', {
    metric: bad,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: settings.evaluationPeriods,
    datapointsToAlarm: settings.evaluationPeriods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `Deployment alarm of ${scope.node.path}: for ${settings.evaluationPeriods} minutes in a row, more than ${settings.errorRatePercent} % of requests ` +
      `answered with 5xx by the tasks (minutes with ${settings.minimumRequestsPerMinute}+ requests) or an unhealthy target. ECS rolls a deployment back on it.`,
  });
}

/**
 * A WorkerService's deployment alarms on its queue:
 *
 * - `DeadLetterAlarm` (with a dead-letter queue): messages arrived in the dead-letter queue (its
 *   visible count rose) in any one minute. A failing release moves messages there in bursts, at
 *   each message's last failed receive, so one such minute is the signal; the messages already
 *   in the dead-letter queue (kept for 14 days) do not count.
 * - `OldestMessageAlarm`: the oldest waiting message older than `maxMessageAge` for
 *   `evaluationPeriods` minutes in a row (a release that stopped consuming).
 */
export function createWorkerDeploymentAlarms(
  scope: Construct, queue: sqs.IQueue, deadLetterQueue: sqs.IQueue | undefined, settings: ResolvedAlarmSettings,
): cloudwatch.Alarm[] {
  const alarms: cloudwatch.Alarm[] = [];
  if (deadLetterQueue) {
    const arrivals = new cloudwatch.MathExpression({
      expression: 'FILL(DIFF(d), 0)',
      usingMetrics: { d: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }) },
      period: ALARM_PERIOD,
      label: 'Messages arriving in the dead-letter queue',
    });
    alarms.push(newAlarm(scope, 'DeadLetterAlarm', {
      metric: arrivals,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Deployment alarm of ${scope.node.path}: messages arrived in the dead-letter queue. ECS rolls a deployment back on it.`,
    }));
  }
  alarms.push(newAlarm(scope, 'OldestMessageAlarm', {
    metric: queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
    threshold: settings.maxMessageAgeSeconds,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: settings.evaluationPeriods,
    datapointsToAlarm: settings.evaluationPeriods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `Deployment alarm of ${scope.node.path}: the oldest message waited more than ${settings.maxMessageAgeSeconds} s for ${settings.evaluationPeriods} minutes. ECS rolls a deployment back on it.`,
  }));
  return alarms;
}

/**
 * Monthly list price of the alarms, us-east-1: a standard-resolution alarm costs $0.10 per
 * metric it reads (a metric-math alarm counts each metric in its expression).
 */
export const STANDARD_ALARM_PRICE_PER_METRIC = 0.10;

/** How many metrics an alarm reads, the unit CloudWatch bills alarms in. */
export function alarmMetricCount(alarm: cloudwatch.Alarm): number {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const metrics = Stack.of(alarm).resolve(cfn.metrics) as Array<{ metricStat?: unknown }> | undefined;
  return metrics ? metrics.filter(m => m.metricStat !== undefined).length : 1;
}
