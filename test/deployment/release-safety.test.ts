import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentStrategy, ReleaseSafetyEstimate } from '../../lib/deployment';
import { estimateReleaseSafety } from '../../lib/deployment/release-safety';
import { WebService, WebServiceOptions } from '../../lib/service';
import { WorkerService } from '../../lib/worker';
import { fixture, NGINX, resourcesOf, webService } from './fixture';

/**
 * The figures of README and docs/figures.md for "a bad release that passes health checks":
 * recomputed here from the synthesized template by the formula in lib/deployment/release-safety.ts,
 * so the documents cannot drift from the code.
 */

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const FIGURES = fs.readFileSync(path.join(ROOT, 'docs', 'figures.md'), 'utf-8');
/** CloudWatch list price (us-east-1) of a standard-resolution alarm, per metric it reads, per month. */
const PRICE_PER_ALARM_METRIC = 0.10;

interface Built { web: WebService; template: Template }

function build(options: Partial<WebServiceOptions>): Built {
  const f = fixture();
  const web = webService(f, 'Web', { pathPatterns: ['/app/*'], ...options });
  return { web, template: Template.fromStack(f.stack) };
}

/** The estimate, from the template's own numbers only. */
function fromTemplate(template: Template, rollingDeployEstimateSeconds: number): ReleaseSafetyEstimate {
  const [service] = Object.values(resourcesOf(template, 'AWS::ECS::Service'));
  const config = service.Properties.DeploymentConfiguration;
  const alarm = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).find(a => a.Properties.AlarmName.endsWith('/DeploymentAlarm'));
  const group = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup'))[0];
  const dereg = Number(group.Properties.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
  const periodSeconds = alarm?.Properties.Metrics.find((m: any) => m.MetricStat)?.MetricStat.Period;
  const step = config.CanaryConfiguration ?? config.LinearConfiguration;
  return estimateReleaseSafety({
    strategy: config.Strategy ?? 'ROLLING',
    alarmPeriodSeconds: periodSeconds,
    alarmEvaluationPeriods: alarm?.Properties.EvaluationPeriods,
    alarmDatapointsToAlarm: alarm?.Properties.DatapointsToAlarm,
    bakeSeconds: config.BakeTimeInMinutes !== undefined ? config.BakeTimeInMinutes * 60 : undefined,
    metricDelaySeconds: 60,
    rollingDeployEstimateSeconds,
    deregistrationDelaySeconds: dereg,
    stepPercent: step?.CanaryPercent ?? step?.StepPercent,
    stepBakeSeconds: step ? (step.CanaryBakeTimeInMinutes ?? step.StepBakeTimeInMinutes) * 60 : undefined,
  });
}

function alarmMetrics(template: Template): number {
  return Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))
    .reduce((n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
}

function resourceCount(template: Template): number {
  return Object.keys(template.toJSON().Resources).length;
}

const STRATEGIES: Array<[string, DeploymentStrategy]> = [
  ['rolling (default)', DeploymentStrategy.rolling()],
  ['canary (5 %, 5 min)', DeploymentStrategy.canary()],
  ['linear (20 % every 5 min)', DeploymentStrategy.linear()],
  ['blue/green (5 min bake)', DeploymentStrategy.blueGreen()],
];

describe('release-safety figures, from the template', () => {
  const rows: string[] = [];
  const costs: string[] = [];
  const noAlarms = build({ deployment: { alarms: { enabled: false, additionalAlarms: [] } } });
  const rollingResources = resourceCount(noAlarms.template);

  test.each(STRATEGIES)('%s: the construct\'s estimate is the template\'s', (name, strategy) => {
    // GIVEN / WHEN
    const { web, template } = build({ deployment: { strategy } });
    // THEN
    const estimate = fromTemplate(template, web.rollingDeployEstimateSeconds);
    expect(web.releaseSafety).toEqual(estimate);
    // ECS must still be watching when the alarm goes off.
    expect(estimate.detectSeconds!).toBeLessThanOrEqual(estimate.watchSeconds!);
    rows.push(`| ${name} | ${estimate.detectSeconds} s | ${estimate.watchSeconds} s | ${estimate.exposedPercent} % | ${estimate.rollbackSeconds} s | ${estimate.totalSeconds} s |`);
    const metrics = alarmMetrics(template);
    costs.push(`| ${name} | +${resourceCount(template) - rollingResources} | ${metrics} | $${(metrics * PRICE_PER_ALARM_METRIC).toFixed(2)} |`);
  });

  test('the default figures: 180 s to detect, inside the 300 s ECS watches, then 60 s to roll back (rolling) or 20 s to shift back', () => {
    expect(rows).toEqual([
      '| rolling (default) | 180 s | 300 s | 100 % | 60 s | 240 s |',
      '| canary (5 %, 5 min) | 180 s | 300 s | 5 % | 20 s | 200 s |',
      '| linear (20 % every 5 min) | 180 s | 300 s | 20 % | 20 s | 200 s |',
      '| blue/green (5 min bake) | 180 s | 300 s | 100 % | 20 s | 200 s |',
    ]);
  });

  test('README and docs/figures.md quote these rows', () => {
    // Filled by the test.each above: run alone (-t) this test has nothing to check, so it says so.
    expect(rows).toHaveLength(STRATEGIES.length);
    for (const row of rows) {
      expect(README).toContain(row);
      expect(FIGURES).toContain(row);
    }
  });

  test('docs/figures.md quotes the extra resources and the alarms\' monthly cost', () => {
    expect(costs).toEqual([
      '| rolling (default) | +1 | 2 | $0.20 |',
      '| canary (5 %, 5 min) | +3 | 4 | $0.40 |',
      '| linear (20 % every 5 min) | +3 | 4 | $0.40 |',
      '| blue/green (5 min bake) | +3 | 4 | $0.40 |',
    ]);
    for (const row of costs) expect(FIGURES).toContain(row);
  });

  test('without alarms nothing detects the release (ecs-patterns\' case)', () => {
    expect(noAlarms.web.releaseSafety.detectSeconds).toBeUndefined();
    expect(noAlarms.web.releaseSafety.totalSeconds).toBeUndefined();
  });

  test('a worker with a queue: 2 alarms reading 3 metrics ($0.30/month)', () => {
    const f = fixture();
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {} });
    const template = Template.fromStack(f.stack);
    expect(alarmMetrics(template)).toBe(3);
    expect(FIGURES).toContain('| WorkerService with a queue | +2 | 3 | $0.30 |');
  });
});

describe('the formula', () => {
  test('ECS Express Mode (5 % canary, 3-minute bake, 2 one-minute datapoints): the verdict comes as the bake ends', () => {
    const express = estimateReleaseSafety({
      strategy: 'CANARY', alarmPeriodSeconds: 60, alarmEvaluationPeriods: 2, metricDelaySeconds: 60,
      rollingDeployEstimateSeconds: 0, deregistrationDelaySeconds: 0, stepPercent: 5, stepBakeSeconds: 180,
    });
    // 180 s to detect is not shorter than the 180 s bake: all traffic may have moved by then.
    expect(express.detectSeconds).toBe(180);
    expect(express.exposedPercent).toBe(100);
  });

  test('a linear step shorter than detection counts the steps reached', () => {
    const linear = estimateReleaseSafety({
      strategy: 'LINEAR', alarmPeriodSeconds: 60, alarmEvaluationPeriods: 2, metricDelaySeconds: 60,
      rollingDeployEstimateSeconds: 60, deregistrationDelaySeconds: 20, stepPercent: 10, stepBakeSeconds: 60,
    });
    expect(linear.exposedPercent).toBe(40);
  });
});
