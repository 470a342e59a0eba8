import { createHash } from 'crypto';
import { Annotations, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { claimUniqueName } from '../validation/unique-names';
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

/** The id of the warning for a dead-letter queue whose first arrivals come after ECS stops watching. */
export const DEAD_LETTER_AFTER_WATCH_WARNING = 'ecs-service-kit:dead-letter-after-watch';

/** SQS's visibility timeout when a queue sets none. */
const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
/** A worker's alarms look back at most an hour: ECS's bake after a rolling deployment grows with them. */
const MAX_WORKER_ALARM_PERIODS = 60;
/** The id of the warning for a stalled-queue alarm that would need more than an hour. */
export const STALL_AFTER_WATCH_WARNING = 'ecs-service-kit:stall-after-watch';
/** The id of the warning for a dead-letter queue that takes a message on its first failed receive. */
export const SINGLE_RECEIVE_WARNING = 'ecs-service-kit:single-receive-dead-letter';

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
  readonly minimumErrorsPerMinute: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly maxMessageAgeSeconds: number;
}

export function resolveAlarmSettings(options: DeploymentAlarmOptions | undefined): ResolvedAlarmSettings {
  return {
    errorRatePercent: options?.errorRatePercent ?? Defaults.deploymentErrorRatePercent,
    minimumRequestsPerMinute: options?.minimumRequestsPerMinute ?? Defaults.deploymentMinimumRequestsPerMinute,
    minimumErrorsPerMinute: options?.minimumErrorsPerMinute ?? Defaults.deploymentMinimumErrorsPerMinute,
    evaluationPeriods: options?.evaluationPeriods ?? Defaults.deploymentAlarmEvaluationPeriods,
    datapointsToAlarm: options?.datapointsToAlarm ?? Defaults.deploymentAlarmDatapoints,
    maxMessageAgeSeconds: (options?.maxMessageAge ?? Defaults.deploymentMaxMessageAge).toSeconds(),
  };
}

/**
 * The worker's stalled-queue alarm: minutes in which messages waited while no task held one. A
 * healthy start leaves at most `maxMessageAge` / 1 minute such minutes (whole minutes inside the
 * gap), so one more sets it off; the window is wide enough for ECS to see it, up to an hour.
 */
export function stalledQueueTiming(settings: ResolvedAlarmSettings, visibilitySeconds: number): { datapointsToAlarm: number; evaluationPeriods: number; needed: number } {
  const minute = ALARM_PERIOD.toSeconds();
  const datapointsToAlarm = Math.floor(settings.maxMessageAgeSeconds / minute) + 1;
  // More minutes than that for ECS to see it: the messages the old tasks held stay in flight for
  // a visibility timeout after they stop; a stalled minute counts only when the whole minute is,
  // so the first can come up to a minute later; and its datapoint needs about a minute to arrive.
  const lead = Math.ceil(visibilitySeconds / minute) + 2;
  const needed = Math.max(settings.evaluationPeriods, datapointsToAlarm + lead);
  return { datapointsToAlarm, evaluationPeriods: Math.min(MAX_WORKER_ALARM_PERIODS, needed), needed };
}

function newAlarm(scope: Construct, id: string, props: Omit<cloudwatch.AlarmProps, 'alarmName'>): cloudwatch.Alarm {
  const alarmName = deploymentAlarmName(scope, id);
  claimUniqueName(scope, 'alarmName', alarmName, 'CloudWatch alarm name', 'alarms');
  return new cloudwatch.Alarm(scope, id, { ...props, alarmName });
}

/**
 * A WebService's deployment alarm, `DeploymentAlarm`: one verdict per service (one resource,
 * so a service stays within the budget of 10 resources per service), over each of its target groups
 * (two with a traffic-shifting strategy, since ECS alternates new revisions between them). A
 * minute is bad when, in any of the groups, the 5xx share, `100 × HTTPCode_Target_5XX_Count /
 * RequestCount`, is above `errorRatePercent` in a minute with at least `minimumRequestsPerMinute`
 * requests and `minimumErrorsPerMinute` 5xx (fewer count as good: a quiet service's one or two
 * stray failures are no verdict, and at 50 requests a minute with a 0.5 % baseline a single 5xx
 * would otherwise make 1 healthy minute in 5 bad).
 *
 * It reads no health-check metric. A target that has not yet answered its health check is
 * unhealthy for ELB (after `unhealthyThresholdCount` × interval, 10 s by default) for as long as
 * the app takes to start, on every healthy deployment; ELB sends it no requests meanwhile, so its
 * start adds no request and no 5xx here. Tasks that never pass, or stop passing, their health
 * checks are the circuit breaker's: ECS replaces a task whose target stays unhealthy past the
 * health-check grace period and counts it as a failed task.
 *
 * `datapointsToAlarm` bad minutes among the last `evaluationPeriods` set it off. Missing data is good.
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
    verdicts.push(`IF(FILL(r${i}, 0) >= ${settings.minimumRequestsPerMinute} AND FILL(e${i}, 0) >= ${settings.minimumErrorsPerMinute} `
      + `AND 100 * FILL(e${i}, 0) / FILL(r${i}, 1) > ${settings.errorRatePercent}, 1, 0)`);
  });
  const bad = new cloudwatch.MathExpression({
    expression: verdicts.length === 1 ? verdicts[0] : `MAX([${verdicts.join(', ')}])`,
    usingMetrics,
    period: ALARM_PERIOD,
    label: 'Bad minute: 5xx share over the threshold (1)',
  });
  return newAlarm(scope, 'DeploymentAlarm', {
    metric: bad,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: settings.evaluationPeriods,
    datapointsToAlarm: settings.datapointsToAlarm,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `Deployment alarm of ${scope.node.path}: in ${settings.datapointsToAlarm} of the last ${settings.evaluationPeriods} minutes, more than ${settings.errorRatePercent} % of requests ` +
      `answered with 5xx by the tasks (minutes with ${settings.minimumRequestsPerMinute}+ requests and ${settings.minimumErrorsPerMinute}+ errors). ECS rolls a deployment back on it.`,
  });
}

/**
 * A WorkerService's deployment alarms on its queue:
 *
 * - `DeadLetterAlarm` (with a dead-letter queue): messages arrived in the dead-letter queue (its
 *   visible count rose) in any one minute. A failing release moves messages there in bursts, at
 *   each message's last failed receive, so one such minute is the signal; the messages already in
 *   the dead-letter queue (kept for 14 days) do not count. The first arrive maxReceiveCount ×
 *   visibility timeout after the release starts receiving (5 × 60 s by default), so the alarm
 *   looks back that long plus 3 minutes (at least `evaluationPeriods`, at most an hour): ECS
 *   watches it that long after the deployment, and sees those arrivals.
 * - `StalledQueueAlarm`: minutes in which messages waited (visible, minimum above 0) while no
 *   task held one (in flight, maximum 0; SQS samples both once a minute): a release that stopped
 *   consuming. A
 *   backlog older than the deployment does not count while the tasks work on it, however old its
 *   messages, and neither do long jobs (a job in progress holds its message).
 */
export function createWorkerDeploymentAlarms(
  scope: Construct, queue: sqs.IQueue, deadLetterQueue: sqs.IQueue | undefined, settings: ResolvedAlarmSettings,
): cloudwatch.Alarm[] {
  const alarms: cloudwatch.Alarm[] = [];
  const cfnQueue = queue.node.defaultChild instanceof sqs.CfnQueue ? queue.node.defaultChild : undefined;
  const visibilitySeconds = typeof cfnQueue?.visibilityTimeout === 'number' ? cfnQueue.visibilityTimeout : SQS_DEFAULT_VISIBILITY_SECONDS;
  if (deadLetterQueue) {
    const redrive = queue instanceof sqs.Queue ? queue.deadLetterQueue : undefined;
    const firstArrivalMinutes = Math.ceil(((redrive?.maxReceiveCount ?? 1) * visibilitySeconds) / ALARM_PERIOD.toSeconds());
    const deadLetterPeriods = Math.min(MAX_WORKER_ALARM_PERIODS, Math.max(settings.evaluationPeriods, firstArrivalMinutes + 3));
    if (redrive?.maxReceiveCount === 1) {
      Annotations.of(scope).addWarningV2(SINGLE_RECEIVE_WARNING,
        'queue.maxReceiveCount is 1: a job cut short by a deployment or a scale-in (its task stopped before the job ended) goes to the dead-letter queue on its next receive, ' +
        'and the dead-letter deployment alarm then rolls back a healthy release. Allow at least 2 receives, make jobs finish or give their message back on SIGTERM, ' +
        `or acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${SINGLE_RECEIVE_WARNING}', reason }).`);
    }
    if (firstArrivalMinutes + 3 > MAX_WORKER_ALARM_PERIODS) {
      Annotations.of(scope).addWarningV2(DEAD_LETTER_AFTER_WATCH_WARNING,
        `A release that fails every message sends its first one to the dead-letter queue only after maxReceiveCount × visibility timeout (${firstArrivalMinutes} minutes), ` +
        `after ECS stops watching the deployment (the alarm looks back at most ${MAX_WORKER_ALARM_PERIODS} minutes): such a release is not rolled back by itself; its dead letters page through AppMonitoring. ` +
        'Lower maxJobDuration (and so the visibility timeout) or queue.maxReceiveCount, add an alarm of your own that sees failures sooner (deployment.alarms.additionalAlarms), ' +
        `or acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${DEAD_LETTER_AFTER_WATCH_WARNING}', reason }).`);
    }
    // An empty queue left alone for 6 hours stops reporting (SQS: metrics of inactive queues): the
    // first burst after that has no datapoint before it, so the gap is filled with 0 before the
    // difference. A queue with messages in it stays active and reports every minute.
    const arrivals = new cloudwatch.MathExpression({
      expression: 'FILL(DIFF(FILL(d, 0)), 0)',
      usingMetrics: { d: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }) },
      period: ALARM_PERIOD,
      label: 'Messages arriving in the dead-letter queue',
    });
    alarms.push(newAlarm(scope, 'DeadLetterAlarm', {
      metric: arrivals,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: deadLetterPeriods,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Deployment alarm of ${scope.node.path}: messages arrived in the dead-letter queue. ECS rolls a deployment back on it.`,
    }));
  }
  const timing = stalledQueueTiming(settings, visibilitySeconds);
  if (timing.needed > timing.evaluationPeriods) {
    Annotations.of(scope).addWarningV2(STALL_AFTER_WATCH_WARNING,
      `The stalled-queue alarm would need ${timing.needed} minutes to see a release that stopped consuming (the old tasks' messages stay in flight for the visibility timeout, ${visibilitySeconds} s), ` +
      `more than the ${MAX_WORKER_ALARM_PERIODS} it looks back: ECS may stop watching before it goes off. Lower maxJobDuration (and so the visibility timeout), ` +
      `or acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${STALL_AFTER_WATCH_WARNING}', reason }).`);
  }
  const stalled = new cloudwatch.MathExpression({
    expression: 'IF(FILL(waiting, 0) > 0 AND FILL(held, 0) == 0, 1, 0)',
    usingMetrics: {
      waiting: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Minimum' }),
      held: queue.metricApproximateNumberOfMessagesNotVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
    },
    period: ALARM_PERIOD,
    label: 'Stalled minute: messages waited and no task held one (1)',
  });
  alarms.push(newAlarm(scope, 'StalledQueueAlarm', {
    metric: stalled,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: timing.evaluationPeriods,
    datapointsToAlarm: timing.datapointsToAlarm,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `Deployment alarm of ${scope.node.path}: in ${timing.datapointsToAlarm} of the last ${timing.evaluationPeriods} minutes, messages waited ` +
      'while no task held one (the release stopped consuming). ECS rolls a deployment back on it.',
  }));
  return alarms;
}
