import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';

/*
 * The metrics the operational alarms and the dashboard share (what aws-cdk-lib has no method
 * for, or what needs math across target groups). Internal.
 */

/** How often an EventBridge rule matched an event. */
export function triggeredRules(rule: events.IRule, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum', period,
  });
}

/** Container Insights' running and desired task counts of a service. */
export function taskCountMetrics(service: ecs.BaseService, period: Duration): cloudwatch.Metric[] {
  const dimensionsMap = { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName };
  return ['RunningTaskCount', 'DesiredTaskCount'].map((metricName) => new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights', metricName, dimensionsMap, statistic: 'Average', period,
  }));
}

/** Desired minus running tasks (Container Insights), 0 where a count has no datapoint. */
export function tasksBelowDesired(service: ecs.BaseService, period: Duration): cloudwatch.IMetric {
  const [runningTasks, desiredTasks] = taskCountMetrics(service, period);
  return new cloudwatch.MathExpression({
    expression: 'FILL(desired, 0) - FILL(running, 0)',
    usingMetrics: { desired: desiredTasks, running: runningTasks },
    label: 'tasks below desired',
    period,
  });
}

/**
 * Target 5xx in percent of the requests, 0 without requests; over both target groups of a
 * service that shifts traffic between two.
 */
export function target5xxPercent(groups: elbv2.IApplicationTargetGroup[], period: Duration): cloudwatch.IMetric {
  if (groups.length === 1) {
    return new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: {
        errors: groups[0].metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period }),
        requests: groups[0].metrics.requestCount({ statistic: 'Sum', period }),
      },
      label: '5xx %',
      period,
    });
  }
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  groups.forEach((group, i) => {
    usingMetrics[`errors${i}`] = group.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period });
    usingMetrics[`requests${i}`] = group.metrics.requestCount({ statistic: 'Sum', period });
  });
  const sum = (name: string) => groups.map((_g, i) => `FILL(${name}${i}, 0)`).join(' + ');
  return new cloudwatch.MathExpression({
    expression: `IF((${sum('requests')}) > 0, 100 * (${sum('errors')}) / (${sum('requests')}), 0)`,
    usingMetrics,
    label: '5xx %',
    period,
  });
}

/** 5xx the load balancer generated itself in percent of its requests, 0 without requests. */
export function elb5xxPercent(metrics: elbv2.IApplicationLoadBalancerMetrics, period: Duration): cloudwatch.IMetric {
  return new cloudwatch.MathExpression({
    expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
    usingMetrics: {
      errors: metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period }),
      requests: metrics.requestCount({ statistic: 'Sum', period }),
    },
    label: 'load balancer 5xx %',
    period,
  });
}

/**
 * One target group's metric, or the larger of both groups' (a service that shifts traffic
 * between two groups): the group without traffic has no data, filled with 0.
 */
export function maxOverGroups(
  groups: elbv2.IApplicationTargetGroup[], name: string, metricOf: (group: elbv2.IApplicationTargetGroup) => cloudwatch.IMetric, period: Duration,
): cloudwatch.IMetric {
  if (groups.length === 1) return metricOf(groups[0]);
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  groups.forEach((group, i) => { usingMetrics[`${name}${i}`] = metricOf(group); });
  return new cloudwatch.MathExpression({
    expression: `MAX([${groups.map((_g, i) => `FILL(${name}${i}, 0)`).join(', ')}])`,
    usingMetrics,
    label: name,
    period,
  });
}

/** The plain metrics an alarm watches (those of a math expression included). */
export function metricsOf(metric: cloudwatch.IMetric): cloudwatch.Metric[] {
  if (metric instanceof cloudwatch.Metric) return [metric];
  if (metric instanceof cloudwatch.MathExpression) return Object.values(metric.usingMetrics).flatMap(metricsOf);
  return [];
}
