import { NestedStack, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { claimUniqueName, POSSIBLE_DUPLICATE_NAME_WARNING, RETAINED_PHYSICAL_NAME_WARNING, warnRetainedPhysicalName } from '../../lib/validation/unique-names';
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
  /** A stack that synthesizes (strict validation wants a resource), with a construct to claim from. */
  const site = (stack: Stack, id = 'A') => {
    new sqs.Queue(stack, `${id}Queue`, { enforceSSL: true });
    return new Construct(stack, id);
  };
  const possible = Match.stringLikeRegexp(POSSIBLE_DUPLICATE_NAME_WARNING);

  test('a second claim in the same stack (same known account and region) fails, naming both', () => {
    const app = testApp();
    const stack = testStack(app);
    claim(new Construct(stack, 'A'), 'x')();
    expect(claim(new Construct(stack, 'B'), 'x')).toThrow(
      /^TestStack\/B: thingName "x" is already the thing name of TestStack\/A, in the same stack: both deploy to the same registry, where the second one fails with "already exists"; give each a different thingName/);
    // Another namespace, another name, an unresolved name: no clash.
    claim(new Construct(stack, 'C'), 'x', 'other group')();
    claim(new Construct(stack, 'D'), 'y')();
    claim(new Construct(stack, 'E'), Token.asString({ Ref: 'P' }))();
    claim(new Construct(stack, 'F'), Token.asString({ Ref: 'P' }))();
  });

  test('two stacks with the same known account and region: an error', () => {
    const app = testApp();
    claim(new Construct(testStack(app, 'One'), 'A'), 'x')();
    expect(claim(new Construct(testStack(app, 'Two'), 'A'), 'x')).toThrow(
      /^Two\/A: thingName "x" is already the thing name of One\/A, in the same account and region \(account 123456789012, us-east-1\): both deploy to the same registry/);
  });

  test('known and different accounts or regions may share, without a message', () => {
    const app = testApp();
    const east = testStack(app, 'East');
    const west = testStack(app, 'West', { env: { ...TEST_ENV, region: 'eu-west-1' } });
    const other = testStack(app, 'Other', { env: { ...TEST_ENV, account: '111111111111' } });
    // Known account, unknown region, but another account than East's: never the same registry.
    const otherAccount = new Stack(app, 'OtherAccount', { env: { account: '222222222222' } });
    for (const stack of [east, west, other, otherAccount]) claim(site(stack), 'x')();
    for (const stack of [east, west, other, otherAccount]) Annotations.fromStack(stack).hasNoWarning('*', possible);
  });

  test('an environment-agnostic stack and a known one: a warning naming both paths, not an error', () => {
    const app = testApp();
    const known = testStack(app, 'Known');
    const agnostic = new Stack(app, 'Agnostic');
    claim(site(known), 'x')();
    claim(site(agnostic), 'x')();
    Annotations.fromStack(agnostic).hasWarning('/Agnostic/A', Match.stringLikeRegexp(
      'thingName "x" of Agnostic/A \\(any account, any region\\) is also the thing name of Known/A \\(account 123456789012, us-east-1\\)\\. '
      + 'An environment-agnostic stack is involved.*if they land in one .*the second deploy fails with "already exists" in the registry'
      + `.*Annotation::${POSSIBLE_DUPLICATE_NAME_WARNING}`));
    Annotations.fromStack(known).hasNoWarning('*', possible);
  });

  test('two environment-agnostic stacks, or one with only a known region: a warning', () => {
    const app = testApp();
    claim(site(new Stack(app, 'First')), 'x')();
    const second = new Stack(app, 'Second');
    claim(site(second), 'x')();
    Annotations.fromStack(second).hasWarning('/Second/A', Match.stringLikeRegexp('is also the thing name of First/A \\(any account, any region\\)'));

    claim(site(testStack(app, 'West', { env: { ...TEST_ENV, region: 'eu-west-1' } })), 'y')();
    const regionOnly = new Stack(app, 'RegionOnly', { env: { region: 'eu-west-1' } });
    claim(site(regionOnly), 'y')();
    Annotations.fromStack(regionOnly).hasWarning('/RegionOnly/A', Match.stringLikeRegexp(
      'thingName "y" of RegionOnly/A \\(any account, eu-west-1\\) is also the thing name of West/A \\(account 123456789012, eu-west-1\\)'));
  });

  test('the warning is acknowledgeable by its id', () => {
    const app = testApp();
    claim(site(testStack(app, 'Known')), 'x')();
    const agnostic = new Stack(app, 'Agnostic');
    const scope = site(agnostic);
    claim(scope, 'x')();
    Validations.of(scope).acknowledge({ id: `Annotation::${POSSIBLE_DUPLICATE_NAME_WARNING}`, reason: 'Agnostic deploys to the staging account only.' });
    Annotations.fromStack(agnostic).hasNoWarning('*', possible);
  });

  test('within one environment-agnostic stack (and its nested stacks) the clash is sure: an error', () => {
    const app = testApp();
    const agnostic = new Stack(app, 'Agnostic');
    claim(new Construct(agnostic, 'A'), 'x')();
    expect(claim(new Construct(agnostic, 'B'), 'x')).toThrow(
      /^Agnostic\/B: thingName "x" is already the thing name of Agnostic\/A, in the same stack/);
    const nested = new NestedStack(agnostic, 'Nested');
    expect(claim(new Construct(nested, 'C'), 'x')).toThrow(
      /^Agnostic\/Nested\/C: thingName "x" is already the thing name of Agnostic\/A, in the same stack/);
  });
});
