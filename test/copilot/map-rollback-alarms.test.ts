import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CopilotApplication } from '../../lib';
import { alarmTimingOf, goesOffInsideWatch } from '../../lib/deployment/alarm-window';
import { compareTemplates, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { testStack } from '../util/test-app';
import { configurationErrorOf, writeWorkspace, yaml } from './workspace-fixture';

const WEB = yaml('name: web', 'type: Load Balanced Web Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'http:', '  path: /');
const WORKER = yaml('name: worker', 'type: Worker Service', 'image:', '  build: app/Dockerfile');

function synth(files: Record<string, string>): { stack: Stack; template: Template; shop: CopilotApplication } {
  const stack = testStack();
  const shop = new CopilotApplication(stack, 'Shop', { workspace: writeWorkspace(files), environment: 'prod' });
  return { stack, template: Template.fromStack(stack), shop };
}

function alarmNamesOf(template: Template): unknown[] {
  const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
  return service.Properties.DeploymentConfiguration.Alarms.AlarmNames;
}

describe('deployment.rollback_alarms as a map: Copilot\'s alarms, made as Copilot made them', () => {
  let stack: Stack;
  let template: Template;
  let shop: CopilotApplication;
  beforeAll(() => {
    // GIVEN a web service with CPU and memory rollback alarms, and a worker with all three
    ({ stack, template, shop } = synth({
      'copilot/web/manifest.yml': WEB + yaml('deployment:', '  rollback_alarms:', '    cpu_utilization: 70', '    memory_utilization: 50.5'),
      'copilot/worker/manifest.yml': WORKER + yaml('deployment:', '  rollback_alarms:', '    cpu_utilization: 80', '    memory_utilization: 60', '    messages_delayed: 5'),
    }));
  });

  test('the service\'s average CPU and memory, at or above the threshold in 2 of 3 minutes', () => {
    // THEN
    for (const [metric, threshold] of [['CPUUtilization', 70], ['MemoryUtilization', 50.5]] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ECS', MetricName: metric, Statistic: 'Average', Period: 60,
        EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: Match.arrayWith([{ Name: 'ServiceName', Value: { 'Fn::GetAtt': [stack.getLogicalId(shop.webService('web').ecsService.node.defaultChild as any), 'Name'] } }]),
      });
    }
  });

  test('a worker\'s messages_delayed warns: the queue has no delivery delay, so the metric stays at 0 (review finding)', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-messages-delayed'));
    expect(warnings.map((w) => w.id)).toEqual(['/TestStack/Shop/worker']);
    expect(String(warnings[0].entry.data)).toMatch(/has no delivery delay \(subscribe\.queue\.delay\) and SNS deliveries carry none/);
  });

  test('a worker\'s messages_delayed reads its queue\'s ApproximateNumberOfMessagesDelayed', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesDelayed', Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(shop.workerService('worker').queue!.node.defaultChild as any), 'QueueName'] } }],
    });
  });

  test('ECS watches them next to the library\'s own alarms, by names that are this app\'s, not Copilot\'s (which the Copilot stack keeps beside)', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const names = alarmNamesOf(template);
    const copilotNamed = Object.values(alarms).filter((a) => String(a.Properties.AlarmName).includes('CopilotRollback'));
    expect(copilotNamed).toEqual([]);
    for (const suffix of ['web/RollbackCpuAlarm', 'web/RollbackMemoryAlarm']) {
      const name = `${stack.stackName}/Shop/${suffix}`;
      expect(names).toContain(name);
      expect(Object.values(alarms).some((a) => a.Properties.AlarmName === name)).toBe(true);
    }
    expect(names).toHaveLength(3); // the library's 5xx alarm, then the two of the manifest
  });

  test('each can go off inside the window ECS watches it for', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      if (!String(alarm.Properties.AlarmName).includes('/Rollback')) continue;
      expect(goesOffInsideWatch(alarmTimingOf(alarm.Properties)!)).toBe(true);
    }
  });

  test('create: each alarm comes after the service it reads (no cycle: the service names it by a plain string)', () => {
    const serviceId = stack.getLogicalId(shop.webService('web').ecsService.node.defaultChild as any);
    const service = template.findResources('AWS::ECS::Service')[serviceId];
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const [alarmId, alarm] = Object.entries(alarms).find(([, a]) => String(a.Properties.AlarmName).endsWith('web/RollbackCpuAlarm'))!;
    expect(JSON.stringify(alarm.Properties.Dimensions)).toContain(`"${serviceId}"`);
    expect(JSON.stringify(service)).not.toContain(alarmId);
  });

  test('destroy: the alarms hold no data and are deleted with the stack, before the service they read (they refer to it)', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => String(a.Properties.AlarmName).includes('/Rollback'))) {
      expect(alarm.DeletionPolicy).toBeUndefined();
      expect(JSON.stringify(alarm.Properties.Dimensions ?? alarm.Properties.Metrics)).toMatch(/"Fn::GetAtt":\["Shop(web|worker)/);
    }
  });
});

test('with subscribe.queue.delay the queue delays deliveries, and messages_delayed has something to watch: no warning', () => {
  const { stack, template } = synth({ 'copilot/worker/manifest.yml': WORKER + yaml('subscribe:', '  queue:', '    delay: 90s', 'deployment:', '  rollback_alarms:', '    messages_delayed: 5') });
  template.hasResourceProperties('AWS::SQS::Queue', { DelaySeconds: 90 });
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-messages-delayed'))).toEqual([]);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesDelayed', Threshold: 5 });
});

test('a delay under a second is no delay, as Copilot cuts it: messages_delayed still warns; a delay over 15 minutes fails at the manifest (review findings)', () => {
  const { stack, template } = synth({ 'copilot/worker/manifest.yml': WORKER + yaml('subscribe:', '  queue:', '    delay: 400ms', 'deployment:', '  rollback_alarms:', '    messages_delayed: 5') });
  template.hasResourceProperties('AWS::SQS::Queue', { DelaySeconds: 0 });
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-messages-delayed'))).toHaveLength(1);
  expect(() => synth({ 'copilot/worker/manifest.yml': WORKER + yaml('subscribe:', '  queue:', '    delay: 20m') }))
    .toThrow(/copilot\/worker\/manifest\.yml:7 subscribe\.queue\.delay.*is longer than the 15 minutes SQS delays a message/);
});

test('deployment.rollback_alarms as a list: ECS watches those existing alarms by name', () => {
  // GIVEN / WHEN
  const { template } = synth({ 'copilot/web/manifest.yml': WEB + yaml('deployment:', '  rollback_alarms: ["web-5xx", "web-latency"]') });
  // THEN
  expect(alarmNamesOf(template)).toEqual(expect.arrayContaining(['web-5xx', 'web-latency']));
  template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmName: 'web-5xx' }, 0);
});

test('update: adding and removing rollback alarms changes the service in place and adds or deletes only the alarms', () => {
  const before = synth({ 'copilot/web/manifest.yml': WEB }).template.toJSON();
  const after = synth({ 'copilot/web/manifest.yml': WEB + yaml('deployment:', '  rollback_alarms:', '    cpu_utilization: 70') }).template.toJSON();
  expect(errorsOf(compareTemplates({ TestStack: before }, { TestStack: after }))).toEqual([]);
  expect(errorsOf(compareTemplates({ TestStack: after }, { TestStack: before }))).toEqual([]);
});

describe('rollback_alarms Copilot would refuse fail at the manifest', () => {
  const errorOf = (files: Record<string, string>): string => configurationErrorOf(() => synth(files));

  test('messages_delayed on a service that has no queue', () => {
    expect(errorOf({ 'copilot/web/manifest.yml': WEB + yaml('deployment:', '  rollback_alarms:', '    messages_delayed: 5') }))
      .toMatch(/copilot\/web\/manifest\.yml:\d+ deployment\.rollback_alarms\.messages_delayed.*Worker Service/);
  });

  test('a threshold that is not a number', () => {
    expect(errorOf({ 'copilot/web/manifest.yml': WEB + yaml('deployment:', '  rollback_alarms:', '    cpu_utilization: high') }))
      .toMatch(/deployment\.rollback_alarms\.cpu_utilization.*is not a number/);
  });
});
