import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStrategy } from '../../lib/deployment';
import { WebServiceOptions } from '../../lib/service';
import { fixture, webService } from './fixture';

function attempt(options: Partial<WebServiceOptions>): () => void {
  return () => webService(fixture(), 'Web', options);
}

const hook = (stages: ecs.DeploymentLifecycleStage[]) => {
  const f = fixture();
  return { f, hook: { handler: lambda.Function.fromFunctionArn(f.stack, 'Fn', 'arn:aws:lambda:us-east-1:123456789012:function:h'), stages } };
};

describe('deployment strategy validation (what ECS and CloudFormation refuse)', () => {
  test.each([
    ['canary percent below 0.1', DeploymentStrategy.canary({ percent: 0.05 }), /canary percent\) 0.05 is out of range/],
    ['canary percent above 100', DeploymentStrategy.canary({ percent: 101 }), /canary percent\) 101 is out of range/],
    ['canary percent not a multiple of 0.1', DeploymentStrategy.canary({ percent: 5.25 }), /5.25 is not a multiple of 0.1/],
    ['linear step below 3', DeploymentStrategy.linear({ stepPercent: 2 }), /linear stepPercent\) 2 is out of range/],
    // 63.3 / 0.1 = 632.9999999999999: cfn-lint (E3002) and JSON Schema validators refuse it (found by the fuzz sample).
    ['linear step a JSON Schema validator reads as no multiple of 0.1', DeploymentStrategy.linear({ stepPercent: 63.3 }),
      /linear stepPercent\) 63.3 is 633 tenths, but 63.3 \/ 0.1 is 632.9999999999999 in binary floating point, so JSON Schema validators .* refuse it as not a multiple of 0.1; use a value they accept, e.g. 63.2 or 63.4/],
    ['step bake not whole minutes', DeploymentStrategy.canary({ stepBakeTime: Duration.seconds(90) }), /stepBakeTime\) 1 minute 30 seconds is not a whole number of minutes/],
    ['step bake over 24 hours', DeploymentStrategy.linear({ stepBakeTime: Duration.hours(25) }), /stepBakeTime\) 1 day 1 hour is out of range; use whole minutes from 0 to 1440/],
    ['bake over 24 hours', DeploymentStrategy.blueGreen({ bakeTime: Duration.hours(25) }), /\(bakeTime\) 1 day 1 hour is out of range/],
    ['canary over 33 hours in total', DeploymentStrategy.canary({ stepBakeTime: Duration.hours(24), bakeTime: Duration.hours(10) }), /stepBakeTime \+ bakeTime\) "2040 minutes" is more than CloudFormation allows/],
    ['test port out of range', DeploymentStrategy.blueGreen({ testPort: 70000 }), /testPort\) 70000 is out of range/],
  ])('%s fails, naming the prop', (_name, strategy, message) => {
    expect(attempt({ deployment: { strategy } })).toThrow(message);
  });

  test.each([5, 12.5, 0.1, 33.5, 100])('a percent validators accept (%s) passes', (percent) => {
    expect(attempt({ deployment: { strategy: DeploymentStrategy.canary({ percent }) } })).not.toThrow();
  });

  test('a linear deployment over 33 hours (CloudFormation counts 100 / step - 1 steps when the step divides 100) fails by name', () => {
    // 3 % steps: floor(100 / 3) = 33 steps × 60 min + 5 min bake = 1985 minutes
    expect(attempt({ deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 3, stepBakeTime: Duration.hours(1) }) } }))
      .toThrow(/deployment\.strategy \(bakeTime \+ stepBakeTime × steps\) "1985 minutes" is more than CloudFormation allows for a linear deployment \(33 steps of 3 % with 60-minute step bakes/);
    // 4 % steps divide 100: 24 steps × 80 min + 60 min bake = 1980 minutes, allowed
    expect(attempt({ deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 4, stepBakeTime: Duration.minutes(80), bakeTime: Duration.hours(1) }) } })).not.toThrow();
  });

  test('request-count scaling with a traffic-shifting strategy fails by name: it would follow one of the two target groups', () => {
    expect(attempt({ deployment: { strategy: DeploymentStrategy.canary() }, scaling: { minCapacity: 1, maxCapacity: 4, requestsPerTarget: 500 } }))
      .toThrow(/scaling\.requestsPerTarget 500 cannot be combined with the CANARY strategy: ECS moves traffic between two target groups/);
    expect(attempt({ scaling: { minCapacity: 1, maxCapacity: 4, requestsPerTarget: 500 } })).not.toThrow();
  });

  test('exactly 33 hours of canary is allowed', () => {
    expect(attempt({ deployment: { strategy: DeploymentStrategy.canary({ stepBakeTime: Duration.hours(24), bakeTime: Duration.hours(9) }) } })).not.toThrow();
  });
});

describe('deployment alarm validation', () => {
  test.each([
    ['errorRatePercent', { errorRatePercent: 0 }, /deployment\.alarms\.errorRatePercent 0 is out of range/],
    ['minimumRequestsPerMinute', { minimumRequestsPerMinute: 0 }, /deployment\.alarms\.minimumRequestsPerMinute 0 is out of range/],
    ['evaluationPeriods', { evaluationPeriods: 11 }, /deployment\.alarms\.evaluationPeriods 11 is out of range/],
    ['evaluationPeriods', { evaluationPeriods: 1 }, /deployment\.alarms\.evaluationPeriods 1 is out of range/],
    ['datapointsToAlarm', { datapointsToAlarm: 0 }, /deployment\.alarms\.datapointsToAlarm 0 is out of range/],
    ['maxMessageAge', { maxMessageAge: Duration.seconds(30) }, /deployment\.alarms\.maxMessageAge 30 seconds is out of range/],
  ])('%s out of range fails', (_name, alarms, message) => {
    expect(attempt({ deployment: { alarms } })).toThrow(message);
  });

  test.each([
    [{ evaluationPeriods: 2, datapointsToAlarm: 2 }, 180, 120],
    [{ datapointsToAlarm: 5 }, 360, 300],
    [{ evaluationPeriods: 4, datapointsToAlarm: 4 }, 300, 240],
  ])('%j: an alarm that needs %d s cannot go off in the %d s ECS watches, so synth fails by name', (alarms, needs, watches) => {
    expect(attempt({ deployment: { alarms } })).toThrow(new RegExp(`deployment\\.alarms\\.datapointsToAlarm \\d+ with evaluationPeriods \\d+ needs ${needs} s to go off.*longer than the ${watches} s ECS watches`));
  });

  test('2 of 3 minutes fits exactly (180 s in 180 s) and passes', () => {
    expect(attempt({ deployment: { alarms: { evaluationPeriods: 3 } } })).not.toThrow();
  });
});

describe('lifecycle hook validation', () => {
  test('hooks on a rolling service fail: the stages are those of canary, linear and blue/green', () => {
    const { f, hook: h } = hook([ecs.DeploymentLifecycleStage.PRE_SCALE_UP]);
    expect(() => webService(f, 'Web', { deployment: { lifecycleHooks: [h] } })).toThrow(/lifecycleHooks\[0\]\.stages \["PRE_SCALE_UP"\] are stages of canary, linear and blue\/green/);
  });

  test('no stage fails', () => {
    const { f, hook: h } = hook([]);
    expect(() => webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.canary(), lifecycleHooks: [h] } })).toThrow(/lifecycleHooks\[0\]\.stages \[\] is empty/);
  });

  test('a stage twice fails', () => {
    const { f, hook: h } = hook([ecs.DeploymentLifecycleStage.PRE_SCALE_UP, ecs.DeploymentLifecycleStage.PRE_SCALE_UP]);
    expect(() => webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.canary(), lifecycleHooks: [h] } })).toThrow(/"PRE_SCALE_UP" is given twice/);
  });

  test('an unknown stage fails', () => {
    const { f, hook: h } = hook(['LATER' as ecs.DeploymentLifecycleStage]);
    expect(() => webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.canary(), lifecycleHooks: [h] } })).toThrow(/"LATER" is not a deployment lifecycle stage/);
  });

  test('a test-traffic stage without a test listener fails', () => {
    const { f, hook: h } = hook([ecs.DeploymentLifecycleStage.TEST_TRAFFIC_SHIFT]);
    expect(() => webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [h] } })).toThrow(/"TEST_TRAFFIC_SHIFT" runs when test traffic shifts, but the service has no test listener/);
  });
});

describe('modern service settings', () => {
  test('AZ rebalancing is on by default', () => {
    const f = fixture();
    webService(f, 'Web');
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', { AvailabilityZoneRebalancing: 'ENABLED' });
  });

  test('AZ rebalancing is off with maxHealthyPercent 100 (ECS refuses it there)', () => {
    const f = fixture();
    webService(f, 'Web', { minHealthyPercent: 50, maxHealthyPercent: 100 });
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', { AvailabilityZoneRebalancing: 'DISABLED' });
  });

  test('AZ rebalancing asked for with maxHealthyPercent 100 fails, naming the prop', () => {
    expect(attempt({ minHealthyPercent: 50, maxHealthyPercent: 100, availabilityZoneRebalancing: true }))
      .toThrow(/availabilityZoneRebalancing true needs room to start a task before stopping one/);
  });

  test('AZ rebalancing can be turned off', () => {
    const f = fixture();
    webService(f, 'Web', { availabilityZoneRebalancing: false });
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', { AvailabilityZoneRebalancing: 'DISABLED' });
  });

  test('the container restart policy reaches the container definition', () => {
    const f = fixture();
    webService(f, 'Web', { restartPolicy: { ignoredExitCodes: [0], attemptPeriod: Duration.seconds(120) } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ RestartPolicy: { Enabled: true, IgnoredExitCodes: [0], RestartAttemptPeriod: 120 } })],
    });
  });

  test('no restart policy unless asked', () => {
    const f = fixture();
    webService(f, 'Web');
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ RestartPolicy: Match.absent() })],
    });
  });

  test('a restart attempt period under 60 s fails', () => {
    expect(attempt({ restartPolicy: { attemptPeriod: Duration.seconds(30) } })).toThrow(/restartPolicy\.attemptPeriod 30 seconds is out of range/);
  });

  test('more than 50 ignored exit codes fail', () => {
    expect(attempt({ restartPolicy: { ignoredExitCodes: Array.from({ length: 51 }, (_, i) => i) } })).toThrow(/restartPolicy\.ignoredExitCodes 51 exit codes/);
  });

  test('versionConsistency is left at ECS\'s default (digest resolution): the template does not set it', () => {
    const f = fixture();
    webService(f, 'Web');
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ VersionConsistency: Match.absent() })],
    });
  });
});
