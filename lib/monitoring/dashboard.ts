import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { WorkerService } from '../worker/worker-service';
import { taskCountMetrics, triggeredRules } from './metric-factory';

/*
 * The monitoring's dashboard: the alarm status row on top, then a title and a row of graphs per
 * monitored construct. Internal: AppMonitoring builds it.
 */

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** The dashboard (child `Dashboard` of `scope`), with the state of `alarms()` on top. */
export function createDashboard(scope: Construct, dashboardName: string | undefined, alarms: () => cloudwatch.IAlarm[]): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName,
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(new AlarmStatusRow(alarms));
  return dashboard;
}

/** A title and a row of graphs on the dashboard, if there is one. */
export function addRow(dashboard: cloudwatch.Dashboard | undefined, construct: IConstruct, widgets: cloudwatch.IWidget[]): void {
  if (!dashboard) return;
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `### ${construct.node.path}`, width: 24, height: 1 }));
  dashboard.addWidgets(...widgets);
}

/** A web service's graphs: CPU and memory, requests and 5xx, response time, tasks and targets (of both target groups). */
export function webServiceWidgets(ecsService: ecs.BaseService, groups: elbv2.IApplicationTargetGroup[]): cloudwatch.IWidget[] {
  return [
    graph('CPU and memory (%)', [ecsService.metricCpuUtilization({ period: MINUTE }), ecsService.metricMemoryUtilization({ period: MINUTE })]),
    graph('Requests and 5xx (count)', groups.flatMap((group) => [
      group.metrics.requestCount({ statistic: 'Sum', period: MINUTE }),
      group.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: MINUTE }),
    ])),
    graph('Response time p50 / p99 (s)', groups.flatMap((group) => [
      group.metrics.targetResponseTime({ statistic: 'p50', period: MINUTE }),
      group.metrics.targetResponseTime({ statistic: 'p99', period: MINUTE }),
    ])),
    graph('Tasks and targets', [
      ...taskCountMetrics(ecsService, MINUTE),
      ...groups.flatMap((group) => [
        group.metrics.healthyHostCount({ statistic: 'Minimum', period: MINUTE }),
        group.metrics.unhealthyHostCount({ statistic: 'Maximum', period: MINUTE }),
      ]),
    ]),
  ];
}

/** A network service's graphs: CPU and memory, tasks and its target group's healthy and unhealthy targets. */
export function networkServiceWidgets(ecsService: ecs.BaseService, group: elbv2.INetworkTargetGroup): cloudwatch.IWidget[] {
  return [
    graph('CPU and memory (%)', [ecsService.metricCpuUtilization({ period: MINUTE }), ecsService.metricMemoryUtilization({ period: MINUTE })]),
    graph('Tasks and targets', [
      ...taskCountMetrics(ecsService, MINUTE),
      group.metrics.healthyHostCount({ statistic: 'Minimum', period: MINUTE }),
      group.metrics.unHealthyHostCount({ statistic: 'Maximum', period: MINUTE }),
    ]),
  ];
}

/** A worker's graphs: CPU and memory, tasks, and with a queue its messages and their age. */
export function workerWidgets(worker: WorkerService): cloudwatch.IWidget[] {
  const queue = worker.queue;
  const dlq = worker.deadLetterQueue;
  const widgets = [
    graph('CPU and memory (%)', [worker.ecsService.metricCpuUtilization({ period: MINUTE }), worker.ecsService.metricMemoryUtilization({ period: MINUTE })]),
    graph('Tasks', taskCountMetrics(worker.ecsService, MINUTE)),
  ];
  if (queue) {
    widgets.push(graph('Queue: messages', [
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: MINUTE }),
      queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: MINUTE }),
      ...(dlq ? [dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: MINUTE, label: 'dead-letter queue' })] : []),
    ]));
    widgets.push(graph('Queue: oldest message (s)', [queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: MINUTE })]));
  }
  return widgets;
}

/** A scheduled task's graphs: runs not started, and failed runs when their rule exists. */
export function scheduledTaskWidgets(deadLetterQueue: sqs.IQueue, failedRunRule: events.IRule | undefined): cloudwatch.IWidget[] {
  const widgets = [
    graph('Runs not started (dead-letter queue)', [deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES })]),
  ];
  if (failedRunRule) {
    widgets.push(graph('Failed runs', [triggeredRules(failedRunRule, FIVE_MINUTES)]));
  }
  return widgets;
}

/** A load balancer's graphs: requests, 5xx (its own and the targets'), connections, p99 response time. */
export function loadBalancerWidgets(metrics: elbv2.IApplicationLoadBalancerMetrics): cloudwatch.IWidget[] {
  return [
    graph('Requests', [metrics.requestCount({ statistic: 'Sum', period: MINUTE })]),
    graph('5xx: load balancer and targets', [
      metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period: MINUTE }),
      metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: MINUTE }),
    ]),
    graph('Active connections', [metrics.activeConnectionCount({ statistic: 'Sum', period: MINUTE })]),
    graph('Response time p99 (s)', [metrics.targetResponseTime({ statistic: 'p99', period: MINUTE })]),
  ];
}

function graph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: 6, height: 6 });
}

/** CloudWatch refuses an alarm status widget with more than 100 alarms. */
const MAX_ALARMS_PER_STATUS_WIDGET = 100;
const STATUS_WIDGET_HEIGHT = 4;

/**
 * The alarm status widgets, filled at synth: alarms found by the aspects come after the
 * `add...` calls, and the dashboard body is only rendered then. One widget per 100 alarms, one
 * under the other (the dashboard reads the height when it lays out the body, after the aspects).
 */
class AlarmStatusRow implements cloudwatch.IWidget {
  public readonly width = 24;
  private x = 0;
  private y = 0;

  constructor(private readonly alarms: () => cloudwatch.IAlarm[]) {}

  public get height(): number {
    return STATUS_WIDGET_HEIGHT * Math.max(1, Math.ceil(this.alarms().length / MAX_ALARMS_PER_STATUS_WIDGET));
  }

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  // IWidget's own signature.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  public toJson(): any[] {
    const alarms = this.alarms();
    if (alarms.length === 0) {
      const empty = new cloudwatch.TextWidget({ markdown: 'No alarms', width: this.width, height: STATUS_WIDGET_HEIGHT });
      empty.position(this.x, this.y);
      return empty.toJson();
    }
    const widgets: cloudwatch.IWidget[] = [];
    for (let i = 0; i < alarms.length; i += MAX_ALARMS_PER_STATUS_WIDGET) {
      const chunk = alarms.slice(i, i + MAX_ALARMS_PER_STATUS_WIDGET);
      const part = alarms.length > MAX_ALARMS_PER_STATUS_WIDGET ? ` (${i + 1}–${i + chunk.length} of ${alarms.length})` : '';
      const widget = new cloudwatch.AlarmStatusWidget({ title: `Alarms${part}`, alarms: chunk, width: this.width, height: STATUS_WIDGET_HEIGHT });
      widget.position(this.x, this.y + STATUS_WIDGET_HEIGHT * widgets.length);
      widgets.push(widget);
    }
    return widgets.flatMap((w): unknown[] => w.toJson() as unknown[]);
  }
}
