import { CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { ContainerWebApp } from '../../lib/bundle';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { AlarmNotifications, AppMonitoring, AppMonitoringProps } from '../../lib/monitoring';
import { NetworkLayout } from '../../lib/network';
import { DeploymentStrategy } from '../../lib/deployment';
import { WebService, WebServiceProps } from '../../lib/service';
import { ScheduledTask, TaskSchedule } from '../../lib/task';
import { WorkerService } from '../../lib/worker';
import { controlTowerFindings } from '../util/control-tower';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36');

interface Fixture {
  stack: Stack;
  cluster: ServiceCluster;
  loadBalancer: ServiceLoadBalancer;
}

function fixture(stack: Stack = testStack(testApp()), clusterProps: { containerInsights?: boolean } = {}): Fixture {
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false, ...clusterProps });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  return { stack, cluster, loadBalancer };
}

/**
 * A web service as the tests need it: WITHOUT its own alarms on HTTPCode_Target_5XX_Count and
 * UnHealthyHostCount. (After the deployment-alarms work is merged, give it the prop that turns its
 * deployment alarms off here: then the operational 5xx and unhealthy-host alarms are created.)
 */
/** Deployment alarms off unless asked: these tests look at the full operational set on its own. */
const WITHOUT_DEPLOYMENT_ALARMS = { deployment: { alarms: { enabled: false } } };

function web(f: Fixture, id: string, props: Partial<WebServiceProps> = {}): WebService {
  const service = new WebService(f.stack, id, { cluster: f.cluster, loadBalancer: f.loadBalancer, image: IMAGE, ...WITHOUT_DEPLOYMENT_ALARMS, ...props });
  acknowledgeNoDeploymentAlarms(service);
  return service;
}

function acknowledgeNoDeploymentAlarms(scope: IConstruct): void {
  Validations.of(scope).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test of the operational alarm set on its own' });
}

function monitoring(f: Fixture, props: AppMonitoringProps = {}): AppMonitoring {
  return new AppMonitoring(f.stack, 'Monitoring', props);
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The alarm whose logical id starts with the monitoring's path for `scopeId` and `alarmId`. */
function alarm(template: Template, scopeId: string, alarmId: string): any {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  const prefix = `Monitoring${scopeId}${alarmId}Alarm`;
  const hits = Object.entries(alarms).filter(([id]) => id.startsWith(prefix));
  expect(hits.map(([id]) => id)).toHaveLength(1);
  return hits[0][1];
}

function alarmIds(template: Template): string[] {
  return Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort();
}

describe('AppMonitoring of a web service: the operational alarm set', () => {
  // GIVEN one web service, monitored with a created topic (one synth)
  let f: Fixture;
  let template: Template;
  let mon: AppMonitoring;
  let api: WebService;
  beforeAll(() => {
    f = fixture();
    api = web(f, 'Api');
    // WHEN
    mon = monitoring(f, { notifications: AlarmNotifications.newTopic() });
    mon.addWebService(api);
    template = Template.fromStack(f.stack);
  });

  const serviceDims = () => [
    { Name: 'ClusterName', Value: { Ref: logicalId(f.stack, f.cluster.ecsCluster) } },
    { Name: 'ServiceName', Value: { 'Fn::GetAtt': [logicalId(f.stack, api.ecsService), 'Name'] } },
  ];

  test('CPU: AWS/ECS CPUUtilization Average above 90 % in 5 of 5 one-minute datapoints, missing data not breaching', () => {
    expect(alarm(template, 'Api', 'Cpu').Properties).toMatchObject({
      Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Statistic: 'Average', Period: 60,
      Dimensions: serviceDims(),
      Threshold: 90, EvaluationPeriods: 5, DatapointsToAlarm: 5,
      ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
  });

  test('memory: AWS/ECS MemoryUtilization Average above 90 % in 5 of 5 one-minute datapoints', () => {
    expect(alarm(template, 'Api', 'Memory').Properties).toMatchObject({
      Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Statistic: 'Average', Period: 60, Dimensions: serviceDims(),
      Threshold: 90, EvaluationPeriods: 5, DatapointsToAlarm: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
  });

  test('running tasks below desired: Container Insights desired − running ≥ 1 in 5 of 5 one-minute datapoints', () => {
    const props = alarm(template, 'Api', 'RunningTasks').Properties;
    expect(props).toMatchObject({
      Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    const expression = props.Metrics.find((m: any) => m.Expression);
    expect(expression).toMatchObject({ Expression: 'FILL(desired, 0) - FILL(running, 0)', ReturnData: true });
    const names = props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Period]);
    expect(names.sort()).toEqual([
      ['desired', 'ECS/ContainerInsights', 'DesiredTaskCount', 60],
      ['running', 'ECS/ContainerInsights', 'RunningTaskCount', 60],
    ]);
  });

  test('5xx: 100 × target 5xx / requests of its target group above 5 % in 5 of 5 one-minute datapoints', () => {
    const props = alarm(template, 'Api', 'Http5xx').Properties;
    expect(props).toMatchObject({ Threshold: 5, EvaluationPeriods: 5, DatapointsToAlarm: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    expect(props.Metrics.find((m: any) => m.Expression).Expression).toBe('IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)');
    const stats = props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat]);
    expect(stats.sort()).toEqual([['errors', 'HTTPCode_Target_5XX_Count', 'Sum'], ['requests', 'RequestCount', 'Sum']]);
    const tgDim = props.Metrics.find((m: any) => m.Id === 'errors').MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'TargetGroup');
    expect(tgDim.Value).toEqual({ 'Fn::GetAtt': [logicalId(f.stack, api.targetGroup), 'TargetGroupFullName'] });
  });

  test('p99 response time: TargetResponseTime p99 above 2 s in 5 of 5 one-minute datapoints', () => {
    expect(alarm(template, 'Api', 'P99ResponseTime').Properties).toMatchObject({
      Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Period: 60,
      Threshold: 2, EvaluationPeriods: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
  });

  test('unhealthy hosts: UnHealthyHostCount Maximum ≥ 1 in 5 of 5 one-minute datapoints', () => {
    expect(alarm(template, 'Api', 'UnhealthyHosts').Properties).toMatchObject({
      Namespace: 'AWS/ApplicationELB', MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Period: 60,
      Threshold: 1, EvaluationPeriods: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });

  test('every alarm notifies the created topic on ALARM and on OK', () => {
    const topicRef = { Ref: logicalId(f.stack, mon.topic as sns.Topic) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(6);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([topicRef]);
      expect(a.Properties.OKActions).toEqual([topicRef]);
    }
  });

  test('the topic is KMS-encrypted with a rotating key CloudWatch and EventBridge may use, TLS only, and CloudWatch alarms of this account may publish', () => {
    const keyId = logicalId(f.stack, mon.topicKey!);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([
        Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
      ]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
      ]) },
    });
  });

  test('the topic key lets only AWS services create grants, for AWS resources (AWS Control Tower CT.KMS.PR.3); nothing of the topic uses grants', () => {
    const key = template.findResources('AWS::KMS::Key')[logicalId(f.stack, mon.topicKey!)] as any;
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'DenyGrantsExceptByAwsServicesForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
    // The services that use the key call only GenerateDataKey and Decrypt.
    const allowed = key.Properties.KeyPolicy.Statement.filter((st: any) => st.Principal?.Service).flatMap((st: any) => st.Action);
    expect(allowed).not.toContain('kms:CreateGrant');
    expect(controlTowerFindings(f.stack, 'CT.KMS.PR.3')).toEqual([]);
  });

  test('destroy: the topic and its key are deleted with the stack (they hold no data); alarms and the dashboard too', () => {
    const key = template.findResources('AWS::KMS::Key')[logicalId(f.stack, mon.topicKey!)];
    expect(key.DeletionPolicy).toBe('Delete');
    expect(key.Properties.PendingWindowInDays).toBe(7);
    for (const type of ['AWS::SNS::Topic', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']) {
      for (const r of Object.values(template.findResources(type))) expect(r.DeletionPolicy ?? 'Delete').toBe('Delete');
    }
  });

  test('the dashboard shows the alarms and the service (its metrics by dimension values)', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toEqual([expect.stringMatching(/^MonitoringDashboard/)]);
    const body = JSON.stringify(Object.values(dashboards)[0].Properties.DashboardBody);
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    expect(body).toContain('TestStack/Api');
    expect(body).toContain('RunningTaskCount');
  });

  test('figures: 6 alarms on 8 metrics ($0.80), a dashboard ($3), a key ($1): $4.80 a month', () => {
    expect(mon.figures()).toEqual({
      resources: 10, // 6 alarms, the dashboard, the topic, its policy and its key
      alarms: 6,
      alarmMetrics: 8,
      dashboards: 1,
      kmsKeys: 1,
      alarmCostUsd: 0.8,
      dashboardCostUsd: 3,
      monthlyCostUsd: 4.8,
    });
  });
});

describe('AppMonitoring: alarms found in the tree', () => {
  test('an alarm under the service on its target group\'s 5xx stands for the operational 5xx alarm and gets the notifications', () => {
    // GIVEN a service that has its own (deployment-like) 5xx alarm
    const f = fixture();
    const api = web(f, 'Api');
    const own = new cloudwatch.Alarm(api, 'Own5xx', {
      metric: api.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT),
      threshold: 1, evaluationPeriods: 2,
    });
    // WHEN
    const mon = monitoring(f, { notifications: AlarmNotifications.newTopic() });
    mon.addWebService(api);
    const template = Template.fromStack(f.stack);
    // THEN no operational 5xx alarm; the service's own alarm notifies the topic
    expect(alarmIds(template).filter((id) => id.startsWith('MonitoringApiHttp5xx'))).toEqual([]);
    const topicRef = { Ref: logicalId(f.stack, mon.topic as sns.Topic) };
    expect(template.findResources('AWS::CloudWatch::Alarm')[logicalId(f.stack, own)].Properties).toMatchObject({
      AlarmActions: [topicRef], OKActions: [topicRef],
    });
  });

  test('an alarm added under the service after addWebService still gets the notifications and shows on the dashboard; a step-scaling alarm does not', () => {
    // GIVEN
    const f = fixture();
    const api = web(f, 'Api', { scaling: { minCapacity: 1, maxCapacity: 3 } });
    const mon = monitoring(f, { notifications: AlarmNotifications.toActions(new cw_actions.SnsAction(new sns.Topic(f.stack, 'Pager'))) });
    mon.addWebService(api);
    // WHEN a later alarm and a step scaling policy are added
    const later = new cloudwatch.Alarm(api, 'Later', { metric: api.ecsService.metricCpuUtilization(), threshold: 50, evaluationPeriods: 1 });
    api.scaling!.scaleOnMetric('Steps', {
      metric: api.ecsService.metricCpuUtilization(),
      scalingSteps: [{ upper: 10, change: -1 }, { lower: 80, change: +1 }],
    });
    const template = Template.fromStack(f.stack);
    // THEN
    const pager = { Ref: logicalId(f.stack, f.stack.node.findChild('Pager')) };
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(alarms[logicalId(f.stack, later)].Properties).toMatchObject({ AlarmActions: [pager], OKActions: [pager] });
    const stepAlarms = Object.entries(alarms).filter(([id]) => id.includes('Steps'));
    expect(stepAlarms.length).toBeGreaterThan(0);
    for (const [, a] of stepAlarms) expect(JSON.stringify(a.Properties.AlarmActions)).not.toContain(pager.Ref);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain(logicalId(f.stack, later));
  });
});

describe('AppMonitoring dashboard with many alarms', () => {
  test('more than 100 alarms: one alarm status widget per 100 (CloudWatch refuses more in one), stacked, and the rows below move down', () => {
    // GIVEN a service with 120 alarms of its own under it
    const f = fixture();
    const api = web(f, 'Api');
    for (let i = 0; i < 120; i++) {
      new cloudwatch.Alarm(api, `Extra${i}`, { metric: api.ecsService.metricCpuUtilization(), threshold: 50 + i / 10, evaluationPeriods: 1 });
    }
    // WHEN
    const mon = monitoring(f);
    mon.addWebService(api);
    // THEN
    const total = mon.alarms.length + api.deploymentAlarms.length + 120; // the operational set, deployment alarms, the service's own
    expect(total).toBeGreaterThan(100);
    const body = Template.fromStack(f.stack).toJSON().Resources;
    const dashboard = Object.values(body).find((r: any) => r.Type === 'AWS::CloudWatch::Dashboard') as any;
    const json = JSON.parse(f.stack.resolve(dashboard.Properties.DashboardBody)['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'x')).join(''));
    const statusWidgets = json.widgets.filter((w: any) => w.type === 'alarm');
    expect(statusWidgets.map((w: any) => w.properties.alarms.length)).toEqual([100, total - 100]);
    expect(statusWidgets.map((w: any) => w.y)).toEqual([0, 4]);
    const firstRowBelow = json.widgets.find((w: any) => w.type === 'text');
    expect(firstRowBelow.y).toBe(8);
  });
});

describe('AppMonitoring next to the deployment alarms (on by default)', () => {
  test('a worker\'s dead-letter and stalled-queue deployment alarms page through the topic; the oldest-message age is the operational set\'s', () => {
    // GIVEN a worker with its deployment alarms
    const f = fixture();
    const worker = new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: IMAGE, queue: {} });
    const mon = monitoring(f, { notifications: AlarmNotifications.newTopic() });
    // WHEN
    mon.addWorker(worker);
    // THEN CPU, memory, running tasks, the oldest message's age and the dead-letter depth are
    // added (the deployment alarms watch messages arriving and a stalled queue, not the age a
    // backlog reaches, and go back to OK while dead letters sit; depth pages while any waits);
    // each deployment alarm notifies the topic
    expect(mon.figures().alarms).toBe(5);
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 600 });
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: Match.anyValue() }], Threshold: 1,
    });
    const alarms = Template.fromStack(f.stack).findResources('AWS::CloudWatch::Alarm');
    for (const deploymentAlarm of worker.deploymentAlarms) {
      const id = f.stack.getLogicalId(deploymentAlarm.node.defaultChild as CfnElement);
      expect(alarms[id].Properties.AlarmActions?.[0]?.Ref).toMatch(/^MonitoringTopic/);
    }
    expect(worker.deploymentAlarms).toHaveLength(2);
  });
});

describe('AppMonitoring settings for an alarm the service already has', () => {
  test('tuning the 5xx alarm of a service whose deployment alarm watches 5xx fails by name: no second alarm, the settings would do nothing', () => {
    // GIVEN a web service with its deployment alarm (the default)
    const f = fixture();
    const service = new WebService(f.stack, 'Web', { cluster: f.cluster, loadBalancer: f.loadBalancer, image: IMAGE });
    // WHEN / THEN
    expect(() => monitoring(f).addWebService(service, { http5xxPercent: { threshold: 2 } }))
      .toThrow(/^TestStack\/Monitoring: http5xxPercent \{"threshold":2\} is given for TestStack\/Web, whose alarm TestStack\/Web\/DeploymentAlarm already watches HTTPCode_Target_5XX_Count/);
    // ...turning it off is fine: nothing was to be made
    const g = fixture();
    const other = new WebService(g.stack, 'Web', { cluster: g.cluster, loadBalancer: g.loadBalancer, image: IMAGE });
    expect(() => monitoring(g).addWebService(other, { unhealthyHosts: { enabled: false } })).not.toThrow();
  });
});

describe('AppMonitoring of a service that shifts traffic between two target groups', () => {
  test('p99, 5xx and unhealthy hosts read both target groups: after an odd number of canary deployments the traffic is on the alternate one', () => {
    // GIVEN a canary web service (deployment alarms off, so the operational 5xx and unhealthy-host alarms exist)
    const f = fixture();
    const service = web(f, 'Web', { pathPatterns: ['/app/*'], deployment: { strategy: DeploymentStrategy.canary(), alarms: { enabled: false } } });
    // WHEN
    monitoring(f).addWebService(service);
    // THEN each of the three alarms names both groups' dimensions
    const template = Template.fromStack(f.stack);
    const primary = f.stack.resolve(service.targetGroup.targetGroupFullName);
    const alternate = f.stack.resolve(service.alternateTargetGroup!.targetGroupFullName);
    for (const id of ['P99ResponseTime', 'Http5xx', 'UnhealthyHosts']) {
      const json = JSON.stringify(alarm(template, 'Web', id).Properties.Metrics);
      expect(json).toContain(JSON.stringify(primary));
      expect(json).toContain(JSON.stringify(alternate));
    }
  });
});

describe('AppMonitoring of a worker, a scheduled task and the load balancer', () => {
  let f: Fixture;
  let template: Template;
  let worker: WorkerService;
  let job: ScheduledTask;
  let mon: AppMonitoring;
  beforeAll(() => {
    f = fixture();
    worker = new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: IMAGE, queue: {}, ...WITHOUT_DEPLOYMENT_ALARMS });
    acknowledgeNoDeploymentAlarms(worker);
    job = new ScheduledTask(f.stack, 'Nightly', { cluster: f.cluster, image: IMAGE, schedule: TaskSchedule.rate(Duration.hours(24)) });
    mon = monitoring(f, { notifications: AlarmNotifications.newTopic() });
    mon.addWorker(worker);
    mon.addScheduledTask(job);
    mon.addLoadBalancer(f.loadBalancer);
    template = Template.fromStack(f.stack);
  });

  test('figures: worker 5 alarms (6 metrics), scheduled task 2 (2) and its rule, load balancer 1 (2): 13 resources, $5.00 a month', () => {
    expect(mon.figures()).toEqual({
      resources: 13, alarms: 8, alarmMetrics: 10, dashboards: 1, kmsKeys: 1,
      alarmCostUsd: 1, dashboardCostUsd: 3, monthlyCostUsd: 5,
    });
  });

  test('worker: dead-letter queue depth ≥ 1 (Maximum, one five-minute datapoint)', () => {
    expect(alarm(template, 'Worker', 'DeadLetterMessages').Properties).toMatchObject({
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Period: 300,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(f.stack, worker.deadLetterQueue!), 'QueueName'] } }],
      Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });

  test('worker: oldest message ≥ 600 s in 3 of 3 five-minute datapoints', () => {
    expect(alarm(template, 'Worker', 'OldestMessageAge').Properties).toMatchObject({
      Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Statistic: 'Maximum', Period: 300,
      Threshold: 600, EvaluationPeriods: 3, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('scheduled task: a rule on its stopped tasks with a non-zero exit code or a failed start, sent to the topic', () => {
    const rules = template.findResources('AWS::Events::Rule');
    const [rule] = Object.values(rules);
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      'detail': {
        clusterArn: [{ 'Fn::GetAtt': [logicalId(f.stack, f.cluster.ecsCluster), 'Arn'] }],
        group: [`family:${job.oneOffTask.taskDefinition.family}`],
        lastStatus: ['STOPPED'],
        $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }],
      },
    });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^MonitoringTopic/) } })]);
  });

  test('scheduled task with a sidecar: the exit codes ECS gives the containers it stops (137, 143) do not count, out-of-memory kills do', () => {
    // GIVEN a job whose sidecar ECS stops (SIGTERM) when the main container exits 0
    const g = fixture();
    const withSidecar = new ScheduledTask(g.stack, 'Nightly', {
      cluster: g.cluster, image: IMAGE, schedule: TaskSchedule.rate(Duration.hours(24)),
      sidecars: [{ containerName: 'proxy', image: IMAGE }],
    });
    // WHEN
    monitoring(g).addScheduledTask(withSidecar);
    // THEN
    const [rule] = Object.values(Template.fromStack(g.stack).findResources('AWS::Events::Rule'));
    expect(rule.Properties.EventPattern.detail.$or).toEqual([
      { containers: { exitCode: [{ 'anything-but': [0, 137, 143] }] } },
      { containers: { reason: [{ prefix: 'OutOfMemoryError' }] } },
      { stopCode: ['TaskFailedToStart'] },
    ]);
  });

  test('scheduled task: failed runs alarm on the rule\'s TriggeredRules ≥ 1 in one five-minute datapoint; dead-letter depth ≥ 1', () => {
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule'))[0];
    expect(alarm(template, 'Nightly', 'FailedRuns').Properties).toMatchObject({
      Namespace: 'AWS/Events', MetricName: 'TriggeredRules', Statistic: 'Sum', Period: 300,
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    expect(alarm(template, 'Nightly', 'DeadLetterMessages').Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(f.stack, job.deadLetterQueue as any), 'QueueName'] } }],
      Threshold: 1,
    });
  });

  test('the topic lets EventBridge publish the failed-run events', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
  });

  test('load balancer: its own 5xx above 5 % of its requests in 5 of 5 one-minute datapoints', () => {
    const props = alarm(template, 'LB', 'Elb5xx').Properties;
    expect(props).toMatchObject({ Threshold: 5, EvaluationPeriods: 5, ComparisonOperator: 'GreaterThanThreshold' });
    const names = props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).sort();
    expect(names).toEqual(['HTTPCode_ELB_5XX_Count', 'RequestCount']);
  });
});

describe('AppMonitoring options', () => {
  test('thresholds, periods and datapoints are tunable, and an alarm can be turned off', () => {
    const f = fixture();
    const api = web(f, 'Api');
    monitoring(f).addWebService(api, {
      cpuPercent: { threshold: 75, period: Duration.minutes(2), evaluationPeriods: 10, datapointsToAlarm: 8 },
      memoryPercent: { enabled: false },
    });
    const template = Template.fromStack(f.stack);
    expect(alarm(template, 'Api', 'Cpu').Properties).toMatchObject({ Threshold: 75, Period: 120, EvaluationPeriods: 10, DatapointsToAlarm: 8 });
    expect(alarmIds(template).filter((id) => id.includes('Memory'))).toEqual([]);
    // Without notifications the alarms have no actions.
    expect(alarm(template, 'Api', 'Cpu').Properties.AlarmActions).toBeUndefined();
  });

  test('a given topic is used as it is: no topic or key is created', () => {
    const f = fixture();
    const topic = new sns.Topic(f.stack, 'Ops');
    const mon = monitoring(f, { notifications: AlarmNotifications.toTopic(topic) });
    mon.addWebService(web(f, 'Api'));
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(alarm(template, 'Api', 'Cpu').Properties.AlarmActions).toEqual([{ Ref: logicalId(f.stack, topic) }]);
    expect(mon.topic).toBe(topic);
  });

  test('Container Insights off: no running-tasks alarm, with a warning; asking for it is an error naming runningTasksBelowDesired', () => {
    const f = fixture(undefined, { containerInsights: false });
    const mon = monitoring(f);
    mon.addWebService(web(f, 'Api'));
    const template = Template.fromStack(f.stack);
    expect(alarmIds(template).filter((id) => id.includes('RunningTasks'))).toEqual([]);
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Monitoring', Match.stringLikeRegexp('monitoring-no-container-insights'));
    expect(() => mon.addWebService(web(f, 'Other', { pathPatterns: ['/other/*'] }), { runningTasksBelowDesired: { threshold: 2 } }))
      .toThrow(/Monitoring: runningTasksBelowDesired .* needs Container Insights/);
  });

  test('without a dashboard there is no dashboard resource; alarms stay', () => {
    const f = fixture();
    monitoring(f, { dashboard: false }).addWebService(web(f, 'Api'));
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(alarmIds(template)).toHaveLength(6);
  });
});

describe('AppMonitoring validation: bad values name the prop', () => {
  const cases: Array<[string, object, RegExp]> = [
    ['threshold above 100 %', { cpuPercent: { threshold: 150 } }, /Monitoring: cpuPercent\.threshold 150 is out of range; use a number from 0 to 100/],
    ['negative threshold', { p99ResponseTimeSeconds: { threshold: -1 } }, /p99ResponseTimeSeconds\.threshold -1 is out of range/],
    ['fractional host count', { unhealthyHosts: { threshold: 1.5 } }, /unhealthyHosts\.threshold 1\.5 is out of range; use an integer/],
    ['period under a minute', { memoryPercent: { period: Duration.seconds(30) } }, /memoryPercent\.period 30 seconds is out of range/],
    ['period not whole minutes', { memoryPercent: { period: Duration.seconds(90) } }, /memoryPercent\.period 1 minute 30 seconds .*not a whole number of minutes/],
    ['zero evaluation periods', { http5xxPercent: { evaluationPeriods: 0 } }, /http5xxPercent\.evaluationPeriods 0 is out of range/],
    ['more than a day of datapoints', { cpuPercent: { period: Duration.hours(1), evaluationPeriods: 25 } }, /cpuPercent\.evaluationPeriods 25 .*longer than a day/],
    ['datapoints above evaluation periods', { cpuPercent: { evaluationPeriods: 3, datapointsToAlarm: 4 } }, /cpuPercent\.datapointsToAlarm 4 is out of range; use an integer from 1 to 3/],
  ];
  test.each(cases)('%s', (_name, options, message) => {
    const f = fixture();
    const mon = monitoring(f);
    expect(() => mon.addWebService(web(f, 'Api'), options)).toThrow(message);
    // Nothing was created before the error.
    expect(mon.node.tryFindChild('Api')).toBeUndefined();
  });

  test('dashboardName: pattern, and unique per account across regions', () => {
    const f = fixture();
    expect(() => new AppMonitoring(f.stack, 'Bad', { dashboardName: 'has space' })).toThrow(/Bad: dashboardName "has space" is not valid/);
    new AppMonitoring(f.stack, 'One', { dashboardName: 'ops' });
    const other = new Stack(f.stack.node.root, 'OtherRegion', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(() => new AppMonitoring(other, 'Two', { dashboardName: 'ops' })).toThrow(/dashboardName "ops" is already the CloudWatch dashboard name of TestStack\/One/);
  });

  test('dashboardName without a dashboard is an error', () => {
    const f = fixture();
    expect(() => new AppMonitoring(f.stack, 'M', { dashboard: false, dashboardName: 'ops' })).toThrow(/M: dashboardName "ops" needs a dashboard/);
  });

  test('a construct added twice is an error naming the method', () => {
    const f = fixture();
    const mon = monitoring(f);
    const api = web(f, 'Api');
    mon.addWebService(api);
    expect(() => mon.addWebService(api)).toThrow(/Monitoring: addWebService "TestStack\/Api" is already monitored/);
  });
});

describe('AppMonitoring across versions and stacks', () => {
  test('update: adding a service later keeps every existing alarm\'s logical id, and adds only its own', () => {
    const build = (withSecond: boolean) => {
      const f = fixture();
      const mon = monitoring(f, { notifications: AlarmNotifications.newTopic() });
      if (withSecond) mon.addWebService(web(f, 'Admin', { pathPatterns: ['/admin/*'] }));
      mon.addWebService(web(f, 'Api'));
      return Template.fromStack(f.stack);
    };
    const before = alarmIds(build(false));
    const after = alarmIds(build(true));
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((id) => !before.includes(id)).every((id) => id.startsWith('MonitoringAdmin'))).toBe(true);
  });

  test('update: removing the dashboard removes only the dashboard, nothing stateful', () => {
    const build = (dashboard: boolean) => {
      const f = fixture();
      monitoring(f, { dashboard, notifications: AlarmNotifications.newTopic() }).addWebService(web(f, 'Api'));
      return Template.fromStack(f.stack).toJSON().Resources as Record<string, any>;
    };
    const before = build(true);
    const after = build(false);
    const removed = Object.keys(before).filter((id) => !(id in after));
    expect(removed.map((id) => before[id].Type)).toEqual(['AWS::CloudWatch::Dashboard']);
  });

  test('cross-stack: services in one stack, monitoring in another: metrics by exported names, the service stack\'s own alarm gets a warning instead of a cycle', () => {
    const app = testApp();
    const f = fixture(testStack(app, 'Services'));
    const api = web(f, 'Api');
    new cloudwatch.Alarm(api, 'Own', { metric: api.ecsService.metricCpuUtilization(), threshold: 99, evaluationPeriods: 1 });
    const opsStack = testStack(app, 'Ops');
    const mon = new AppMonitoring(opsStack, 'Monitoring', { notifications: AlarmNotifications.newTopic() });
    mon.addWebService(api);
    const ops = Template.fromStack(opsStack);
    const services = Template.fromStack(f.stack);
    // The alarms live in the monitoring's stack, under the service stack's id.
    expect(Object.keys(ops.findResources('AWS::CloudWatch::Alarm')).every((id) => id.startsWith('MonitoringServicesApi'))).toBe(true);
    expect(JSON.stringify(ops.toJSON())).toContain('Fn::ImportValue');
    expect(Object.keys(services.toJSON().Outputs ?? {}).length).toBeGreaterThan(0);
    // No reference back: the service stack's own alarm has no action, and a warning says why.
    const own = Object.values(services.findResources('AWS::CloudWatch::Alarm'))[0];
    expect(own.Properties.AlarmActions).toBeUndefined();
    Annotations.fromStack(f.stack).hasWarning('/Services/Api/Own', Match.stringLikeRegexp('monitoring-cross-stack-alarm'));
    expect(opsStack.dependencies).toEqual([f.stack]);
  });
});

describe('AppMonitoring figures for the bin app\'s prod stage shape', () => {
  test('a ContainerWebApp with its load balancer: 6 alarms on 8 metrics, 10 resources, $4.80 a month (dashboard $3, key $1, alarms $0.80); its deployment alarm covers 5xx', () => {
    // GIVEN the prod stage's shape: one ContainerWebApp (deployment alarm on, the default), its load balancer and service monitored, a created topic
    const stack = testStack(testApp());
    const app = new ContainerWebApp(stack, 'Web', { image: IMAGE, restrictDefaultSecurityGroup: false });
    const mon = new AppMonitoring(stack, 'Monitoring', { notifications: AlarmNotifications.newTopic() });
    mon.addLoadBalancer(app.loadBalancer);
    mon.addWebService(app.service);
    // THEN (ecs-patterns creates none of these: 0 alarms, no dashboard, $0)
    expect(mon.figures()).toEqual({
      resources: 10, alarms: 6, alarmMetrics: 8, dashboards: 1, kmsKeys: 1,
      alarmCostUsd: 0.8, dashboardCostUsd: 3, monthlyCostUsd: 4.8,
    });
    // The service's own deployment alarm is the seventh, and it pages too: one condition, one alarm.
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    const deploymentAlarm = stack.getLogicalId(app.service.node.findChild('DeploymentAlarm').node.defaultChild as CfnElement);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(alarms[deploymentAlarm].Properties.AlarmActions).toHaveLength(1);
    expect(alarms[deploymentAlarm].Properties.AlarmActions[0].Ref).toMatch(/^MonitoringTopic/);
  });
});
