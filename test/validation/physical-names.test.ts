import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { claimUniqueName, RETAINED_PHYSICAL_NAME_WARNING, warnRetainedPhysicalName } from '../../lib/validation/physical-names';
import { createWorkerQueue } from '../../lib/worker/worker-queue';
import { TEST_ENV, testApp, testStack } from '../util/test-app';

describe('warnRetainedPhysicalName', () => {
  test('warns for a fixed name on RETAIN and RETAIN_ON_UPDATE_OR_DELETE only', () => {
    const stack = testStack(testApp());
    const cases: Array<[string, string | undefined, RemovalPolicy]> = [
      ['Retain', 'a', RemovalPolicy.RETAIN],
      ['RetainOnDelete', 'b', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
      ['Destroy', 'c', RemovalPolicy.DESTROY],
      ['Generated', undefined, RemovalPolicy.RETAIN],
    ];
    new sqs.Queue(stack, 'AnyResource');
    for (const [id, name, policy] of cases) warnRetainedPhysicalName(new Construct(stack, id), 'thingName', name, policy, 'thing');
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Retain', Match.stringLikeRegexp(`thingName "a" names the thing.*already exists.*Annotation::${RETAINED_PHYSICAL_NAME_WARNING}`));
    annotations.hasWarning('/TestStack/RetainOnDelete', Match.stringLikeRegexp('RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE'));
    annotations.hasNoWarning('/TestStack/Destroy', Match.anyValue());
    annotations.hasNoWarning('/TestStack/Generated', Match.anyValue());
  });

  test('a name from a token is still a fixed name', () => {
    const stack = testStack(testApp());
    new sqs.Queue(stack, 'AnyResource');
    warnRetainedPhysicalName(new Construct(stack, 'X'), 'thingName', Token.asString({ Ref: 'AnyResource' }), RemovalPolicy.RETAIN, 'thing');
    Annotations.fromStack(stack).hasWarning('/TestStack/X', Match.stringLikeRegexp('thingName a fixed name names the thing'));
  });
});

describe('the worker queue shares the check', () => {
  test('queueName on the default (retained) queue: a warning naming both queues; acknowledgeable', () => {
    const stack = testStack(testApp());
    const worker = new Construct(stack, 'Worker');
    createWorkerQueue(worker, { queueName: 'jobs' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp(
      'queue.queueName "jobs" names the SQS queue \\(and its dead-letter queue "jobs-dlq"\\), which is kept when the stack is deleted \\(removalPolicy RemovalPolicy.RETAIN\\)'));

    const acknowledged = testStack(testApp());
    const other = new Construct(acknowledged, 'Worker');
    createWorkerQueue(other, { queueName: 'jobs' });
    Validations.of(other).acknowledge({ id: `Annotation::${RETAINED_PHYSICAL_NAME_WARNING}`, reason: 'Imported before re-creating.' });
    Annotations.fromStack(acknowledged).hasNoWarning('/TestStack/Worker', Match.anyValue());
  });

  test('no warning with DESTROY or without a name', () => {
    const stack = testStack(testApp());
    createWorkerQueue(new Construct(stack, 'Destroyed'), { queueName: 'jobs', removalPolicy: RemovalPolicy.DESTROY });
    createWorkerQueue(new Construct(stack, 'Generated'), {});
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(RETAINED_PHYSICAL_NAME_WARNING));
  });
});

describe('claimUniqueName', () => {
  const claim = (scope: Construct, name: string | undefined, namespace = 'registry') =>
    () => claimUniqueName(scope, 'thingName', name, 'thing name', namespace);

  test('a second claim in a stack that may share the environment fails, naming both', () => {
    const app = testApp();
    const stack = testStack(app);
    claim(new Construct(stack, 'A'), 'x')();
    expect(claim(new Construct(stack, 'B'), 'x')).toThrow(
      /^TestStack\/B: thingName "x" is already the thing name of TestStack\/A \(account 123456789012, us-east-1\); this stack \(account 123456789012, us-east-1\) may deploy to the same registry/);
    // Another namespace, another name, an unresolved name: no clash.
    claim(new Construct(stack, 'C'), 'x', 'other group')();
    claim(new Construct(stack, 'D'), 'y')();
    claim(new Construct(stack, 'E'), Token.asString({ Ref: 'P' }))();
    claim(new Construct(stack, 'F'), Token.asString({ Ref: 'P' }))();
  });

  test('known and different accounts or regions may share; unknown ones may not', () => {
    const app = testApp();
    claim(new Construct(testStack(app, 'East'), 'A'), 'x')();
    claim(new Construct(testStack(app, 'West', { env: { ...TEST_ENV, region: 'eu-west-1' } }), 'A'), 'x')();
    claim(new Construct(testStack(app, 'Other', { env: { ...TEST_ENV, account: '111111111111' } }), 'A'), 'x')();
    expect(claim(new Construct(new Stack(app, 'RegionOnly', { env: { region: 'eu-west-1' } }), 'A'), 'x'))
      .toThrow(/RegionOnly\/A: thingName "x" is already the thing name of West\/A \(account 123456789012, eu-west-1\); this stack \(any account, eu-west-1\)/);
  });
});
