import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { NetworkLayout } from '../../lib/network';
import { ScheduledTask, ScheduledTaskProps, TaskSchedule } from '../../lib/task';
import { AppMonitoring } from '../../lib/monitoring';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { controlTowerFindings } from '../util/control-tower';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/node:20-alpine');
const NIGHTLY_BERLIN = TaskSchedule.cron({ hour: '2', timeZone: TimeZone.EUROPE_BERLIN });

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('ScheduledTask defaults: nightly at 02:00 Berlin time', () => {
  // GIVEN a SINGLE_NAT cluster (one synth)
  let stack: Stack;
  let cluster: ServiceCluster;
  let job: ScheduledTask;
  let template: Template;
  let schedule: any;
  beforeAll(() => {
    stack = testStack(testApp());
    cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    // WHEN
    job = new ScheduledTask(stack, 'Nightly', { cluster, image: IMAGE, command: ['node', 'cleanup.js'], schedule: NIGHTLY_BERLIN });
    template = Template.fromStack(stack);
    schedule = template.findResources('AWS::Scheduler::Schedule')[logicalId(stack, job.schedule)];
  });

  test('a schedule on regular Fargate has no dependency on the capacity provider associations', () => {
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(schedule.DependsOn ?? []).not.toEqual(expect.arrayContaining(associations));
  });

  test('a cron expression on the full hour with its time zone, enabled, no flexible window', () => {
    // THEN
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Description: 'Runs TestStack/Nightly: cron(0 2 * * ? *) in Europe/Berlin',
    });
    expect(job.scheduleDescription).toBe('cron(0 2 * * ? *) in Europe/Berlin');
  });

  test('the target runs one task of this revision on FARGATE in the private subnets with the task\'s security group', () => {
    // THEN
    const target = schedule.Properties.Target;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack, cluster.ecsCluster), 'Arn'] });
    expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [logicalId(stack, job.role), 'Arn'] });
    expect(target.EcsParameters).toEqual({
      TaskDefinitionArn: { Ref: logicalId(stack, job.oneOffTask.taskDefinition) },
      TaskCount: 1,
      LaunchType: 'FARGATE',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [{ 'Fn::GetAtt': [logicalId(stack, job.oneOffTask.securityGroup), 'GroupId'] }],
          Subnets: cluster.vpc.privateSubnets.map((s) => ({ Ref: logicalId(stack, s) })),
        },
      },
    });
  });

  test('retries: 5 attempts within an hour, then the dead-letter queue', () => {
    // THEN
    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 });
    expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalId(stack, job.deadLetterQueue as sqs.Queue), 'Arn'] } });
  });

  test('the dead-letter queue: SQS-managed encryption, TLS only, 14 days, retained', () => {
    // THEN
    template.hasResource('AWS::SQS::Queue', {
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  test('the dead-letter queue says it is one (RedriveAllowPolicy allowAll, SQS\'s default written out) so AWS Control Tower CT.SQS.PR.1 does not ask it for a dead-letter queue of its own', () => {
    // THEN
    const queue = template.findResources('AWS::SQS::Queue')[logicalId(stack, job.deadLetterQueue)] as any;
    expect(queue.Properties.RedriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
    expect(queue.Properties.RedrivePolicy).toBeUndefined();
    expect(controlTowerFindings(stack, 'CT.SQS.PR.1')).toEqual([]);
  });

  test('the scheduler role: assumable only by this account\'s scheduler, may run only this task and write to the queue', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '123456789012',
              'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:us-east-1:123456789012:schedule-group/default']] },
            },
          },
        }],
      },
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(stack, job.role) }] } });
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: 'ecs:RunTask',
        Effect: 'Allow',
        Resource: { Ref: logicalId(stack, job.oneOffTask.taskDefinition) },
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [logicalId(stack, cluster.ecsCluster), 'Arn'] } } },
      },
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [stack.getLogicalId(job.oneOffTask.taskDefinition.taskRole.node.defaultChild as any), 'Arn'] },
          { 'Fn::GetAtt': [stack.getLogicalId(job.oneOffTask.taskDefinition.executionRole!.node.defaultChild as any), 'Arn'] },
        ],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(stack, job.deadLetterQueue as sqs.Queue), 'Arn'] } },
    ]);
    // The schedule waits for the role's policy.
    expect(schedule.DependsOn).toEqual(expect.arrayContaining([Object.keys(policies)[0]]));
  });

  test('the task behind the schedule has a security group without ingress', () => {
    // THEN
    const sg = template.findResources('AWS::EC2::SecurityGroup')[logicalId(stack, job.oneOffTask.securityGroup)] as any;
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});

describe('ScheduledTask options: public subnets, Spot, rate, own queue with a KMS key, paused', () => {
  // GIVEN (one synth)
  let stack: Stack;
  let job: ScheduledTask;
  let schedule: any;
  let template: Template;
  let key: kms.Key;
  beforeAll(() => {
    stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PUBLIC_ONLY, restrictDefaultSecurityGroup: false });
    key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const queue = new sqs.Queue(stack, 'OwnQueue', { encryptionMasterKey: key, enforceSSL: true });
    // WHEN
    job = new ScheduledTask(stack, 'Sync', {
      cluster,
      image: IMAGE,
      schedule: TaskSchedule.rate(Duration.hours(6)),
      fargateSpot: true,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
      deadLetterQueue: queue,
      enabled: false,
      flexibleTimeWindow: Duration.minutes(15),
      scheduleName: 'sync.every-6h',
      description: 'Syncs the catalogue',
    });
    template = Template.fromStack(stack);
    schedule = template.findResources('AWS::Scheduler::Schedule')[logicalId(stack, job.schedule)];
  });

  test('rate expression, paused, a 15-minute window, the given name and description', () => {
    // THEN
    expect(schedule.Properties).toMatchObject({
      Name: 'sync.every-6h',
      Description: 'Syncs the catalogue',
      ScheduleExpression: 'rate(6 hours)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
    });
  });

  test('Spot capacity provider instead of a launch type, and a public IP in public subnets', () => {
    // THEN
    const ecsParameters = schedule.Properties.Target.EcsParameters;
    expect(ecsParameters.LaunchType).toBeUndefined();
    expect(ecsParameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
    expect(ecsParameters.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
  });

  test('a Spot schedule comes after the cluster\'s capacity provider associations (and goes before them on delete)', () => {
    // THEN the schedule depends on the association resource, so no run names FARGATE_SPOT before it is associated
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(associations).toHaveLength(1);
    expect(schedule.DependsOn).toEqual(expect.arrayContaining(associations));
  });

  test('retry policy as given (0 retries is kept), the own queue, no queue created', () => {
    // THEN
    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    expect(schedule.Properties.Target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(job.deadLetterQueue.node.defaultChild as any), 'Arn'] });
    template.resourceCountIs('AWS::SQS::Queue', 1);
  });

  test('the scheduler role may use the queue\'s KMS key to send', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, job.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } },
        ]),
      },
    });
  });
});

describe('TaskSchedule renders the Scheduler\'s expressions', () => {
  const scope = new Construct(testStack(testApp()), 'Scope');
  const render = (s: TaskSchedule) => {
    const { expression } = s.bind(scope);
    return `${expression.expressionString} ${expression.timeZone?.timezoneName}`;
  };

  test.each([
    ['cron, hour only', TaskSchedule.cron({ hour: '2' }), 'cron(0 2 * * ? *) Etc/UTC'],
    ['cron on weekdays', TaskSchedule.cron({ minute: '30', hour: '8', weekDay: 'MON-FRI', timeZone: TimeZone.AMERICA_NEW_YORK }), 'cron(30 8 ? * MON-FRI *) America/New_York'],
    ['cron on the last day of the month', TaskSchedule.cron({ hour: '23', day: 'L' }), 'cron(0 23 L * ? *) Etc/UTC'],
    ['cron every 15 minutes', TaskSchedule.cron({ minute: '0/15' }), 'cron(0/15 * * * ? *) Etc/UTC'],
    ['rate of one day', TaskSchedule.rate(Duration.days(1)), 'rate(1 day) Etc/UTC'],
    ['rate of 90 minutes', TaskSchedule.rate(Duration.minutes(90)), 'rate(90 minutes) Etc/UTC'],
    ['one time', TaskSchedule.at(new Date('2030-01-15T03:00:00Z'), TimeZone.EUROPE_BERLIN), 'at(2030-01-15T03:00:00) Europe/Berlin'],
    ['text', TaskSchedule.expression('cron(0 10 ? * 6L 2030)'), 'cron(0 10 ? * 6L 2030) Etc/UTC'],
    ['an aws-scheduler expression', TaskSchedule.fromScheduleExpression(scheduler.ScheduleExpression.cron({ minute: '0', hour: '4', timeZone: TimeZone.ASIA_TOKYO })), 'cron(0 4 * * ? *) Asia/Tokyo'],
  ])('%s', (_name, s, expected) => {
    expect(render(s)).toBe(expected);
  });

  test.each([
    'cron(0 18 ? * MON-FRI *)', 'cron(0 8 1 * ? *)', 'cron(0 10 ? * 2#1 *)', 'cron(0 0 15W * ? *)', 'cron(0 0 LW * ? *)',
    'cron(0/5 8-17 ? * MON,WED,FRI *)', 'cron(0 12 * JAN-MAR ? 2025-2030)', 'cron(15 10 ? * 6L *)',
    'rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(2 days)', 'at(2030-02-28T23:59:59)', 'at(2028-02-29T00:00:00)',
  ])('accepts %s', (expression) => {
    expect(render(TaskSchedule.expression(expression))).toBe(`${expression} Etc/UTC`);
  });

  test.each(['UTC', 'Etc/UTC', 'Asia/Calcutta', 'America/Argentina/Buenos_Aires'])('accepts the time zone %s', (zone) => {
    expect(render(TaskSchedule.expression('rate(1 hour)', TimeZone.of(zone)))).toBe(`rate(1 hour) ${zone}`);
  });
});

describe('ScheduledTask validation', () => {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  let n = 0;
  const make = (props: Partial<ScheduledTaskProps>) => () =>
    new ScheduledTask(stack, `Job${++n}`, { cluster, image: IMAGE, schedule: NIGHTLY_BERLIN, ...props });
  const at = 'TestStack/Job\\d+: ';

  test('the task\'s own props are checked under the ScheduledTask', () => {
    expect(make({ cluster: undefined })).toThrow(new RegExp(`${at}cluster undefined is missing`));
    expect(make({ cpu: 1024, memoryMiB: 512 })).toThrow(new RegExp(`${at}cpu 1024 with memoryMiB 512 is not a Fargate size`));
  });

  test('schedule is required', () => {
    expect(make({ schedule: undefined })).toThrow(new RegExp(`${at}schedule undefined is not a TaskSchedule; use TaskSchedule.cron`));
  });

  describe('TaskSchedule.cron', () => {
    test('day and weekDay are exclusive', () => {
      expect(make({ schedule: TaskSchedule.cron({ day: '1', weekDay: 'MON' }) }))
        .toThrow(new RegExp(`${at}schedule.day "1" cannot be combined with schedule.weekDay "MON"; give day .* or weekDay`));
    });

    test('hour in 0–23', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '25' }) }))
        .toThrow(new RegExp(`${at}schedule.hour "25" has an invalid hours field "25"; use 0–23 with , - \\* /`));
    });

    test('minute syntax', () => {
      expect(make({ schedule: TaskSchedule.cron({ minute: 'every 5' }) }))
        .toThrow(new RegExp(`${at}schedule.minute "every 5" has an invalid minutes field`));
    });

    test('step of at least 1', () => {
      expect(make({ schedule: TaskSchedule.cron({ minute: '0/0' }) }))
        .toThrow(new RegExp(`${at}schedule.minute "0/0" has an invalid minutes field`));
    });

    test('month names JAN–DEC only', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '1', month: 'JAX' }) }))
        .toThrow(new RegExp(`${at}schedule.month "JAX" has an invalid month field "JAX"; use 1–12 or JAN–DEC`));
    });

    test('weekDay 1–7', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '1', weekDay: '8' }) }))
        .toThrow(new RegExp(`${at}schedule.weekDay "8" has an invalid day-of-week field "8"; use 1–7 or SUN–SAT`));
    });

    test('year 1970–2199', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '1', year: '2200' }) }))
        .toThrow(new RegExp(`${at}schedule.year "2200" has an invalid year field`));
    });

    test('? is spelled by leaving the field out', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '1', weekDay: '?' }) }))
        .toThrow(new RegExp(`${at}schedule.weekDay "\\?" is implied by leaving the field out`));
    });

    test('time zone must be an IANA name', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '2', timeZone: TimeZone.of('Mars/Olympus_Mons') }) }))
        .toThrow(new RegExp(`${at}schedule.timeZone "Mars/Olympus_Mons" is not an IANA time zone; use a TimeZone constant`));
    });

    test('time zone spelled with the right case', () => {
      expect(make({ schedule: TaskSchedule.cron({ hour: '2', timeZone: TimeZone.of('europe/berlin') }) }))
        .toThrow(new RegExp(`${at}schedule.timeZone "europe/berlin" is not an IANA time zone \\(did you mean "Europe/Berlin"\\?\\)`));
    });
  });

  describe('TaskSchedule.rate and .at', () => {
    test('rate of at least one minute', () => {
      expect(make({ schedule: TaskSchedule.rate(Duration.seconds(30)) }))
        .toThrow(new RegExp(`${at}schedule "rate\\(30 seconds\\)" is not a whole number of minutes of at least 1`));
    });

    test('rate of whole minutes', () => {
      expect(make({ schedule: TaskSchedule.rate(Duration.seconds(90)) }))
        .toThrow(new RegExp(`${at}schedule "rate\\(1 minute 30 seconds\\)" is not a whole number of minutes`));
    });

    test('at a valid date', () => {
      expect(make({ schedule: TaskSchedule.at(new Date('not a date')) }))
        .toThrow(new RegExp(`${at}schedule "at\\(Invalid Date\\)" is not a valid date`));
    });
  });

  describe('TaskSchedule.expression and .fromScheduleExpression', () => {
    test.each([
      ['cron(0 2 * * ?)', 'has 5 fields; a Scheduler cron expression has 6'],
      ['cron(0 2 1 * MON *)', 'sets both day-of-month and day-of-week'],
      ['cron(0 2 ? * ? *)', 'sets neither day-of-month nor day-of-week'],
      ['cron(0 2 * 13 ? *)', 'has an invalid month field "13"; use 1–12'],
      ['cron(0 ? * * ? *)', 'uses \\? in the hours field'],
      ['rate(0 minutes)', 'runs more often than once a minute'],
      ['rate(1 minutes)', 'uses "minutes" with 1; write rate\\(1 minute\\)'],
      ['rate(5 minute)', 'uses "minute" with 5; write rate\\(1 minute\\) or rate\\(5 minutes\\)'],
      ['rate(30 seconds)', 'is not a rate expression'],
      ['at(2030-02-30T00:00:00)', 'is not a real date and time'],
      ['at(2030-01-01 00:00)', 'is not a schedule expression'],
      ['every day at 2', 'is not a schedule expression'],
    ])('%s', (expression, problem) => {
      const escaped = expression.replace(/[()*?]/g, '\\$&');
      expect(make({ schedule: TaskSchedule.expression(expression) })).toThrow(new RegExp(`${at}schedule "${escaped}" ${problem}`));
    });

    test('an aws-scheduler expression is checked too (its cron fields are not)', () => {
      const expression = scheduler.ScheduleExpression.cron({ minute: '0', hour: '25' });
      expect(make({ schedule: TaskSchedule.fromScheduleExpression(expression) }))
        .toThrow(new RegExp(`${at}schedule "cron\\(0 25 \\* \\* \\? \\*\\)" has an invalid hours field "25"`));
    });
  });

  test('retryAttempts in 0–185', () => {
    expect(make({ retryAttempts: 186 })).toThrow(new RegExp(`${at}retryAttempts 186 is out of range; use an integer from 0 to 185`));
    expect(make({ retryAttempts: -1 })).toThrow(new RegExp(`${at}retryAttempts -1 is out of range`));
    expect(make({ retryAttempts: 1.5 })).toThrow(new RegExp(`${at}retryAttempts 1.5 is out of range`));
  });

  test('maxEventAge from 60 seconds to 24 hours', () => {
    expect(make({ maxEventAge: Duration.seconds(30) })).toThrow(new RegExp(`${at}maxEventAge 30 seconds is out of range; use whole seconds from 60 to 86400`));
    expect(make({ maxEventAge: Duration.hours(25) })).toThrow(new RegExp(`${at}maxEventAge 1 day 1 hour is out of range`));
  });

  test('flexibleTimeWindow of 1–1440 whole minutes', () => {
    expect(make({ flexibleTimeWindow: Duration.seconds(30) })).toThrow(new RegExp(`${at}flexibleTimeWindow 30 seconds is out of range; use whole seconds from 60 to 86400`));
    expect(make({ flexibleTimeWindow: Duration.seconds(90) })).toThrow(new RegExp(`${at}flexibleTimeWindow 1 minute 30 seconds is not a whole number of minutes`));
    expect(make({ flexibleTimeWindow: Duration.days(2) })).toThrow(new RegExp(`${at}flexibleTimeWindow 2 days is out of range`));
  });

  test('deadLetterQueueRemovalPolicy only for the created queue', () => {
    const own = new sqs.Queue(stack, 'OwnQueue', { enforceSSL: true });
    expect(make({ deadLetterQueue: own, deadLetterQueueRemovalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(new RegExp(`${at}deadLetterQueueRemovalPolicy "destroy" only applies to the queue this construct creates`));
  });

  test('deadLetterQueueRemovalPolicy cannot be SNAPSHOT', () => {
    expect(make({ deadLetterQueueRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(new RegExp(`${at}deadLetterQueueRemovalPolicy "snapshot" is not allowed; use one of "retain", "destroy"`));
  });

  test('scheduleName: 1–64 letters, digits, - _ .', () => {
    expect(make({ scheduleName: 'nightly job' })).toThrow(new RegExp(`${at}scheduleName "nightly job" is not valid; use 1–64 letters`));
    expect(make({ scheduleName: 'x'.repeat(65) })).toThrow(new RegExp(`${at}scheduleName "x{65}" is not valid`));
  });

  test('scheduleName: unique in the schedule group, across the stacks of one account and region', () => {
    // GIVEN a schedule named nightly-cleanup
    make({ scheduleName: 'nightly-cleanup' })();
    // WHEN another ScheduledTask of the app takes the name THEN a named error
    expect(make({ scheduleName: 'nightly-cleanup' })).toThrow(new RegExp(
      `${at}scheduleName "nightly-cleanup" is already the EventBridge Scheduler schedule name of TestStack/Job\\d+, in the same stack: `
      + 'both deploy to the same schedule group "default", where the second one fails with "already exists"; give each a different scheduleName'));
    // A stack in another region has its own default group.
    const west = testStack(stack.node.root as any, 'West', { env: { account: '123456789012', region: 'eu-west-1' } });
    const westCluster = new ServiceCluster(west, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    new ScheduledTask(west, 'Job', { cluster: westCluster, image: IMAGE, schedule: NIGHTLY_BERLIN, scheduleName: 'nightly-cleanup' });
  });

  test('scheduleName shared with an environment-agnostic stack: a warning naming both, not an error', () => {
    // GIVEN a schedule named shared-sync in TestStack (account 123456789012, us-east-1)
    make({ scheduleName: 'shared-sync' })();
    // WHEN an environment-agnostic stack of the app takes the name
    const agnostic = new Stack(stack.node.root, 'Agnostic');
    const agnosticCluster = new ServiceCluster(agnostic, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    const job = new ScheduledTask(agnostic, 'Job', { cluster: agnosticCluster, image: IMAGE, schedule: NIGHTLY_BERLIN, scheduleName: 'shared-sync' });
    // THEN synth cannot know whether both land in one account and region: an acknowledgeable warning
    const warnings = job.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(new RegExp(
      '^scheduleName "shared-sync" of Agnostic/Job \\(any account, any region\\) is also the EventBridge Scheduler schedule name of TestStack/Job\\d+ \\(account 123456789012, us-east-1\\)\\. '
      + '.*the second deploy fails with "already exists" in the schedule group "default".*\\[ack: ecs-service-kit:possible-duplicate-name\\]$'))]);
  });

  test('description at most 512 characters', () => {
    expect(make({ description: 'd'.repeat(513) })).toThrow(new RegExp(`${at}description "d{20}"… \\(513 characters\\) is too long; use at most 512 characters`));
  });

  test('enabled must be a boolean', () => {
    expect(make({ enabled: 'false' as unknown as boolean })).toThrow(new RegExp(`${at}enabled "false" is not a boolean`));
  });
});

describe('ScheduledTask members', () => {
  test('the task definition, container, log group and cluster are one step away (no scheduled.task.task)', () => {
    const stack = new Stack(testApp(), 'Members', { env: { region: 'us-east-1' } });
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const job = new ScheduledTask(stack, 'Job', {
      cluster, image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'), schedule: TaskSchedule.rate(Duration.hours(1)),
    });
    expect(job.taskDefinition).toBe(job.oneOffTask.taskDefinition);
    expect(job.container).toBe(job.oneOffTask.container);
    expect(job.logGroup).toBe(job.oneOffTask.logGroup);
    expect(job.cluster).toBe(cluster);
  });

  test('the one-off task and its task definition construct have names that say what they are; the old names still work (deprecated)', () => {
    const stack = new Stack(testApp(), 'Names', { env: { region: 'us-east-1' } });
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const job = new ScheduledTask(stack, 'Job', {
      cluster, image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'), schedule: TaskSchedule.rate(Duration.hours(1)),
    });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated names are what this test checks
    expect(job.task).toBe(job.oneOffTask);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated names are what this test checks
    expect(job.oneOffTask.task).toBe(job.oneOffTask.serviceTaskDefinition);
    expect(job.oneOffTask.serviceTaskDefinition.taskDefinition).toBe(job.taskDefinition);
  });
});

describe('ScheduledTask with rerunFailedRuns and runTimeout: a state machine runs the task', () => {
  // GIVEN a nightly job on Fargate Spot that is re-run twice and stopped after 30 minutes (one synth)
  let stack: Stack;
  let job: ScheduledTask;
  let template: Template;
  let definition: string;
  beforeAll(() => {
    stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    // WHEN
    job = new ScheduledTask(stack, 'Nightly', {
      cluster, image: IMAGE, schedule: NIGHTLY_BERLIN, fargateSpot: true, rerunFailedRuns: 2, runTimeout: Duration.minutes(30),
    });
    template = Template.fromStack(stack);
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[logicalId(stack, job.stateMachine!)];
    // The definition as CloudFormation receives it: JSON text joined with the references.
    definition = machine.Properties.DefinitionString['Fn::Join'][1].filter((part: unknown) => typeof part === 'string').join('');
  });

  test('the schedule starts the state machine, which runs the task and waits for it to stop (ecs:runTask.sync)', () => {
    const schedule = template.findResources('AWS::Scheduler::Schedule')[logicalId(stack, job.schedule)];
    expect(schedule.Properties.Target.Arn).toEqual({ Ref: logicalId(stack, job.stateMachine!) });
    expect(definition).toMatch(/"Resource":"arn:[a-z-]*:states:::ecs:runTask\.sync"/);
  });

  test('a failed run is re-run after 10 s with backoff 1.5, as Copilot\'s Scheduled Jobs were, and the whole execution stops after 30 minutes', () => {
    expect(definition).toContain('"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"MaxAttempts":2,"BackoffRate":1.5}]');
    expect(definition).toContain('"TimeoutSeconds":1800');
  });

  test('the run keeps the task\'s capacity (Fargate Spot) and network', () => {
    expect(definition).toContain('"CapacityProviderStrategy":[{"CapacityProvider":"FARGATE_SPOT","Weight":1}]');
    expect(definition).toContain('"AssignPublicIp":"DISABLED"');
  });

  test('the scheduler may start only this state machine; the state machine may run the task and stop only this cluster\'s tasks', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, job.role) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: logicalId(stack, job.stateMachine!) } })]) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
        Condition: { ArnEquals: { 'ecs:cluster': Match.anyValue() } },
      })]) },
    });
  });

  test('the state machine logs every event to the task\'s log group, traced, and is created after its role\'s policy', () => {
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[logicalId(stack, job.stateMachine!)];
    expect(machine.Properties.LoggingConfiguration.Level).toBe('ALL');
    expect(machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn).toEqual({ 'Fn::GetAtt': [logicalId(stack, job.logGroup as any), 'Arn'] });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/RoleDefaultPolicy/)]));
  });

  test('on Fargate Spot the state machine, like the schedule, comes after the cluster\'s capacity provider associations (deleted after it: no re-run against a removed provider)', () => {
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[logicalId(stack, job.stateMachine!)];
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(machine.DependsOn).toEqual(expect.arrayContaining(associations));
  });

  test('AppMonitoring alarms on the executions that failed after their re-runs, timed out or were aborted', () => {
    const monitored = testStack(testApp());
    const cluster = new ServiceCluster(monitored, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    const nightly = new ScheduledTask(monitored, 'Nightly', { cluster, image: IMAGE, schedule: NIGHTLY_BERLIN, runTimeout: Duration.hours(1) });
    new AppMonitoring(monitored, 'Monitoring').addScheduledTask(nightly);
    const alarms = Template.fromStack(monitored).findResources('AWS::CloudWatch::Alarm');
    const alarm = Object.entries(alarms).find(([id]) => id.includes('FailedExecutions'))?.[1];
    expect(alarm?.Properties.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
  });
});

test('without rerunFailedRuns or runTimeout the schedule runs the task directly (no state machine); rerunFailedRuns 0 alone builds none either', () => {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  expect(new ScheduledTask(stack, 'Nightly', { cluster, image: IMAGE, schedule: NIGHTLY_BERLIN }).stateMachine).toBeUndefined();
  expect(new ScheduledTask(stack, 'Hourly', { cluster, image: IMAGE, schedule: TaskSchedule.rate(Duration.hours(1)), rerunFailedRuns: 0 }).stateMachine).toBeUndefined();
});

test('re-runs of a task with sidecars warn (any container that exits non-zero fails the run), and re-runs without a time limit say that destroy waits for a run', () => {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  new ScheduledTask(stack, 'Nightly', {
    cluster, image: IMAGE, schedule: NIGHTLY_BERLIN, rerunFailedRuns: 1,
    sidecars: [{ containerName: 'log-router', image: ServiceImage.fromRegistry('public.ecr.aws/aws-observability/aws-for-fluent-bit:stable') }],
  });
  const annotations = Annotations.fromStack(stack);
  annotations.hasWarning('/TestStack/Nightly', Match.stringLikeRegexp('rerunFailedRuns 1 re-runs a run whose task has any container that exits non-zero'));
  annotations.hasInfo('/TestStack/Nightly', Match.stringLikeRegexp('rerunFailedRuns without runTimeout: a run has no time limit, and `cdk destroy` waits'));
});

test.each([
  [{ rerunFailedRuns: 100 }, /rerunFailedRuns 100/],
  [{ rerunFailedRuns: -1 }, /rerunFailedRuns -1/],
  [{ runTimeout: Duration.days(400) }, /runTimeout/],
])('%j is refused, naming the prop', (props, message) => {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  expect(() => new ScheduledTask(stack, 'Nightly', { cluster, image: IMAGE, schedule: NIGHTLY_BERLIN, ...props })).toThrow(message);
});

test('update: turning rerunFailedRuns on (and off) changes the schedule\'s target in place, without an update hazard; destroy deletes the schedule before its state machine', () => {
  const version = (props: Partial<ScheduledTaskProps>) => {
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    new ScheduledTask(stack, 'Nightly', { cluster, image: IMAGE, schedule: NIGHTLY_BERLIN, ...props });
    return { TestStack: Template.fromStack(stack).toJSON() as any };
  };
  const without = version({});
  const withReruns = version({ rerunFailedRuns: 2, runTimeout: Duration.minutes(30) });
  expect(errorsOf(compareTemplates(without, withReruns)).map(describeHazard)).toEqual([]);
  expect(errorsOf(compareTemplates(withReruns, without)).map(describeHazard)).toEqual([]);
  const resources = withReruns.TestStack.Resources as Record<string, any>;
  const machineId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::StepFunctions::StateMachine')!;
  const schedule = Object.values(resources).find((r) => r.Type === 'AWS::Scheduler::Schedule');
  // The schedule refers to the state machine: CloudFormation deletes it first, so no run starts a deleted state machine.
  expect(schedule.Properties.Target.Arn).toEqual({ Ref: machineId });
  expect(resources[machineId].DeletionPolicy).toBe('Delete');
});
