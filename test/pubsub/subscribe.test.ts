import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ConfigurationErrors } from '../../lib';
import { ServiceCluster } from '../../lib/cluster';
import { compareTemplates, replacedResources } from '../../lib/deploy-checks/update-hazards';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { EventTopic, EventTopicProps, IEventTopic, TopicSubscriptionOptions } from '../../lib/pubsub';
import { WebService } from '../../lib/service';
import { WorkerService, WorkerServiceProps } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36');

function clusterIn(stack: Stack): ServiceCluster {
  return new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
}

function worker(stack: Stack, cluster: ServiceCluster, id = 'Worker', props: Partial<WorkerServiceProps> = {}): WorkerService {
  return new WorkerService(stack, id, { cluster, image: IMAGE, queue: {}, ...props });
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

function resourcesOfType(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

describe('a worker subscribes to a topic of another stack; a web service publishes to it', () => {
  // GIVEN a topic stack and a services stack (one synth of each)
  let app: App;
  let events: Stack;
  let services: Stack;
  let topic: EventTopic;
  let web: WebService;
  let consumer: WorkerService;
  let subscription: sns.Subscription;
  let servicesTemplate: Template;
  let eventsTemplate: Template;
  beforeAll(() => {
    app = testApp();
    events = testStack(app, 'Events');
    services = testStack(app, 'Services');
    topic = new EventTopic(events, 'OrderEvents');
    const cluster = clusterIn(services);
    const loadBalancer = new ServiceLoadBalancer(services, 'LB', { vpc: cluster.vpc });
    // WHEN
    web = new WebService(services, 'Web', { cluster, loadBalancer, image: IMAGE });
    web.publishTo(topic);
    consumer = worker(services, cluster);
    subscription = consumer.subscribe(topic, {
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order-placed', 'order-cancelled'] }) },
    });
    servicesTemplate = Template.fromStack(services);
    eventsTemplate = Template.fromStack(events);
  });

  test('the subscription lives in the worker\'s stack, the topic stays alone in its own', () => {
    // THEN
    servicesTemplate.resourceCountIs('AWS::SNS::Subscription', 1);
    eventsTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(services.dependencies).toContain(events);
    servicesTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [logicalId(services, consumer.queue as sqs.Queue), 'Arn'] },
      TopicArn: { 'Fn::ImportValue': Match.stringLikeRegexp('^Events:ExportsOutputRefOrderEventsTopic') },
      FilterPolicy: { eventType: ['order-placed', 'order-cancelled'] },
      // The envelope by default: it names the topic.
      RawMessageDelivery: false,
    });
  });

  test('the queue policy lets sns.amazonaws.com send from this topic only', () => {
    const [, policy] = resourcesOfType(servicesTemplate, 'AWS::SQS::QueuePolicy')
      .find(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: logicalId(services, consumer.queue as sqs.Queue) }]))!;
    const [, sub] = resourcesOfType(servicesTemplate, 'AWS::SNS::Subscription')[0];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Action: 'sqs:SendMessage',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Resource: { 'Fn::GetAtt': [logicalId(services, consumer.queue as sqs.Queue), 'Arn'] },
      // the topic's ARN, imported from the topic's stack
      Condition: { ArnEquals: { 'aws:SourceArn': sub.Properties.TopicArn } },
    });
    expect(sub.Properties.TopicArn).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^Events:ExportsOutputRefOrderEventsTopic/) });
  });

  test('create order: the subscription waits for the queue policy and the dead-letter queue policy (SNS confirms at once; a message sent before the policy exists is refused)', () => {
    const [, sub] = resourcesOfType(servicesTemplate, 'AWS::SNS::Subscription')[0];
    const queuePolicyIds = resourcesOfType(servicesTemplate, 'AWS::SQS::QueuePolicy').map(([id]) => id);
    expect(queuePolicyIds).toHaveLength(2);
    expect([...sub.DependsOn].sort()).toEqual([...queuePolicyIds].sort());
  });

  test('undeliverable messages go to the worker\'s dead-letter queue, whose policy admits this topic', () => {
    const dlqId = logicalId(services, consumer.deadLetterQueue!);
    servicesTemplate.hasResourceProperties('AWS::SNS::Subscription', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } });
    servicesTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'sns.amazonaws.com' } })]) },
    });
  });

  test('the worker\'s queues stay SQS-managed (SSE-SQS): no key, so no key policy for SNS to need', () => {
    servicesTemplate.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(resourcesOfType(servicesTemplate, 'AWS::SQS::Queue').every(([, q]) => q.Properties.KmsMasterKeyId === undefined)).toBe(true);
  });

  test('the publisher may sns:Publish and use the topic key, and finds the ARN in ORDER_EVENTS_TOPIC_ARN', () => {
    servicesTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(services, web.taskDefinition.taskRole) }],
      PolicyDocument: {
        Statement: [
          { Action: 'sns:Publish', Effect: 'Allow', Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('OrderEventsTopic') } },
          { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('OrderEventsKey') } },
        ],
      },
    });
    servicesTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Environment: [{ Name: 'ORDER_EVENTS_TOPIC_ARN', Value: { 'Fn::ImportValue': Match.stringLikeRegexp('OrderEventsTopic') } }] })],
    });
  });

  test('the worker itself gets no publish permission by subscribing', () => {
    const workerPolicies = resourcesOfType(servicesTemplate, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalId(services, consumer.taskDefinition.taskRole as any) }]));
    expect(JSON.stringify(workerPolicies)).not.toContain('sns:');
  });

  test('cdk destroy of the services stack: the subscription is deleted, the queues stay; the topic stack keeps its topic and key', () => {
    const [, sub] = resourcesOfType(servicesTemplate, 'AWS::SNS::Subscription')[0];
    expect(sub.DeletionPolicy).toBeUndefined();
    servicesTemplate.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
    eventsTemplate.allResources('AWS::SNS::Topic', { DeletionPolicy: 'Retain' });
    expect(subscription.node.scope).toBe(consumer.queue);
  });
});

describe('subscription options', () => {
  test('a message-body filter sets FilterPolicyScope MessageBody; raw delivery on request', () => {
    // GIVEN
    const stack = testStack();
    const topic = new EventTopic(stack, 'Events');
    const w = worker(stack, clusterIn(stack));
    // WHEN
    w.subscribe(topic, {
      rawMessageDelivery: true,
      filterPolicyWithMessageBody: {
        order: sns.FilterOrPolicy.policy({ total: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThan: 100 })) }),
      },
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { order: { total: [{ numeric: ['>', 100] }] } },
      RawMessageDelivery: true,
    });
  });

  test('a queue with a customer-managed key: its key policy lets SNS use it, from this topic only', () => {
    const stack = testStack();
    const topic = new EventTopic(stack, 'Events');
    const key = new kms.Key(stack, 'QueueKey');
    const w = worker(stack, clusterIn(stack), 'Worker', { queue: { encryptionKey: key } });
    w.subscribe(topic);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(stack, topic.topic) } } },
        })]),
      },
    });
  });

  test('a queue with an imported key: a warning says which key policy statement SNS needs', () => {
    const stack = testStack();
    const topic = new EventTopic(stack, 'Events');
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const w = worker(stack, clusterIn(stack), 'Worker', { queue: { encryptionKey: key } });
    w.subscribe(topic);
    Annotations.fromStack(stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp('ecs-service-kit:imported-queue-key'));
  });

  test('one worker may subscribe to several topics; an imported topic too', () => {
    const stack = testStack();
    const w = worker(stack, clusterIn(stack));
    w.subscribe(new EventTopic(stack, 'Orders'));
    w.subscribe(EventTopic.fromTopicArn(stack, 'Payments', 'arn:aws:sns:us-east-1:111122223333:payments'));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:us-east-1:111122223333:payments' });
  });
});

describe('publishing from a network without internet access', () => {
  test('PRIVATE_WITH_ENDPOINTS: the SNS interface endpoint is added once, and the publishing service starts after it', () => {
    // GIVEN two publishers in a cluster whose tasks reach AWS only through endpoints
    const stack = testStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PRIVATE_WITH_ENDPOINTS, restrictDefaultSecurityGroup: false });
    const topic = new EventTopic(stack, 'Events');
    const a = new WorkerService(stack, 'A', { cluster, image: IMAGE });
    const b = new WorkerService(stack, 'B', { cluster, image: IMAGE });
    // WHEN
    a.publishTo(topic);
    b.publishTo(topic);
    // THEN
    const template = Template.fromStack(stack);
    const endpoints = resourcesOfType(template, 'AWS::EC2::VPCEndpoint')
      .filter(([, e]) => JSON.stringify(e.Properties.ServiceName).includes('.sns'));
    expect(endpoints).toHaveLength(1);
    for (const service of [a, b]) {
      const resource = template.toJSON().Resources[logicalId(stack, service.ecsService)];
      expect(resource.DependsOn).toContain(endpoints[0][0]);
    }
  });

  test('SINGLE_NAT: no SNS endpoint (the NAT gateway reaches SNS)', () => {
    const stack = testStack();
    const w = new WorkerService(stack, 'A', { cluster: clusterIn(stack), image: IMAGE });
    w.publishTo(new EventTopic(stack, 'Events'));
    const endpoints = resourcesOfType(Template.fromStack(stack), 'AWS::EC2::VPCEndpoint')
      .filter(([, e]) => JSON.stringify(e.Properties.ServiceName).includes('.sns'));
    expect(endpoints).toHaveLength(0);
  });
});

describe('what cannot be subscribed or published is a ConfigurationError at synth', () => {
  function expectConfigurationError(action: () => unknown, message: RegExp): void {
    let error: unknown;
    try {
      action();
    } catch (e) {
      error = e;
    }
    expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
    expect(String(error)).toMatch(message);
  }
  function subscribeWith(options: TopicSubscriptionOptions, topicProps: EventTopicProps = {}, workerProps: Partial<WorkerServiceProps> = {}): () => unknown {
    return () => {
      const stack = testStack();
      const topic = new EventTopic(stack, 'Events', topicProps);
      worker(stack, clusterIn(stack), 'Worker', workerProps).subscribe(topic, options);
    };
  }
  const stringFilter = (n: number) => sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: n }, (_, i) => `v${i}`) });

  test('a worker without a queue', () => {
    expectConfigurationError(subscribeWith({}, {}, { queue: undefined }), /Worker: subscribe\(topic\) "TestStack\/Events" needs a queue to deliver to/);
  });

  test('an imported existing queue (its policy cannot be changed here)', () => {
    expectConfigurationError(() => {
      const stack = testStack();
      const topic = new EventTopic(stack, 'Events');
      const existingQueue = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:111122223333:jobs');
      worker(stack, clusterIn(stack), 'Worker', { queue: undefined, existingQueue }).subscribe(topic);
    }, /delivers to the imported queue/);
  });

  test('a queue under the AWS-managed key alias/aws/sqs', () => {
    expectConfigurationError(() => {
      const stack = testStack();
      const topic = new EventTopic(stack, 'Events');
      const existingQueue = new sqs.Queue(stack, 'Q', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true });
      worker(stack, clusterIn(stack), 'Worker', { queue: undefined, existingQueue }).subscribe(topic);
    }, /AWS-managed key alias\/aws\/sqs/);
  });

  test('a standard topic to a FIFO queue (SNS delivers to FIFO queues from FIFO topics only)', () => {
    expectConfigurationError(() => {
      const stack = testStack();
      const topic = new EventTopic(stack, 'Events');
      const existingQueue = new sqs.Queue(stack, 'Q', { fifo: true, enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY });
      worker(stack, clusterIn(stack), 'Worker', { queue: undefined, existingQueue }).subscribe(topic);
    }, /is a standard topic and .* a FIFO queue/);
  });

  test('a FIFO topic to the worker\'s standard queue (no order, and no FIFO dead-letter queue)', () => {
    expectConfigurationError(subscribeWith({}, { fifo: true }), /is a FIFO topic and the worker's queue is standard/);
  });

  test('the same topic twice', () => {
    expectConfigurationError(() => {
      const stack = testStack();
      const topic = new EventTopic(stack, 'Events');
      const w = worker(stack, clusterIn(stack));
      w.subscribe(topic);
      w.subscribe(topic, { rawMessageDelivery: true });
    }, /subscribes TestStack\/Worker\/Queue to the topic a second time/);
  });

  test('filter policies: more than 5 keys, more than 150 combinations, empty, a key with no value, both scopes', () => {
    const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, stringFilter(1)]));
    expectConfigurationError(subscribeWith({ filterPolicy: six }), /filterPolicy \[.*\] has 6 keys; SNS allows 5 per filter policy/);
    // 5 × 5 × 7 = 175 combinations
    expectConfigurationError(subscribeWith({ filterPolicy: { a: stringFilter(5), b: stringFilter(5), c: stringFilter(7) } }),
      /makes 175 combinations .* SNS allows 150/);
    // exactly 150 is allowed
    expect(subscribeWith({ filterPolicy: { a: stringFilter(5), b: stringFilter(5), c: stringFilter(6) } })).not.toThrow();
    expectConfigurationError(subscribeWith({ filterPolicy: {} }), /filterPolicy \{\} is an empty policy/);
    expectConfigurationError(subscribeWith({ filterPolicy: { a: sns.SubscriptionFilter.stringFilter({}) } }), /filterPolicy\.a \[\] has no condition/);
    expectConfigurationError(subscribeWith({ filterPolicy: { a: stringFilter(1) }, filterPolicyWithMessageBody: { b: sns.FilterOrPolicy.filter(stringFilter(1)) } }),
      /cannot be combined with filterPolicyWithMessageBody/);
  });

  test('message-body policies count leaf keys, nested or not', () => {
    const body = {
      order: sns.FilterOrPolicy.policy({
        a: sns.FilterOrPolicy.filter(stringFilter(1)), b: sns.FilterOrPolicy.filter(stringFilter(1)), c: sns.FilterOrPolicy.filter(stringFilter(1)),
      }),
      customer: sns.FilterOrPolicy.policy({ d: sns.FilterOrPolicy.filter(stringFilter(1)), e: sns.FilterOrPolicy.filter(stringFilter(1)), f: sns.FilterOrPolicy.filter(stringFilter(1)) }),
    };
    expectConfigurationError(subscribeWith({ filterPolicyWithMessageBody: body }), /filterPolicyWithMessageBody \["order\.a", .*\] has 6 keys/);
    expectConfigurationError(subscribeWith({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({}) } }), /filterPolicyWithMessageBody\.order \{\} is an empty policy/);
  });

  test('publishTo: the same topic twice, two topics on one variable, a variable the environment holds', () => {
    const setup = (environment?: Record<string, string>) => {
      const stack = testStack();
      const cluster = clusterIn(stack);
      const w = worker(stack, cluster, 'Worker', { environment });
      return { stack, w };
    };
    expectConfigurationError(() => {
      const { stack, w } = setup();
      const topic = new EventTopic(stack, 'Events');
      w.publishTo(topic);
      w.publishTo(topic);
    }, /publishTo\(topic\) "TestStack\/Events" is already published to by this service/);
    expectConfigurationError(() => {
      const { stack, w } = setup();
      w.publishTo(new EventTopic(stack, 'Events'));
      w.publishTo(new EventTopic(stack, 'Other', { arnVariableName: 'EVENTS_TOPIC_ARN' }));
    }, /sets EVENTS_TOPIC_ARN, which already holds the ARN of TestStack\/Events/);
    expectConfigurationError(() => {
      const { stack, w } = setup({ EVENTS_TOPIC_ARN: 'x' });
      w.publishTo(new EventTopic(stack, 'Events'));
    }, /sets EVENTS_TOPIC_ARN, which the service's environment or secrets already hold/);
    expectConfigurationError(() => {
      const { stack, w } = setup();
      w.publishTo(new EventTopic(stack, 'Queue', { arnVariableName: 'QUEUE_URL' }));
    }, /sets QUEUE_URL, which the service's environment or secrets already hold/);
  });
});

describe('the next version changes the topic (deploy checks\' facts)', () => {
  // GIVEN version N: a worker subscribed to a topic in the same stack
  function version(topicProps: EventTopicProps, subscribe = true): any {
    const stack = testStack();
    const topic: IEventTopic = new EventTopic(stack, 'Events', topicProps);
    const w = worker(stack, clusterIn(stack));
    if (subscribe) w.subscribe(topic);
    return Template.fromStack(stack).toJSON();
  }
  let base: any;
  let topicId: string;
  let subscriptionId: string;
  beforeAll(() => {
    base = version({ topicName: 'events' });
    topicId = Object.keys(base.Resources).find((id) => base.Resources[id].Type === 'AWS::SNS::Topic')!;
    subscriptionId = Object.keys(base.Resources).find((id) => base.Resources[id].Type === 'AWS::SNS::Subscription')!;
  });

  test('a renamed topic is replaced, and its subscription with it: the old name\'s subscription goes, a new one points at the new topic', () => {
    // WHEN the name changes
    const after = version({ topicName: 'orders' });
    const replaced = replacedResources(base, after);
    // THEN
    expect(replaced.get(topicId)?.join()).toMatch(/TopicName changed/);
    const subscriptions = Object.entries<any>(after.Resources).filter(([, r]) => r.Type === 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0][0]).not.toBe(subscriptionId);
    expect(subscriptions[0][1].Properties.TopicArn).toEqual({ Ref: topicId });
  });

  test('a topic whose name synth knows keeps its subscription\'s logical id when its construct is renamed or imported by ARN (a new id would unsubscribe the queue)', () => {
    // GIVEN N: the topic 'events' created here (base). WHEN N+1 reaches the same topic by ARN, under another id
    const stack = testStack();
    const imported = EventTopic.fromTopicArn(stack, 'ExistingEvents', `arn:aws:sns:${stack.region}:${stack.account}:events`);
    worker(stack, clusterIn(stack)).subscribe(imported);
    const after = Template.fromStack(stack).toJSON();
    // THEN the subscription keeps its logical id (its TopicArn resolves to the same ARN), instead
    // of a new one created beside it, which SNS would answer with the same subscription, and the
    // old one deleted in cleanup, which would unsubscribe it
    expect(Object.keys(after.Resources).filter((id) => after.Resources[id].Type === 'AWS::SNS::Subscription')).toEqual([subscriptionId]);
  });

  test('a topic in another Region is refused: the subscription\'s dead-letter queue must be in its Region', () => {
    const stack = testStack();
    const elsewhere = EventTopic.fromTopicArn(stack, 'Elsewhere', `arn:aws:sns:ap-southeast-2:${stack.account}:events`);
    expect(stack.region).not.toBe('ap-southeast-2');
    expect(() => worker(stack, clusterIn(stack)).subscribe(elsewhere))
      .toThrow(/subscribe\(topic\).*is a topic in ap-southeast-2 and the worker is in .*dead-letter queue/);
  });

  test('FifoTopic is create-only: toggling it replaces the topic; the old one is kept in the account (UpdateReplacePolicy Retain)', () => {
    // GIVEN topics with generated names (a worker's standard queue cannot take a FIFO topic, so no subscriber)
    const before = version({}, false);
    // WHEN the topic becomes FIFO
    const after = version({ fifo: true }, false);
    // THEN it is replaced, and the replaced topic is retained, not deleted: its outside subscribers keep it
    expect(replacedResources(before, after).get(topicId)?.join()).toMatch(/FifoTopic changed from \(absent\) to true/);
    expect(after.Resources[topicId].UpdateReplacePolicy).toBe('Retain');
  });

  test('a fixed-name topic moved to another construct id: the deploy checks report the name still held (name-in-use)', () => {
    // GIVEN N with the topic 'events' at Events; WHEN N+1 creates it at Renamed with the same name
    const stack = testStack();
    new EventTopic(stack, 'Renamed', { topicName: 'events' });
    const after = Template.fromStack(stack).toJSON();
    // THEN CloudFormation would create the new topic while the old (retained) one holds the name
    const hazards = compareTemplates({ S: base }, { S: after }).map((h) => `${h.kind} ${h.type}`);
    expect(hazards).toContain('name-in-use AWS::SNS::Topic');
  });

  test('removing the subscription deletes only the subscription: the queue and its messages in flight stay', () => {
    // WHEN N+1 drops the subscribe call
    const after = version({ topicName: 'events' }, false);
    // THEN no hazard of the deploy checks: the subscription holds no data; messages already in
    // the queue stay (SNS stops delivering new ones once the subscription is deleted).
    expect(after.Resources[subscriptionId]).toBeUndefined();
    expect(compareTemplates({ S: base }, { S: after }).filter((h) => h.severity === 'error')).toEqual([]);
    const queueIds = Object.keys(base.Resources).filter((id) => base.Resources[id].Type === 'AWS::SQS::Queue');
    for (const id of queueIds) expect(after.Resources[id]).toBeDefined();
  });
});
