import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentStrategy } from '../../lib/deployment';
import { WorkerService } from '../../lib/worker';
import { readSnapshotTemplates } from '../quality/stateful-guard';
import { AlarmProperties, firstAlarmSecond, metricKey, World } from './alarm-replay';
import { fixture, NGINX, resourcesOf, webService } from './fixture';

/**
 * The promise "a deployment alarm never goes off during a healthy start of up to 3 minutes, and
 * always goes off inside the time ECS watches when a release fails", proved by replaying
 * deployments second by second through the synthesized alarms (their own metric math, statistics,
 * periods and M-of-N evaluation). The model and its assumptions are in ./alarm-replay.ts.
 */

const DEPLOY_START = 130; // seconds: deliberately not on a minute boundary
const HORIZON = DEPLOY_START + 45 * 60;
const HEALTHY_STARTS = [30, 90, 180];

interface ServiceTemplate {
  readonly template: Record<string, any>;
  readonly service: Record<string, any>;
  readonly alarms: AlarmProperties[];
}

function serviceTemplate(template: Template): ServiceTemplate {
  const json = template.toJSON();
  const [service] = Object.values(resourcesOf(template, 'AWS::ECS::Service'));
  const byName = Object.fromEntries(Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => [a.Properties.AlarmName, a.Properties]));
  const alarms = (service.Properties.DeploymentConfiguration.Alarms?.AlarmNames ?? []).map((name: string) => byName[name]);
  return { template: json, service: service.Properties, alarms };
}

// ---------------------------------------------------------------- web services
interface WebScenario {
  /** Seconds from the new task's start to its app answering the health check; Infinity: never. */
  readonly startSeconds: number;
  /** The release answers 20 % of requests with 5xx from 30 s after it became healthy. */
  readonly bad?: boolean;
  readonly requestsPerMinute: number;
  /** The service's first deployment: no old tasks. */
  readonly firstCreate?: boolean;
  /** 5xx a minute that every revision answers anyway (a healthy service's stray failures). */
  readonly strayErrorsPerMinute?: number;
}

interface WebTimeline { readonly world: World; readonly healthyAt: number; readonly watchedUntil: (alarm: AlarmProperties) => number }

function webWorld(st: ServiceTemplate, scenario: WebScenario): WebTimeline {
  const { template, service } = st;
  const lb = service.LoadBalancers[0];
  const primary = lb.TargetGroupArn.Ref as string;
  const alternate = lb.AdvancedConfiguration?.AlternateTargetGroupArn?.Ref as string | undefined;
  const group = template.Resources[primary].Properties;
  const interval = group.HealthCheckIntervalSeconds as number;
  const unhealthyAfter = group.UnhealthyThresholdCount * interval;
  const attr = (key: string) => Number(group.TargetGroupAttributes.find((a: any) => a.Key === key).Value);
  const deregistration = attr('deregistration_delay.timeout_seconds');
  const config = service.DeploymentConfiguration;
  const strategy = config.Strategy ?? 'ROLLING';

  const start = DEPLOY_START;
  const ready = start + scenario.startSeconds;
  const firstPassingCheck = start + Math.ceil(scenario.startSeconds / interval) * interval;
  const healthyAt = Number.isFinite(scenario.startSeconds) ? firstPassingCheck + (group.HealthyThresholdCount - 1) * interval : Infinity;
  const newGroup = alternate ?? primary;

  const stepSeconds = strategy === 'CANARY' ? config.CanaryConfiguration.CanaryBakeTimeInMinutes * 60
    : strategy === 'LINEAR' ? config.LinearConfiguration.StepBakeTimeInMinutes * 60 : 0;
  const linearStep = strategy === 'LINEAR' ? config.LinearConfiguration.StepPercent / 100 : 0;
  const linearSteps = strategy === 'LINEAR' ? Math.ceil(1 / linearStep) - 1 : 0;
  const shareOfNew = (t: number): number => {
    if (t < healthyAt) return scenario.firstCreate ? 1 : 0; // a first create has nothing else: ELB fails open
    const since = t - healthyAt;
    switch (strategy) {
      case 'CANARY': return since < stepSeconds ? config.CanaryConfiguration.CanaryPercent / 100 : 1;
      case 'LINEAR': return Math.min(1, linearStep * (1 + Math.floor(since / stepSeconds)));
      default: return 1;
    }
  };

  const world: World = {};
  const series = (name: string, id: string) => (world[metricKey(name, id)] ??= Array(HORIZON).fill(0));
  for (const id of [primary, ...(alternate ? [alternate] : [])]) {
    for (const name of ['RequestCount', 'HTTPCode_Target_5XX_Count', 'UnHealthyHostCount', 'HealthyHostCount']) series(name, id);
  }
  const perSecond = scenario.requestsPerMinute / 60;
  for (let t = 0; t < HORIZON; t++) {
    const share = shareOfNew(t);
    // Before the new task answers, a first create's requests fail at the load balancer (ELB 502:
    // HTTPCode_ELB_5XX, not a target's answer); after, the app answers them.
    const answeredByNew = t >= ready ? perSecond * share : 0;
    series('RequestCount', newGroup)[t] += perSecond * share;
    if (!scenario.firstCreate) series('RequestCount', primary)[t] += perSecond * (1 - share);
    if (scenario.bad && t >= healthyAt + 30) series('HTTPCode_Target_5XX_Count', newGroup)[t] += 0.2 * answeredByNew;
    // Stray failures, one burst at the top of each minute, on whichever revision takes the request.
    if (scenario.strayErrorsPerMinute && t % 60 === 0) {
      series('HTTPCode_Target_5XX_Count', share >= 0.5 ? newGroup : primary)[t] += scenario.strayErrorsPerMinute;
    }
    const unhealthy = t >= start + unhealthyAfter && t < healthyAt && scenario.startSeconds > unhealthyAfter;
    series('UnHealthyHostCount', newGroup)[t] += unhealthy ? 1 : 0;
    series('HealthyHostCount', newGroup)[t] += t >= healthyAt ? 1 : 0;
  }

  const watchedUntil = (alarm: AlarmProperties): number => {
    const period = Math.max(...(alarm.Metrics ?? []).map((m: any) => m.MetricStat?.Period ?? m.Period ?? 0), alarm.Period ?? 0);
    switch (strategy) {
      case 'ROLLING': return healthyAt + deregistration + alarm.EvaluationPeriods * period;
      case 'CANARY': return healthyAt + stepSeconds + config.BakeTimeInMinutes * 60;
      case 'LINEAR': return healthyAt + linearSteps * stepSeconds + config.BakeTimeInMinutes * 60;
      default: return healthyAt + config.BakeTimeInMinutes * 60;
    }
  };
  return { world, healthyAt, watchedUntil };
}

const STRATEGIES: Array<[string, DeploymentStrategy]> = [
  ['rolling', DeploymentStrategy.rolling()],
  ['canary', DeploymentStrategy.canary()],
  ['linear', DeploymentStrategy.linear()],
  ['blue/green', DeploymentStrategy.blueGreen()],
];

describe.each(STRATEGIES)('WebService, %s: the deployment alarm replayed', (_name, strategy) => {
  let st: ServiceTemplate;
  beforeAll(() => {
    const f = fixture();
    // A grace period that covers the slowest start replayed: ECS would otherwise stop the task (the
    // user's setting for a slow app); it does not change the alarm.
    webService(f, 'Web', { pathPatterns: ['/app/*'], healthCheckGracePeriod: Duration.minutes(4), deployment: { strategy } });
    st = serviceTemplate(Template.fromStack(f.stack));
    expect(st.alarms).toHaveLength(1);
  });

  test.each(HEALTHY_STARTS)('a healthy start of %d s never sets it off (1,200 requests a minute)', (startSeconds) => {
    const { world } = webWorld(st, { startSeconds, requestsPerMinute: 1200 });
    expect(firstAlarmSecond(st.alarms[0], world)).toBeUndefined();
  });

  test.each(HEALTHY_STARTS)('a 5xx burst after a healthy start of %d s sets it off inside the time ECS watches', (startSeconds) => {
    const { world, healthyAt, watchedUntil } = webWorld(st, { startSeconds, requestsPerMinute: 1200, bad: true });
    const at = firstAlarmSecond(st.alarms[0], world);
    expect(at).toBeDefined();
    expect(at!).toBeGreaterThan(healthyAt);
    expect(at!).toBeLessThanOrEqual(watchedUntil(st.alarms[0]));
  });

  test('tasks that never pass their health checks: no request reaches them, so the alarm stays quiet and the circuit breaker acts', () => {
    const { world } = webWorld(st, { startSeconds: Infinity, requestsPerMinute: 1200 });
    expect(firstAlarmSecond(st.alarms[0], world)).toBeUndefined();
    // ECS stops a task whose target stays unhealthy past the grace period and counts it as failed;
    // the breaker fails the deployment and rolls it back (Amazon ECS Developer Guide, "How the
    // Amazon ECS deployment circuit breaker detects failures").
    expect(st.service.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true, ResetOnHealthyTask: false });
    expect(st.service.HealthCheckGracePeriodSeconds).toBeGreaterThan(0);
  });
});

describe('WebService: a quiet service with stray failures', () => {
  test('50 requests a minute with one or two stray 5xx every minute (2 to 4 %): a healthy release stays, where a share alone would roll it back', () => {
    // GIVEN
    const f = fixture();
    webService(f, 'Web', { healthCheckGracePeriod: Duration.minutes(4) });
    const st = serviceTemplate(Template.fromStack(f.stack));
    const alarm = st.alarms[0];
    const shareOnly = { ...alarm, Metrics: alarm.Metrics.map((m: any) => (m.Expression ? { ...m, Expression: m.Expression.replace(/ AND FILL\(e0, 0\) >= \d+/, '') } : m)) };
    for (const stray of [1, 2]) {
      // WHEN
      const { world } = webWorld(st, { startSeconds: 30, requestsPerMinute: 50, strayErrorsPerMinute: stray });
      // THEN
      expect(firstAlarmSecond(alarm, world)).toBeUndefined();
      expect(firstAlarmSecond(shareOnly, world)).toBeDefined();
    }
  });

  test('a bad release at 50 requests a minute (10 failures a minute) is still caught inside the window', () => {
    const f = fixture();
    webService(f, 'Web', { healthCheckGracePeriod: Duration.minutes(4) });
    const st = serviceTemplate(Template.fromStack(f.stack));
    const bad = webWorld(st, { startSeconds: 30, requestsPerMinute: 50, bad: true });
    expect(firstAlarmSecond(st.alarms[0], bad.world)).toBeLessThanOrEqual(bad.watchedUntil(st.alarms[0]));
  });
});

describe('WebService: the first create cannot fail on its deployment alarm', () => {
  // A first deployment has no COMPLETED deployment to roll back to: an alarm during it fails the
  // stack's create. The alarm needs target 5xx with traffic, which a healthy app does not answer.
  let st: ServiceTemplate;
  beforeAll(() => {
    const f = fixture();
    webService(f, 'Web', { healthCheckGracePeriod: Duration.minutes(4) });
    st = serviceTemplate(Template.fromStack(f.stack));
  });

  test.each(HEALTHY_STARTS)('no traffic yet, a start of %d s: quiet', (startSeconds) => {
    expect(firstAlarmSecond(st.alarms[0], webWorld(st, { startSeconds, requestsPerMinute: 0, firstCreate: true }).world)).toBeUndefined();
  });

  test.each(HEALTHY_STARTS)('traffic already pointed at it, a start of %d s (ELB answers 502 itself until the app is up): quiet', (startSeconds) => {
    expect(firstAlarmSecond(st.alarms[0], webWorld(st, { startSeconds, requestsPerMinute: 1200, firstCreate: true }).world)).toBeUndefined();
  });
});

describe('the replay can tell: the previous alarm (5xx or an unhealthy target, 2 of 2 minutes) fails it', () => {
  test('a healthy 90 s start set the previous alarm off: ECS rolled back a good release', () => {
    // GIVEN the alarm as it was synthesized before (0.1): unhealthy targets counted as bad minutes
    const f = fixture();
    webService(f, 'Web', { healthCheckGracePeriod: Duration.minutes(4) });
    const st = serviceTemplate(Template.fromStack(f.stack));
    const group = st.service.LoadBalancers[0].TargetGroupArn.Ref;
    const current = st.alarms[0];
    const previous = {
      ...current,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Metrics: [
        ...current.Metrics.filter((m: any) => m.MetricStat),
        { Id: 'u0', ReturnData: false, MetricStat: { Metric: { MetricName: 'UnHealthyHostCount', Namespace: 'AWS/ApplicationELB', Dimensions: [{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [group, 'TargetGroupFullName'] } }] }, Period: 60, Stat: 'Maximum' } },
        { Id: 'expr', Expression: 'MAX([IF(FILL(r0, 0) >= 10 AND 100 * FILL(e0, 0) / FILL(r0, 1) > 1, 1, 0), IF(FILL(u0, 0) >= 1, 1, 0)])', Period: 60 },
      ],
    };
    // WHEN / THEN
    const { world } = webWorld(st, { startSeconds: 90, requestsPerMinute: 1200 });
    expect(firstAlarmSecond(previous, world)).toBeDefined();
    expect(firstAlarmSecond(current, world)).toBeUndefined();
  });

  test('the previous 2 of 2 minutes could not go off inside the 120 s ECS watched after a rolling deployment', () => {
    const f = fixture();
    webService(f, 'Web');
    const st = serviceTemplate(Template.fromStack(f.stack));
    const previous = { ...st.alarms[0], EvaluationPeriods: 2, DatapointsToAlarm: 2 };
    const { world, watchedUntil } = webWorld(st, { startSeconds: 30, requestsPerMinute: 1200, bad: true });
    expect(firstAlarmSecond(previous, world)!).toBeGreaterThan(watchedUntil(previous));
    expect(firstAlarmSecond(st.alarms[0], world)!).toBeLessThanOrEqual(watchedUntil(st.alarms[0]));
  });
});

// ---------------------------------------------------------------- workers
interface WorkerScenario {
  readonly startSeconds: number;
  /** stalled: never receives; failing: receives and fails every message. */
  readonly release: 'healthy' | 'stalled' | 'failing';
  /** The dead-letter queue is empty and has not been touched for 6 hours: SQS reports nothing for it until the first message. */
  readonly deadLetterAsleep?: boolean;
  /** A release that fails every message: its first dead letters all arrive within one minute. */
  readonly burst?: boolean;
}

function workerWorld(st: ServiceTemplate, queueId: string, deadLetterId: string, scenario: WorkerScenario): { world: World; watchedUntil: (alarm: AlarmProperties) => number } {
  const queue = st.template.Resources[queueId].Properties;
  const visibility = queue.VisibilityTimeout ?? 30;
  const maxReceives = queue.RedrivePolicy.maxReceiveCount;
  const start = DEPLOY_START;
  // With minimum healthy 100 %, ECS stops the old tasks once the new ones run (a worker has no
  // health check to wait for): the worst case, the old ones stop at once.
  const oldStop = start + 10;
  const ready = start + scenario.startSeconds;
  const world: World = {};
  const series = (name: string, id: string) => (world[metricKey(name, id)] ??= Array(HORIZON).fill(0));
  const firstDeadLetter = ready + maxReceives * visibility;
  for (let t = 0; t < HORIZON; t++) {
    // A backlog older than the deployment (500 messages, 20 minutes old at the start) that the
    // tasks work through: messages always wait.
    series('ApproximateNumberOfMessagesVisible', queueId)[t] = 500;
    series('ApproximateAgeOfOldestMessage', queueId)[t] = 1200 + t;
    const oldHolds = t < oldStop + visibility; // messages the old tasks held stay in flight until their visibility ends
    const newHolds = t >= ready && scenario.release !== 'stalled';
    series('ApproximateNumberOfMessagesNotVisible', queueId)[t] = (oldHolds ? 5 : 0) + (newHolds ? 5 : 0);
    // 3 dead letters from last week (or none, asleep); a failing release adds one a second once its
    // first messages run out of receives (or 5 at once, a burst).
    const arrived = scenario.release === 'failing' && t >= firstDeadLetter ? (scenario.burst ? 5 : t - firstDeadLetter + 1) : 0;
    series('ApproximateNumberOfMessagesVisible', deadLetterId)[t] = scenario.deadLetterAsleep
      ? (arrived > 0 ? arrived : NaN)
      : 3 + arrived;
  }
  const steady = oldStop;
  const watchedUntil = (alarm: AlarmProperties) => steady + alarm.EvaluationPeriods * 60;
  return { world, watchedUntil };
}

describe('WorkerService: the deployment alarms replayed', () => {
  let st: ServiceTemplate;
  let queueId: string;
  let deadLetterId: string;
  beforeAll(() => {
    const f = fixture();
    const worker = new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {} });
    st = serviceTemplate(Template.fromStack(f.stack));
    queueId = f.stack.getLogicalId(worker.queue!.node.defaultChild as any);
    deadLetterId = f.stack.getLogicalId(worker.deadLetterQueue!.node.defaultChild as any);
    expect(st.alarms).toHaveLength(2);
  });

  test.each(HEALTHY_STARTS)('a healthy start of %d s with a backlog older than the deployment sets off neither alarm', (startSeconds) => {
    const { world } = workerWorld(st, queueId, deadLetterId, { startSeconds, release: 'healthy' });
    for (const alarm of st.alarms) expect(firstAlarmSecond(alarm, world)).toBeUndefined();
  });

  test.each(HEALTHY_STARTS)('a release that stopped consuming (start of %d s) sets off the stalled-queue alarm inside the time ECS watches', (startSeconds) => {
    const { world, watchedUntil } = workerWorld(st, queueId, deadLetterId, { startSeconds, release: 'stalled' });
    const stalled = st.alarms.find((a) => a.AlarmName.endsWith('/StalledQueueAlarm'))!;
    expect(firstAlarmSecond(stalled, world)).toBeLessThanOrEqual(watchedUntil(stalled));
  });

  test('a release that fails every message (start of 30 s) sets off the dead-letter alarm inside the time ECS watches', () => {
    const { world, watchedUntil } = workerWorld(st, queueId, deadLetterId, { startSeconds: 30, release: 'failing' });
    const deadLetter = st.alarms.find((a) => a.AlarmName.endsWith('/DeadLetterAlarm'))!;
    expect(firstAlarmSecond(deadLetter, world)).toBeLessThanOrEqual(watchedUntil(deadLetter));
  });

  test('a dead-letter queue asleep (empty, no datapoints for 6 hours) still reports the first burst of a failing release', () => {
    const deadLetter = st.alarms.find((a) => a.AlarmName.endsWith('/DeadLetterAlarm'))!;
    const { world, watchedUntil } = workerWorld(st, queueId, deadLetterId, { startSeconds: 30, release: 'failing', deadLetterAsleep: true, burst: true });
    expect(firstAlarmSecond(deadLetter, world)).toBeLessThanOrEqual(watchedUntil(deadLetter));
    // The difference of the raw series has no datapoint before the burst: it would miss it.
    const rawDiff = { ...deadLetter, Metrics: deadLetter.Metrics.map((m: any) => (m.Expression ? { ...m, Expression: 'FILL(DIFF(d), 0)' } : m)) };
    expect(firstAlarmSecond(rawDiff, world)).toBeUndefined();
  });

  test('a healthy release next to an asleep dead-letter queue: quiet', () => {
    const deadLetter = st.alarms.find((a) => a.AlarmName.endsWith('/DeadLetterAlarm'))!;
    const { world } = workerWorld(st, queueId, deadLetterId, { startSeconds: 90, release: 'healthy', deadLetterAsleep: true });
    expect(firstAlarmSecond(deadLetter, world)).toBeUndefined();
  });

  test('the previous oldest-message alarm (over 10 minutes, 2 of 2) went off on that healthy release: the backlog aged', () => {
    const previous = {
      AlarmName: 'previous', MetricName: 'ApproximateAgeOfOldestMessage', Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum', Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 600,
      ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    };
    const { world } = workerWorld(st, queueId, deadLetterId, { startSeconds: 30, release: 'healthy' });
    expect(firstAlarmSecond(previous, world)).toBeDefined();
  });
});

// ---------------------------------------------------------------- every example and bin-app stage
describe('every example and bin-app stage, from the committed snapshots', () => {
  // The snapshots are what the examples synthesize (test/examples keeps them current).
  const templates = readSnapshotTemplates(path.join(__dirname, '..', 'examples', '__snapshots__', 'examples.test.ts.snap'));
  const alarmsByName = new Map<string, AlarmProperties>();
  for (const template of templates.values()) {
    for (const resource of Object.values(template.Resources ?? {}) as any[]) {
      if (resource.Type === 'AWS::CloudWatch::Alarm' && typeof resource.Properties.AlarmName === 'string') alarmsByName.set(resource.Properties.AlarmName, resource.Properties);
    }
  }
  const services: Array<[string, ServiceTemplate]> = [];
  for (const [name, template] of templates) {
    for (const [id, resource] of Object.entries(template.Resources ?? {}) as Array<[string, any]>) {
      if (resource.Type !== 'AWS::ECS::Service') continue;
      const names: unknown[] = resource.Properties.DeploymentConfiguration?.Alarms?.AlarmNames ?? [];
      const alarms = names.map((n) => (typeof n === 'string' ? alarmsByName.get(n) : undefined)).filter((a): a is AlarmProperties => a !== undefined);
      services.push([`${name} ${id}`, { template, service: resource.Properties, alarms }]);
    }
  }

  test('the snapshots hold services with deployment alarms to replay', () => {
    expect(services.filter(([, st]) => st.alarms.length > 0).length).toBeGreaterThanOrEqual(10);
  });

  test.each(services)('%s: no alarm goes off during a healthy start of 30, 90 or 180 s; each goes off inside the time ECS watches when the release fails', (_name, st) => {
    const problems: string[] = [];
    const quietOn = (alarm: AlarmProperties, world: World, what: string) => {
      const at = firstAlarmSecond(alarm, world);
      if (at !== undefined) problems.push(`${alarm.AlarmName} goes off at ${at} s on ${what}`);
    };
    const catches = (alarm: AlarmProperties, timeline: { world: World; watchedUntil: (a: AlarmProperties) => number }, what: string) => {
      const at = firstAlarmSecond(alarm, timeline.world);
      if (at === undefined || at > timeline.watchedUntil(alarm)) problems.push(`${alarm.AlarmName} misses ${what}: goes off at ${at ?? 'never'}, ECS watches until ${timeline.watchedUntil(alarm)} s`);
    };
    for (const alarm of st.alarms) {
      if (st.service.LoadBalancers?.length) {
        for (const startSeconds of HEALTHY_STARTS) {
          quietOn(alarm, webWorld(st, { startSeconds, requestsPerMinute: 1200 }).world, `a healthy start of ${startSeconds} s`);
          catches(alarm, webWorld(st, { startSeconds, requestsPerMinute: 1200, bad: true }), `5xx after a start of ${startSeconds} s`);
        }
        continue;
      }
      const queueId = (alarm.Metrics ?? []).map((m: any) => m.MetricStat?.Metric.Dimensions?.find((d: any) => d.Name === 'QueueName')?.Value['Fn::GetAtt'][0]).find(Boolean);
      const queues = Object.entries(st.template.Resources).filter(([, r]: [string, any]) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy) as Array<[string, any]>;
      const [mainId, main] = queues.find(([qid, q]) => qid === queueId || q.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] === queueId)!;
      const deadLetterId = main.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
      for (const startSeconds of HEALTHY_STARTS) {
        quietOn(alarm, workerWorld(st, mainId, deadLetterId, { startSeconds, release: 'healthy' }).world, `a healthy start of ${startSeconds} s`);
      }
      const release = alarm.AlarmName.endsWith('/DeadLetterAlarm') ? 'failing' : 'stalled';
      const deadLetterSeconds = main.Properties.RedrivePolicy.maxReceiveCount * (main.Properties.VisibilityTimeout ?? 30);
      // Past the hour the dead-letter alarm looks back, the construct warns instead
      // (ecs-service-kit:dead-letter-after-watch, deployment-alarms.test.ts) and the example acknowledges it.
      const beyondWatch = release === 'failing' && deadLetterSeconds > 57 * 60 && alarm.EvaluationPeriods === 60;
      if (!beyondWatch) catches(alarm, workerWorld(st, mainId, deadLetterId, { startSeconds: 30, release }), `a ${release} release`);
    }
    expect(problems).toEqual([]);
  });
});
