import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceImage } from '../../lib/image';
import { ServiceTaskDefinition } from '../../lib/task-definition';
import {
  checkDurationSeconds, checkExclusive, checkOneOf, checkPattern, checkPort, checkRange, ConfigurationError,
  ConfigurationErrors, fail, formatValue,
} from '../../lib/validation';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('ConfigurationError and ConfigurationErrors', () => {
  test('a validation error is a ConfigurationError naming path, prop, value and what is allowed', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    const error = errorOf(() => new ServiceTaskDefinition(stack, 'Task', { image: NGINX, cpu: 256, memoryMiB: 4096 }));
    // THEN
    expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
    expect(ConfigurationErrors.propOf(error)).toBe('cpu');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toBeInstanceOf(Error);
    expect((error as ConfigurationError).constructPath).toBe('TestStack/Task');
    expect((error as ConfigurationError).value).toBe('256 with memoryMiB 4096');
    expect((error as ConfigurationError).name).toBe('ConfigurationError');
    expect((error as Error).message).toBe('TestStack/Task: cpu 256 with memoryMiB 4096 is not a Fargate size; with cpu 256 use memoryMiB 512, 1024 or 2048');
  });

  test('a plain Error, a string and undefined are not configuration errors', () => {
    expect(ConfigurationErrors.isConfigurationError(new Error('TestStack/Task: cpu 1 is out of range; use 256'))).toBe(false);
    expect(ConfigurationErrors.isConfigurationError('TestStack/Task: cpu')).toBe(false);
    expect(ConfigurationErrors.isConfigurationError(undefined)).toBe(false);
    expect(ConfigurationErrors.propOf(new Error('x'))).toBeUndefined();
  });
});

describe('checks.ts helpers', () => {
  // GIVEN a scope and unresolved values of each kind
  let stack: Stack;
  let tokenNumber: number;
  let tokenString: string;
  beforeAll(() => {
    stack = new Stack(undefined, 'Checks');
    const parameter = new CfnParameter(stack, 'Param', { type: 'Number' });
    tokenNumber = parameter.valueAsNumber;
    tokenString = new CfnParameter(stack, 'Name').valueAsString;
  });

  test('fail names the construct path, prop and formatted value', () => {
    expect(() => fail(stack, 'names', ['a', 1], 'are wrong', 'use b')).toThrow('Checks: names ["a", 1] are wrong; use b');
  });

  test('checkRange: throws outside the range or for non-integers, skips tokens', () => {
    expect(() => checkRange(stack, 'count', 11, 1, 10)).toThrow('Checks: count 11 is out of range; use an integer from 1 to 10');
    expect(() => checkRange(stack, 'count', 1.5, 1, 10)).toThrow('Checks: count 1.5 is out of range');
    expect(() => checkRange(stack, 'count', NaN, 1, 10)).toThrow('Checks: count NaN is out of range');
    expect(() => checkRange(stack, 'ratio', 1.5, 1, 10, { integer: false })).not.toThrow();
    expect(() => checkRange(stack, 'count', undefined, 1, 10)).not.toThrow();
    expect(Token.isUnresolved(tokenNumber)).toBe(true);
    expect(() => checkRange(stack, 'count', tokenNumber, 1, 10)).not.toThrow();
    expect(() => checkPort(stack, 'port', 0)).toThrow('Checks: port 0 is out of range; use an integer from 1 to 65535');
    expect(() => checkPort(stack, 'port', tokenNumber)).not.toThrow();
  });

  test('checkDurationSeconds: whole seconds in range, skips tokens', () => {
    expect(() => checkDurationSeconds(stack, 'delay', Duration.seconds(11), 0, 10)).toThrow('Checks: delay 11 seconds is out of range; use whole seconds from 0 to 10');
    expect(() => checkDurationSeconds(stack, 'delay', Duration.millis(500), 0, 10)).toThrow('Checks: delay 500 millis is out of range');
    expect(() => checkDurationSeconds(stack, 'delay', 5 as any, 0, 10)).toThrow('Checks: delay 5 is not a Duration');
    expect(() => checkDurationSeconds(stack, 'delay', Duration.seconds(tokenNumber), 0, 10)).not.toThrow();
  });

  test('checkPattern, checkOneOf, checkExclusive: throw on bad values, skip tokens', () => {
    expect(() => checkPattern(stack, 'name', 'a b', /^\S+$/, 'no spaces')).toThrow('Checks: name "a b" is not valid; no spaces');
    expect(() => checkPattern(stack, 'name', tokenString, /^\S+$/, 'no spaces')).not.toThrow();
    expect(() => checkOneOf(stack, 'mode', 'c', ['a', 'b'])).toThrow('Checks: mode "c" is not allowed; use one of "a", "b"');
    expect(() => checkOneOf(stack, 'mode', tokenString, ['a', 'b'])).not.toThrow();
    expect(() => checkExclusive(stack, 'tag', 'v1', 'digest', 'sha256:x')).toThrow('Checks: tag "v1" cannot be combined with digest');
    expect(() => checkExclusive(stack, 'tag', 'v1', 'digest', undefined)).not.toThrow();
  });

  test('formatValue renders values as the user wrote them', () => {
    expect(formatValue('x')).toBe('"x"');
    expect(formatValue(Duration.minutes(2))).toBe('2 minutes');
    expect(formatValue([1, 'a'])).toBe('[1, "a"]');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue(undefined)).toBe('undefined');
  });
});

describe('unresolved props are left to deploy time', () => {
  test('cpu and memory from CloudFormation parameters synthesize', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cpu = Token.asNumber(new CfnParameter(stack, 'Cpu', { type: 'Number', default: 256 }).valueAsNumber);
    const memoryMiB = new CfnParameter(stack, 'Memory', { type: 'Number', default: 512 }).valueAsNumber;
    // WHEN
    new ServiceTaskDefinition(stack, 'Task', {
      image: NGINX,
      cpu,
      memoryMiB,
      cpuReservation: 128,
      memoryLimitMiB: 256,
      sidecars: [{ containerName: 'agent', image: NGINX, cpuReservation: 64 }],
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: { Ref: 'Cpu' },
      Memory: { Ref: 'Memory' },
    });
  });
});
