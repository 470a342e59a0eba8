import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EventTopic } from '../../lib/pubsub';
import { ConfigurationErrors } from '../../lib';
import { controlTowerFindings } from '../util/control-tower';
import { testStack } from '../util/test-app';

describe('EventTopic with defaults', () => {
  // GIVEN a stack with one EventTopic and nothing else (one synth)
  let stack: Stack;
  let topic: EventTopic;
  let template: Template;
  beforeAll(() => {
    stack = testStack();
    // WHEN
    topic = new EventTopic(stack, 'OrderEvents');
    template = Template.fromStack(stack);
  });

  test('a standard topic, encrypted with its own customer-managed key with rotation', () => {
    // THEN
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, PendingWindowInDays: 7 });
    const [topicResource] = Object.values(template.findResources('AWS::SNS::Topic'));
    expect(topicResource.Properties.FifoTopic).toBeUndefined();
    expect(topicResource.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(topic.encryptionKey!.node.defaultChild as any), 'Arn'] });
    expect(topic.fifo).toBe(false);
  });

  test('the key lets only AWS services create grants, for AWS resources (AWS Control Tower CT.KMS.PR.3); SNS needs no grant', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenyGrantsExceptByAwsServicesForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      })]) },
    });
    expect(controlTowerFindings(stack, 'CT.KMS.PR.3')).toEqual([]);
  });

  test('TLS only: the topic policy denies publishing without aws:SecureTransport', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  test('cdk destroy: the topic, its key and its TLS-only policy stay (a kept topic needs its key to take messages)', () => {
    template.hasResource('AWS::SNS::Topic', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // The TLS-only policy stays with it: without it SNS would admit publishing without TLS.
    template.hasResource('AWS::SNS::TopicPolicy', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('publishers find the ARN in a variable named after the construct id', () => {
    expect(topic.arnVariableName).toBe('ORDER_EVENTS_TOPIC_ARN');
    expect(new EventTopic(stack, 'SQSJobs2').arnVariableName).toBe('SQS_JOBS2_TOPIC_ARN');
  });

  test('no named export unless asked', () => {
    expect(Object.keys(template.toJSON().Outputs ?? {})).toEqual([]);
  });
});

describe('EventTopic options', () => {
  test('FIFO with content-based deduplication and a fixed name', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    const topic = new EventTopic(stack, 'Orders', { fifo: true, contentBasedDeduplication: true, topicName: 'orders.fifo', removalPolicy: RemovalPolicy.DESTROY });
    // THEN
    expect(topic.fifo).toBe(true);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: true, TopicName: 'orders.fifo' });
    // opted out of retention: both go on delete, no retained-name warning
    template.hasResource('AWS::SNS::Topic', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('retained-physical-name'));
  });

  test('a FIFO topic without a name gets a fixed name from aws-cdk-lib ending in .fifo, so a retained one warns as a fixed name does (review finding)', () => {
    const stack = testStack();
    new EventTopic(stack, 'Orders', { fifo: true });
    const [topic] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::Topic'));
    expect(topic.Properties.TopicName).toMatch(/\.fifo$/);
    Annotations.fromStack(stack).hasWarning('/TestStack/Orders', Match.stringLikeRegexp('A FIFO topic gets a fixed name from aws-cdk-lib.*fails with "already exists"'));
  });

  test('a FIFO topic deleted with its stack does not warn', () => {
    const stack = testStack();
    new EventTopic(stack, 'Orders', { fifo: true, removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Orders', Match.stringLikeRegexp('retained-physical-name'));
  });

  test('a fixed name on a retained topic warns (re-creating the stack would fail "already exists")', () => {
    const stack = testStack();
    new EventTopic(stack, 'Orders', { topicName: 'orders' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Orders', Match.stringLikeRegexp('ecs-service-kit:retained-physical-name'));
  });

  test('a given key is used and no key is created; exportName makes a named output', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'SharedKey');
    const topic = new EventTopic(stack, 'Orders', { encryptionKey: key, exportName: 'orders-topic-arn', arnVariableName: 'ORDERS' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(topic.encryptionKey).toBe(key);
    expect(topic.arnVariableName).toBe('ORDERS');
    template.hasOutput('*', { Export: { Name: 'orders-topic-arn' }, Value: { Ref: stack.getLogicalId(topic.topic.node.defaultChild as any) } });
  });

  test.each([
    [{ fifo: true, topicName: 'orders' }, /topicName "orders" names a FIFO topic without the "\.fifo" suffix/],
    [{ topicName: 'orders.fifo' }, /topicName "orders\.fifo" ends in "\.fifo", which SNS reserves for FIFO topics/],
    [{ topicName: 'has space' }, /topicName "has space" is not valid/],
    [{ topicName: 'x'.repeat(257) }, /topicName "x+" is not valid/],
    [{ contentBasedDeduplication: true }, /contentBasedDeduplication true applies to FIFO topics only/],
    [{ arnVariableName: 'orders-arn' }, /arnVariableName "orders-arn" is not valid/],
    [{ removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy "snapshot" is not allowed/],
  ])('bad input %j is a ConfigurationError naming the prop', (props, message) => {
    const stack = testStack();
    let error: unknown;
    try {
      new EventTopic(stack, 'T', props);
    } catch (e) {
      error = e;
    }
    expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
    expect(String(error)).toMatch(message);
  });
});

describe('EventTopic.fromTopicArn', () => {
  test('FIFO is read from a literal ARN; the key is kept for the publish grant', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const fifo = EventTopic.fromTopicArn(stack, 'Fifo', 'arn:aws:sns:us-east-1:111122223333:orders.fifo', { encryptionKey: key });
    const standard = EventTopic.fromTopicArn(stack, 'PaymentEvents', 'arn:aws:sns:us-east-1:111122223333:payments');
    expect(fifo.fifo).toBe(true);
    expect(fifo.encryptionKey).toBe(key);
    expect(fifo.topicName).toBe('orders.fifo');
    expect(standard.fifo).toBe(false);
    expect(standard.arnVariableName).toBe('PAYMENT_EVENTS_TOPIC_ARN');
  });

  test('an ARN from Fn.importValue: fifo as given', () => {
    const stack = testStack();
    const topic = EventTopic.fromTopicArn(stack, 'Imported', Fn.importValue('orders-topic-arn'), { fifo: true });
    expect(topic.fifo).toBe(true);
  });

  test('a malformed ARN, or fifo contradicting the ARN, is a ConfigurationError', () => {
    const stack = testStack();
    expect(() => EventTopic.fromTopicArn(stack, 'A', 'arn:aws:sqs:us-east-1:111122223333:queue')).toThrow(/A: topicArn "arn:aws:sqs:.*" is not an SNS topic ARN/);
    expect(() => EventTopic.fromTopicArn(stack, 'B', 'arn:aws:sns:us-east-1:111122223333:orders', { fifo: true }))
      .toThrow(/B: fifo true contradicts the topic ARN/);
  });
});
