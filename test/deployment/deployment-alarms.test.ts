import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Ec2Capacity } from '../../lib/cluster';
import { compareTemplates } from '../../lib/deploy-checks/update-hazards';
import { WebService } from '../../lib/service';
import { WorkerService } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';
import { fixture, NGINX, resourcesOf, webService } from './fixture';

describe('WebService deployment alarms (defaults)', () => {
  // GIVEN a web service with the default deployment settings (one synth)
  let stack: Stack;
  let web: WebService;
  let template: Template;
  beforeAll(() => {
    const f = fixture();
    stack = f.stack;
    // WHEN
    web = webService(f, 'Web', { pathPatterns: ['/api/*'] });
    template = Template.fromStack(stack);
  });

  test('one alarm on the target group, with a literal name derived from the stack and the path', () => {
    // THEN
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(web.deploymentAlarms.map(a => alarms[stack.resolve(a.alarmName).Ref].Properties.AlarmName)).toEqual(['TestStack/Web/DeploymentAlarm']);
  });

  test('a bad minute: 5xx over 1 % of requests (from 10 requests and 3 errors a minute); 2 bad minutes of the last 5 alarm; missing data good', () => {
    // THEN
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack/Web/DeploymentAlarm',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'IF(FILL(r0, 0) >= 10 AND FILL(e0, 0) >= 3 AND 100 * FILL(e0, 0) / FILL(r0, 1) > 1, 1, 0)',
          ReturnData: true,
        }),
        Match.objectLike({ Id: 'e0', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count', Namespace: 'AWS/ApplicationELB' }), Period: 60, Stat: 'Sum' }) }),
        Match.objectLike({ Id: 'r0', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }), Period: 60, Stat: 'Sum' }) }),
      ]),
    });
  });

  test('it reads no health-check metric: a target is unhealthy while a healthy app starts (the circuit breaker covers tasks that never pass)', () => {
    // THEN
    const [alarm] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    const read = alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName);
    expect(read.sort()).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount']);
  });

  test('ECS watches it by name and rolls back on alarm; the circuit breaker stays on', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { AlarmNames: ['TestStack/Web/DeploymentAlarm'], Enable: true, Rollback: true },
        DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false },
      }),
    });
  });

  test('create order: the service waits for its alarm; the alarm waits for nothing of the service (no cycle)', () => {
    // THEN
    const [serviceId, service] = Object.entries(resourcesOf(template, 'AWS::ECS::Service'))[0];
    const alarmIds = Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(service.DependsOn).toEqual(expect.arrayContaining(alarmIds));
    for (const id of alarmIds) {
      expect(JSON.stringify(template.toJSON().Resources[id])).not.toContain(serviceId);
    }
  });

  test('no circular-dependency message from aws-cdk-lib (the names are literal)', () => {
    // THEN
    Annotations.fromStack(stack).hasNoInfo('*', Match.stringLikeRegexp('circular dependency'));
  });

  test('cdk destroy: alarms are deleted with the stack (no retain policy: they hold no data)', () => {
    // THEN
    for (const alarm of Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.DeletionPolicy).toBeUndefined();
    }
  });
});

describe('WebService deployment alarms: user alarms, tuning, off', () => {
  test('user alarms and ours all end up in the service (no reliance on enableDeploymentAlarms, aws-cdk #36308)', () => {
    // GIVEN
    const f = fixture();
    const mine = new cloudwatch.Alarm(f.stack, 'Latency', {
      alarmName: 'my-latency', metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Latency' }), threshold: 1, evaluationPeriods: 1,
    });
    const imported = cloudwatch.Alarm.fromAlarmName(f.stack, 'Imported', 'team-wide-errors');
    // WHEN
    const web = webService(f, 'Web', { deployment: { alarms: { additionalAlarms: [mine, imported] } } });
    // THEN
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          AlarmNames: ['TestStack/Web/DeploymentAlarm', { Ref: f.stack.getLogicalId(mine.node.defaultChild as cloudwatch.CfnAlarm) }, 'team-wide-errors'],
          Enable: true,
          Rollback: true,
        },
      }),
    });
    expect(web.deploymentAlarms).toHaveLength(3);
  });

  test('thresholds are tunable', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    webService(f, 'Web', { deployment: { alarms: { errorRatePercent: 5, minimumRequestsPerMinute: 50, minimumErrorsPerMinute: 1, evaluationPeriods: 7, datapointsToAlarm: 3 } } });
    // THEN
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 7, DatapointsToAlarm: 3,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('IF\\(FILL\\(r0, 0\\) >= 50 AND FILL\\(e0, 0\\) >= 1 AND 100 \\* FILL\\(e0, 0\\) / FILL\\(r0, 1\\) > 5, 1, 0\\)') })]),
    });
  });

  test('enabled: false creates none and watches only the user\'s', () => {
    // GIVEN
    const f = fixture();
    const mine = cloudwatch.Alarm.fromAlarmName(f.stack, 'Mine', 'my-alarm');
    // WHEN
    webService(f, 'Web', { deployment: { alarms: { enabled: false, additionalAlarms: [mine] } } });
    // THEN
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: ['my-alarm'], Enable: true, Rollback: true } }),
    });
  });

  test('enabled: false without alarms of the user\'s: no Alarms block, and an acknowledgeable warning', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    webService(f, 'Web', { deployment: { alarms: { enabled: false } } });
    // THEN
    const template = Template.fromStack(f.stack);
    // (without the removeDefaultDeploymentAlarm flag aws-cdk-lib writes a disabled, empty block)
    const [service] = Object.values(resourcesOf(template, 'AWS::ECS::Service'));
    expect(service.Properties.DeploymentConfiguration.Alarms?.AlarmNames ?? []).toEqual([]);
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('No deployment alarm watches'));
  });

  test('an EC2-capacity service gets the same alarms', () => {
    // GIVEN
    const f = fixture();
    const capacity: Ec2Capacity = f.cluster.addEc2Capacity('Capacity', {});
    // WHEN
    webService(f, 'Web', { ec2Capacity: capacity });
    // THEN
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', {
      LaunchType: Match.absent(),
      DeploymentConfiguration: Match.objectLike({ Alarms: Match.objectLike({ AlarmNames: ['TestStack/Web/DeploymentAlarm'] }) }),
    });
  });

  test('update: renaming nothing keeps the alarm names; a second service gets its own', () => {
    // GIVEN two versions of an app, the second with one more service
    const names = (withSecond: boolean) => {
      const f = fixture();
      webService(f, 'Web', { pathPatterns: ['/a/*'] });
      if (withSecond) webService(f, 'Other', { pathPatterns: ['/b/*'] });
      return Object.values(resourcesOf(Template.fromStack(f.stack), 'AWS::CloudWatch::Alarm')).map(a => a.Properties.AlarmName).sort();
    };
    // WHEN / THEN
    const before = names(false);
    const after = names(true);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after).toHaveLength(2);
  });

  test('two stacks of one environment with the same stackName: the alarm name is claimed twice, a synth error', () => {
    // GIVEN
    const app = testApp();
    const one = fixture({}, testStack(app, 'One', { stackName: 'same' }));
    webService(one, 'Web');
    const two = fixture({}, testStack(app, 'Two', { stackName: 'same' }));
    // WHEN / THEN
    expect(() => webService(two, 'Web')).toThrow(/alarmName "same\/Web\/DeploymentAlarm" is already the CloudWatch alarm name of One\/Web/);
  });
});

describe('WorkerService deployment alarms', () => {
  test('with a queue: dead letters arriving (any one minute of 8: 5 receives × 60 s visibility + 3) and a stalled queue (4 of 7 minutes with messages waiting and none held)', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const worker = new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {} });
    // THEN
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack/Worker/DeadLetterAlarm',
      Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 8, DatapointsToAlarm: 1,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(DIFF(FILL(d, 0)), 0)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack/Worker/StalledQueueAlarm',
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 7, DatapointsToAlarm: 4,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(waiting, 0) > 0 AND FILL(held, 0) == 0, 1, 0)' }),
        Match.objectLike({ Id: 'waiting', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesVisible' }), Stat: 'Minimum' }) }),
        Match.objectLike({ Id: 'held', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesNotVisible' }), Stat: 'Maximum' }) }),
      ]),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { AlarmNames: ['TestStack/Worker/DeadLetterAlarm', 'TestStack/Worker/StalledQueueAlarm'], Enable: true, Rollback: true },
      }),
    });
    expect(worker.deploymentAlarms).toHaveLength(2);
  });

  test('maxMessageAge is tunable: 30 minutes of stall allowed takes 31 whole stalled minutes, in a window of 34 ECS can see (visibility 1 minute + 2)', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {}, deployment: { alarms: { maxMessageAge: Duration.minutes(30) } } });
    // THEN
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack/Worker/StalledQueueAlarm', DatapointsToAlarm: 31, EvaluationPeriods: 34 });
  });

  test('maxMessageAge over an hour fails by name', () => {
    const f = fixture();
    expect(() => new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {}, deployment: { alarms: { maxMessageAge: Duration.hours(2) } } }))
      .toThrow(/deployment\.alarms\.maxMessageAge/);
  });

  test('without a queue and without user alarms: none, and the warning says why', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX });
    // THEN
    Template.fromStack(f.stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp('the worker has no queue to watch'));
  });

  test('canary on a worker: there is no traffic to shift', () => {
    // GIVEN
    const f = fixture();
    const { DeploymentStrategy } = jest.requireActual('../../lib/deployment');
    // WHEN / THEN
    expect(() => new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, deployment: { strategy: DeploymentStrategy.canary() } }))
      .toThrow(/deployment\.strategy "CANARY" needs a load balancer/);
  });
});

describe('WorkerService deployment alarms: create, update, destroy', () => {
  const worker = () => {
    const f = fixture();
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {} });
    return Template.fromStack(f.stack).toJSON();
  };

  test('create: the service waits for both alarms; cdk destroy: neither is retained', () => {
    const template = worker();
    const alarms = Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === 'AWS::CloudWatch::Alarm') as Array<[string, any]>;
    const [service] = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::ECS::Service') as any[];
    expect(alarms).toHaveLength(2);
    expect(service.DependsOn).toEqual(expect.arrayContaining(alarms.map(([id]) => id)));
    for (const [, a] of alarms) expect(a.DeletionPolicy).toBeUndefined();
  });

  test('update from the oldest-message alarm: the new alarm is created and named before the old one goes in cleanup; no update hazard', () => {
    const after = worker();
    const before = JSON.parse(JSON.stringify(after));
    const [id] = Object.keys(before.Resources).filter((k) => k.startsWith('WorkerStalledQueueAlarm'));
    before.Resources.WorkerOldestMessageAlarm = { ...before.Resources[id], Properties: { ...before.Resources[id].Properties, AlarmName: 'TestStack/Worker/OldestMessageAlarm' } };
    delete before.Resources[id];
    expect(compareTemplates({ S: before }, { S: after })).toEqual([]);
  });
});

describe('WorkerService with long jobs: dead letters after ECS stops watching', () => {
  test('5 receives of a 30-minute visibility: the alarm looks back its hour at most, and an acknowledgeable warning says a failing release is not rolled back', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: { maxJobDuration: Duration.minutes(15) } });
    // THEN
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack/Worker/DeadLetterAlarm', EvaluationPeriods: 60 });
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp('only after maxReceiveCount × visibility timeout \\(150 minutes\\)'));
  });

  test('short jobs: no warning', () => {
    const f = fixture();
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: {} });
    Annotations.fromStack(f.stack).hasNoWarning('/TestStack/Worker', Match.stringLikeRegexp('dead-letter-after-watch'));
  });
});

describe('WorkerService queue settings the alarms cannot live with', () => {
  test('maxReceiveCount 1: a job cut by a deploy is a dead letter on its next receive, so a warning says the dead-letter alarm would roll back a healthy release', () => {
    const f = fixture();
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: { maxReceiveCount: 1 } });
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp('queue.maxReceiveCount is 1: a job cut short by a deployment'));
  });

  test('maxReceiveCount 2: no such warning', () => {
    const f = fixture();
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: { maxReceiveCount: 2 } });
    Annotations.fromStack(f.stack).hasNoWarning('/TestStack/Worker', Match.stringLikeRegexp('maxReceiveCount is 1'));
  });

  test('a visibility timeout near an hour: the stalled-queue alarm looks back an hour at most, and a warning says ECS may stop watching first', () => {
    const f = fixture();
    new WorkerService(f.stack, 'Worker', { cluster: f.cluster, image: NGINX, queue: { maxJobDuration: Duration.minutes(30), maxReceiveCount: 2 } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack/Worker/StalledQueueAlarm', EvaluationPeriods: 60, DatapointsToAlarm: 4 });
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp('The stalled-queue alarm would need 66 minutes'));
  });
});
