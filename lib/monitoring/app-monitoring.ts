import { Annotations, Aspects, CfnResource, IAspect, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct, IConstruct } from 'constructs';
import { ImportedServiceCluster } from '../cluster/imported-cluster';
import { ServiceCluster } from '../cluster/service-cluster';
import { ServiceLoadBalancer } from '../load-balancer/service-load-balancer';
import { NetworkService } from '../service/network-service';
import { WebService } from '../service/web-service';
import { ScheduledTask } from '../task/scheduled-task';
import { checkDurationSeconds, checkPattern, checkRange, fail } from '../validation/checks';
import { claimUniqueName } from '../validation/unique-names';
import { WorkerService } from '../worker/worker-service';
import { AlarmCatalog, AlarmSpec, alarmSpec } from './alarm-catalog';
import { AlarmNotifications } from './alarm-notifications';
import {
  AlarmSettings, LoadBalancerAlarmOptions, NetworkServiceAlarmOptions, ScheduledTaskAlarmOptions, ServiceAlarmOptions, WebServiceAlarmOptions, WorkerServiceAlarmOptions,
} from './alarm-settings';
import { createAlarmTopic } from './alarm-topic';
import { addRow, createDashboard, loadBalancerWidgets, networkServiceWidgets, scheduledTaskWidgets, webServiceWidgets, workerWidgets } from './dashboard';
import { createFailedRunRule } from './failed-run-rule';
import { CROSS_STACK_ALARM_WARNING, NO_CONTAINER_INSIGHTS_WARNING, NotificationKind } from './internal';
import { metricsOf } from './metric-factory';
import { MonitoringFigures } from './monitoring-figures';
import { billedMetrics, monthlyCostUsd } from './pricing';

/**
 * Properties of an AppMonitoring.
 */
export interface AppMonitoringProps {
  /**
   * Where alarm state changes go (to ALARM and back to OK), for every alarm this construct
   * creates and every alarm it finds under the constructs it monitors (deployment alarms,
   * your own), except the alarms of step scaling policies.
   *
   * @default - no notifications: the alarms show on the dashboard and in the CloudWatch console only
   */
  readonly notifications?: AlarmNotifications;

  /**
   * Create a CloudWatch dashboard (child `Dashboard`) with a row per monitored construct and the
   * state of every alarm. $3/month beyond the account's 3 free dashboards.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * The dashboard's name: 1–255 letters, digits, hyphens and underscores. Dashboard names are
   * unique per account across all regions: a second AppMonitoring of the app with the same name
   * in the same account is a synth error.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly dashboardName?: string;
}

/**
 * Operations for an app's services: a set of operational alarms per service, scheduled task and
 * load balancer (each tunable, each can be turned off), one CloudWatch dashboard, and
 * notifications to an SNS topic or any alarm action.
 *
 * Operational alarms page a person; deployment alarms (on the services) roll a bad release back.
 * Where a service already has an alarm on the same metric (HTTPCode_Target_5XX_Count,
 * UnHealthyHostCount, a dead-letter queue's or queue's depth and age), the operational set adds
 * none and sends that alarm's state changes instead. Every alarm found under a monitored
 * construct, also one added later, gets the notifications and shows on the dashboard.
 *
 * Everything is created in this construct's stack. Services in other stacks are watched by
 * their metrics' dimension values (their names, exported from their stacks).
 */
export class AppMonitoring extends Construct {
  /** The created topic (`AlarmNotifications.newTopic()`), or the given one (`toTopic`). */
  public readonly topic?: sns.ITopic;
  /** The KMS key of the created topic. */
  public readonly topicKey?: kms.Key;
  /** The dashboard, unless `dashboard: false`. */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly actions: cloudwatch.IAlarmAction[];
  private readonly created: cloudwatch.Alarm[] = [];
  private readonly found: cloudwatch.AlarmBase[] = [];
  private readonly notified = new Set<cloudwatch.AlarmBase>();
  private readonly monitored = new Set<IConstruct>();

  constructor(scope: Construct, id: string, props: AppMonitoringProps = {}) {
    super(scope, id);
    checkPattern(this, 'dashboardName', props.dashboardName, /^[A-Za-z0-9_-]{1,255}$/,
      'use 1 to 255 letters, digits, hyphens and underscores');
    if (props.dashboard === false && props.dashboardName !== undefined) {
      fail(this, 'dashboardName', props.dashboardName, 'needs a dashboard, and dashboard is false', 'leave dashboardName out, or dashboard on');
    }
    // Dashboards are global: one name per account, whatever the region.
    claimUniqueName(this, 'dashboardName', props.dashboardName, 'CloudWatch dashboard name', 'account\'s dashboards (all regions)', { regionless: true });

    const notifications = props.notifications;
    if (notifications?._kind === NotificationKind.NEW_TOPIC) {
      const created = createAlarmTopic(this);
      this.topic = created.topic;
      this.topicKey = created.key;
    } else if (notifications?._kind === NotificationKind.TOPIC) {
      this.topic = notifications._topic;
    }
    this.actions = this.topic ? [new cw_actions.SnsAction(this.topic)] : [...(notifications?._actions ?? [])];

    if (props.dashboard ?? true) {
      this.dashboard = createDashboard(this, props.dashboardName, () => [...this.created, ...this.found]);
    }
  }

  /** The alarms this construct created (the alarms it finds are added at synth and not listed here). */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.created];
  }

  /**
   * Monitors a WebService: CPU, memory, running tasks below desired, 5xx rate, p99 response
   * time and unhealthy targets; its row on the dashboard; notifications for its alarms.
   */
  public addWebService(service: WebService, options: WebServiceAlarmOptions = {}): void {
    this.startMonitoring(service, 'addWebService');
    const ecsService = service.ecsService;
    const targetGroup = service.targetGroup;
    // With canary, linear or blue/green, ECS alternates releases between two target groups:
    // every metric reads both, or it goes blind after every other deployment.
    const groups = [targetGroup, ...(service.alternateTargetGroup ? [service.alternateTargetGroup] : [])];
    const specs = this.serviceSpecs(service, ecsService, options);
    const path = service.node.path;
    const tgDimension = targetGroup.targetGroupFullName;
    if (!this.coveredBy(service, 'http5xxPercent', options.http5xxPercent, 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', { TargetGroup: tgDimension })) {
      specs.push(alarmSpec(AlarmCatalog.http5xx, groups, path, options.http5xxPercent));
    }
    specs.push(alarmSpec(AlarmCatalog.p99ResponseTime, groups, path, options.p99ResponseTimeSeconds));
    if (!this.coveredBy(service, 'unhealthyHosts', options.unhealthyHosts, 'AWS/ApplicationELB', 'UnHealthyHostCount', { TargetGroup: tgDimension })) {
      specs.push(alarmSpec(AlarmCatalog.unhealthyHosts, groups, path, options.unhealthyHosts));
    }
    this.monitor(service, 'addWebService', specs);

    addRow(this.dashboard, service, webServiceWidgets(ecsService, groups));
  }

  /**
   * Monitors a NetworkService: CPU, memory, running tasks below desired and unhealthy targets
   * (a Network Load Balancer reports no request outcomes or response times); its row on the
   * dashboard; notifications for its alarms.
   */
  public addNetworkService(service: NetworkService, options: NetworkServiceAlarmOptions = {}): void {
    this.startMonitoring(service, 'addNetworkService');
    const specs = this.serviceSpecs(service, service.ecsService, options);
    const targetGroup = service.targetGroup;
    if (!this.coveredBy(service, 'unhealthyHosts', options.unhealthyHosts, 'AWS/NetworkELB', 'UnHealthyHostCount', { TargetGroup: targetGroup.targetGroupFullName })) {
      specs.push(alarmSpec(AlarmCatalog.networkUnhealthyHosts, targetGroup, service.node.path, options.unhealthyHosts));
    }
    this.monitor(service, 'addNetworkService', specs);

    addRow(this.dashboard, service, networkServiceWidgets(service.ecsService, targetGroup));
  }

  /**
   * Monitors a WorkerService: CPU, memory, running tasks below desired, and with a queue the
   * age of its oldest message and the depth of its dead-letter queue; its row on the dashboard;
   * notifications for its alarms.
   */
  public addWorker(worker: WorkerService, options: WorkerServiceAlarmOptions = {}): void {
    this.startMonitoring(worker, 'addWorker');
    const specs = this.serviceSpecs(worker, worker.ecsService, options);
    const queue = worker.queue;
    const dlq = worker.deadLetterQueue;
    if (queue && !this.coveredBy(worker, 'oldestMessageAgeSeconds', options.oldestMessageAgeSeconds, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: queue.queueName })) {
      specs.push(alarmSpec(AlarmCatalog.oldestMessageAge, queue, worker.node.path, options.oldestMessageAgeSeconds));
    }
    // Not replaced by the worker's deployment alarm on the same queue: that one watches messages
    // arriving (and goes back to OK while they sit); this one pages while any message waits.
    if (dlq) {
      specs.push(alarmSpec(AlarmCatalog.workerDeadLetterMessages, dlq, worker.node.path, options.deadLetterMessages));
    }
    this.monitor(worker, 'addWorker', specs);

    addRow(this.dashboard, worker, workerWidgets(worker));
  }

  /**
   * Monitors a ScheduledTask: runs that failed (an EventBridge rule on its ECS task state
   * changes, sent to the topic when there is one), runs the Scheduler could not start (its
   * dead-letter queue), and with a state machine (`rerunFailedRuns`, `runTimeout`) its failed,
   * timed-out and aborted executions (a task that could not start there leaves no task event);
   * its row on the dashboard; notifications for its alarms.
   */
  public addScheduledTask(task: ScheduledTask, options: ScheduledTaskAlarmOptions = {}): void {
    this.startMonitoring(task, 'addScheduledTask');
    const failedRuns = options.failedRuns;
    let rule: events.Rule | undefined;
    const specs = [
      alarmSpec(AlarmCatalog.failedRuns, () => rule!, task.node.path, failedRuns),
      alarmSpec(AlarmCatalog.scheduleDeadLetterMessages, task.deadLetterQueue, task.node.path, options.deadLetterMessages),
      ...(task.stateMachine ? [alarmSpec(AlarmCatalog.failedExecutions, task.stateMachine, task.node.path, options.failedExecutions)] : []),
    ];
    this.monitor(task, 'addScheduledTask', specs, (scope) => {
      if (failedRuns?.enabled ?? true) rule = createFailedRunRule(scope, task, this.topic);
    });

    addRow(this.dashboard, task, scheduledTaskWidgets(task.deadLetterQueue, rule));
  }

  /**
   * Monitors a ServiceLoadBalancer: the 5xx it generates itself; its row on the dashboard
   * (requests, 5xx, connections, response time); notifications for alarms found under it.
   */
  public addLoadBalancer(loadBalancer: ServiceLoadBalancer, options: LoadBalancerAlarmOptions = {}): void {
    this.startMonitoring(loadBalancer, 'addLoadBalancer');
    const metrics = loadBalancer.applicationLoadBalancer.metrics;
    this.monitor(loadBalancer, 'addLoadBalancer', [alarmSpec(AlarmCatalog.elb5xx, metrics, loadBalancer.node.path, options.elb5xxPercent)]);
    addRow(this.dashboard, loadBalancer, loadBalancerWidgets(metrics));
  }

  /**
   * The resources this construct added and their monthly cost at us-east-1 list prices.
   * Call it after the last `add...`.
   */
  public figures(): MonitoringFigures {
    const alarmMetrics = this.created.reduce((sum, alarm) => sum + billedMetrics(alarm.metric), 0);
    const dashboards = this.dashboard ? 1 : 0;
    const kmsKeys = this.topicKey ? 1 : 0;
    const resources = this.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
    return {
      resources,
      alarms: this.created.length,
      alarmMetrics,
      dashboards,
      kmsKeys,
      alarmCostUsd: monthlyCostUsd({ alarmMetrics, dashboards: 0, kmsKeys: 0 }),
      dashboardCostUsd: monthlyCostUsd({ alarmMetrics: 0, dashboards, kmsKeys: 0 }),
      monthlyCostUsd: monthlyCostUsd({ alarmMetrics, dashboards, kmsKeys }),
    };
  }

  /**
   * Fails when `construct` is missing (a caller without types) or already monitored: each
   * construct gets one `add...` call with all its options.
   */
  private startMonitoring(construct: IConstruct, method: string): void {
    if (!construct) fail(this, method, construct, 'is missing', 'give the construct to monitor');
    if (this.monitored.has(construct)) {
      fail(this, method, construct.node.path, 'is already monitored', `call ${method} once per construct; give all options in that call`);
    }
  }

  /**
   * Validates every alarm's settings, then records that `construct` is monitored, finds its
   * alarms (at synth, also ones added later) and creates the enabled alarms in a child scope named
   * after it. `before` adds to that scope what the alarms' metrics need (a rule).
   */
  private monitor(construct: IConstruct, method: string, specs: AlarmSpec[], before?: (scope: Construct) => void): void {
    const resolved = specs.map((spec) => ({ spec, ...this.validateSettings(spec, method) }));
    this.monitored.add(construct);
    Aspects.of(construct).add(new FindAlarms(this));
    const scope = new Construct(this, scopeIdFor(this, construct));
    before?.(scope);
    for (const { spec, enabled, threshold, period, evaluationPeriods, datapointsToAlarm } of resolved) {
      if (!enabled) continue;
      const alarm = new cloudwatch.Alarm(scope, `${spec.id}Alarm`, {
        metric: spec.metric(period),
        threshold,
        evaluationPeriods,
        datapointsToAlarm,
        comparisonOperator: spec.comparison,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${spec.description} ${comparisonText(spec.comparison)} ${threshold} in ${datapointsToAlarm} of ${evaluationPeriods} ` +
          `datapoints of ${period.toHumanString()} (ecs-service-kit operational alarm: pages a person, rolls nothing back)`,
      });
      this.created.push(alarm);
      this.notify(alarm);
    }
  }

  /** CPU, memory and running tasks below desired, for any service. */
  private serviceSpecs(owner: IConstruct, service: ecs.BaseService, options: ServiceAlarmOptions): AlarmSpec[] {
    const path = owner.node.path;
    const specs = [
      alarmSpec(AlarmCatalog.cpu, service, path, options.cpuPercent),
      alarmSpec(AlarmCatalog.memory, service, path, options.memoryPercent),
    ];
    const running = options.runningTasksBelowDesired;
    const insights = containerInsightsOf(service.cluster);
    if (insights === false) {
      if (running !== undefined && (running.enabled ?? true)) {
        fail(this, 'runningTasksBelowDesired', running, `needs Container Insights on the cluster of ${path}, which has it off`,
          'turn containerInsights on in the ServiceCluster, or set runningTasksBelowDesired: { enabled: false }');
      }
      if (running === undefined) {
        Annotations.of(this).addWarningV2(NO_CONTAINER_INSIGHTS_WARNING,
          `${path} gets no running-tasks-below-desired alarm: its cluster has Container Insights off, and only Container Insights ` +
          'publishes RunningTaskCount and DesiredTaskCount. Turn containerInsights on in the ServiceCluster, or set runningTasksBelowDesired: ' +
          `{ enabled: false } (or acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${NO_CONTAINER_INSIGHTS_WARNING}', reason })).`);
      }
      return specs;
    }
    specs.push(alarmSpec(AlarmCatalog.runningTasks, service, path, running));
    return specs;
  }

  private validateSettings(spec: AlarmSpec, method: string) {
    const settings = spec.settings ?? {};
    const prop = (name: string) => `${spec.prop}.${name}`;
    checkRange(this, prop('threshold'), settings.threshold, 0, spec.thresholdMax, { integer: spec.integer });
    checkDurationSeconds(this, prop('period'), settings.period, 60, 86_400);
    const period = settings.period ?? spec.period;
    if (!period.isUnresolved() && period.toSeconds() % 60 !== 0) {
      fail(this, prop('period'), period, `(${method}) is not a whole number of minutes`, 'use Duration.minutes(n): AWS metrics have one-minute resolution');
    }
    checkRange(this, prop('evaluationPeriods'), settings.evaluationPeriods, 1, 1440);
    const evaluationPeriods = settings.evaluationPeriods ?? spec.evaluationPeriods;
    if (!period.isUnresolved() && !Token.isUnresolved(evaluationPeriods) && period.toSeconds() * evaluationPeriods > 86_400) {
      fail(this, prop('evaluationPeriods'), evaluationPeriods, `(${method}) × period ${period.toHumanString()} is longer than a day`,
        'CloudWatch evaluates at most one day of datapoints: lower evaluationPeriods or period');
    }
    checkRange(this, prop('datapointsToAlarm'), settings.datapointsToAlarm, 1, evaluationPeriods);
    return {
      enabled: settings.enabled ?? true,
      threshold: settings.threshold ?? spec.threshold,
      period,
      evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm ?? evaluationPeriods,
    };
  }

  /**
   * Whether an alarm under `owner` (its deployment alarm, or one of the user's) already watches
   * `metricName` with these dimension values: then it stands for the operational alarm (it gets the
   * notifications when it is found) and no second alarm is made. Settings given for ours would do
   * nothing, so they fail by name instead (`enabled: false` is fine: nothing was to be made).
   */
  private coveredBy(
    owner: IConstruct, prop: string, settings: AlarmSettings | undefined, namespace: string, metricName: string, dimensions: Record<string, string>,
  ): boolean {
    const stack = Stack.of(owner);
    const same = (a: unknown, b: unknown) => JSON.stringify(stack.resolve(a)) === JSON.stringify(stack.resolve(b));
    const covering = owner.node.findAll().find((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm && metricsOf(c.metric).some((m) =>
      m.namespace === namespace && m.metricName === metricName
      && Object.entries(dimensions).every(([key, value]) => same(m.dimensions?.[key], value))));
    if (covering && settings !== undefined && (settings.enabled ?? true)) {
      fail(this, prop, settings, `is given for ${owner.node.path}, whose alarm ${covering.node.path} already watches ${metricName}: no second alarm is made, so these settings would do nothing`,
        `tune that alarm instead (a deployment alarm through the service's deployment.alarms), or leave ${prop} out`);
    }
    return covering !== undefined;
  }

  /** Adds the notifications to an alarm, once. */
  private notify(alarm: cloudwatch.AlarmBase): void {
    if (this.notified.has(alarm)) return;
    this.notified.add(alarm);
    for (const action of this.actions) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /**
   * Called for each alarm found under a monitored construct at synth (FindAlarms). Adds it to the
   * dashboard and gives it the notifications, unless that would make the alarm's stack depend on
   * this one while this one depends on it (a cross-stack cycle).
   * @internal
   */
  public _adopt(alarm: cloudwatch.AlarmBase): void {
    if (this.notified.has(alarm)) return;
    if (isStepScalingAlarm(alarm)) return;
    this.found.push(alarm);
    const alarmStack = Stack.of(alarm);
    if (alarmStack !== Stack.of(this)) {
      const fromHere = this.actions.some((action) => referencedStacks(action.bind(alarm, alarm).alarmActionArn).some((s) => s !== alarmStack));
      if (fromHere) {
        this.notified.add(alarm);
        Annotations.of(alarm).addWarningV2(CROSS_STACK_ALARM_WARNING,
          `${alarm.node.path} gets no notifications from ${this.node.path}: its action lives in stack ${Stack.of(this).stackName}, which already depends on ` +
          `${alarmStack.stackName} for the metrics it watches, so referencing it back would be a cycle. Put the AppMonitoring in ${alarmStack.stackName}, or use ` +
          'AlarmNotifications.toTopic with a topic imported by a literal ARN (sns.Topic.fromTopicArn); or acknowledge with ' +
          `Validations.of(<the alarm>).acknowledge({ id: 'Annotation::${CROSS_STACK_ALARM_WARNING}', reason }).`);
        return;
      }
    }
    this.notify(alarm);
  }
}

function comparisonText(op: cloudwatch.ComparisonOperator): string {
  return op === cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD ? 'above' : 'at or above';
}

/** Whether Container Insights is on for the cluster: true, false, or undefined (imported: unknown). */
function containerInsightsOf(cluster: ecs.ICluster): boolean | undefined {
  const owner = cluster.node.scope;
  // A ServiceCluster, or an imported one: both hold the ecs cluster as `ecsCluster` and know (or were told) the setting.
  if ((owner instanceof ServiceCluster || owner instanceof ImportedServiceCluster) && owner.ecsCluster === cluster) return owner.containerInsights;
  const cfn = cluster.node.defaultChild;
  if (!(cfn instanceof ecs.CfnCluster)) return undefined;
  const settings = Stack.of(cluster).resolve(cfn.clusterSettings) as Array<{ name?: string; value?: string }> | undefined;
  const setting = (settings ?? []).find((s) => s.name === 'containerInsights');
  return setting === undefined ? undefined : setting.value !== 'disabled';
}

/** Alarms of step scaling policies drive scaling: a person need not hear of each. */
function isStepScalingAlarm(alarm: IConstruct): boolean {
  return alarm.node.scopes.some((s) => s instanceof appscaling.StepScalingPolicy);
}

/** The stacks of the resources a value refers to. */
function referencedStacks(value: string): Stack[] {
  if (!Token.isUnresolved(value)) return [];
  return Tokenization.reverseString(value).tokens
    .filter((t): t is Reference => t instanceof Reference)
    .map((t) => Stack.of(t.target));
}

/** A readable child id for a monitored construct: its path in its stack (with the stack's id when that is not ours). */
function scopeIdFor(monitoring: Construct, construct: IConstruct): string {
  const stack = Stack.of(construct);
  const relative = construct.node.scopes.slice(construct.node.scopes.indexOf(stack) + 1).map((s) => s.node.id);
  const parts = stack === Stack.of(monitoring) ? relative : [stack.node.id, ...relative];
  return parts.map((p) => p.replace(/[^A-Za-z0-9]/g, '')).join('') || 'Root';
}

/** Finds alarms under a monitored construct at synth (also ones added after `add...`). */
class FindAlarms implements IAspect {
  constructor(private readonly monitoring: AppMonitoring) {}

  public visit(node: IConstruct): void {
    if (node instanceof cloudwatch.AlarmBase) this.monitoring._adopt(node);
  }
}
