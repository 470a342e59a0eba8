import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { NetworkLayout } from '../../lib/network';
import { WorkerService, WorkerServiceProps } from '../../lib/worker';
import { controlTowerFindings } from '../util/control-tower';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36');
const CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

function fixture(clusterProps: { containerInsights?: boolean } = {}): { stack: Stack; cluster: ServiceCluster } {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false, ...clusterProps });
  return { stack, cluster };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The IAM statements of the policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('WorkerService with a created queue and backlog scaling', () => {
  // GIVEN a worker with a queue (defaults), scaling and a backlog target (one synth)
  let stack: Stack;
  let worker: WorkerService;
  let template: Template;
  beforeAll(() => {
    const f = fixture();
    stack = f.stack;
    // WHEN
    worker = new WorkerService(stack, 'Worker', {
      cluster: f.cluster,
      image: IMAGE,
      command: ['node', 'worker.js'],
      queue: {},
      scaling: { minCapacity: 1, maxCapacity: 8 },
      backlogPerTask: 25,
    });
    template = Template.fromStack(stack);
  });

  test('no load balancer: no target group, no LoadBalancers, no health-check grace period', () => {
    // THEN
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: Match.absent(),
      HealthCheckGracePeriodSeconds: Match.absent(),
    });
  });

  test('the same deployment safety as a web service: circuit breaker with rollback, 100 %/200 %', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
      // Scaling owns the desired count.
      DesiredCount: Match.absent(),
    });
  });

  test('the security group has no ingress at all', () => {
    // THEN
    const sgId = logicalId(stack, worker.securityGroup);
    const sg = template.findResources('AWS::EC2::SecurityGroup')[sgId] as any;
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] } },
    });
    expect(Object.keys(ingress)).toEqual([]);
    expect(sg.Properties.GroupDescription).toMatch(/no ingress/);
  });

  test('the queue: SSE-SQS, 4-day retention, long polling, visibility 2 × 30 s, redrive to the DLQ after 5 receives, retained', () => {
    // THEN
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResource('AWS::SQS::Queue', {
      Properties: {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 4 * 86400,
        ReceiveMessageWaitTimeSeconds: 20,
        VisibilityTimeout: 60,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, worker.deadLetterQueue!), 'Arn'] }, maxReceiveCount: 5 },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the dead-letter queue: SSE-SQS, 14-day retention, retained, no redrive of its own, marked as a dead-letter queue for any source queue (SQS\'s default, CT.SQS.PR.1)', () => {
    // THEN
    const dlq = template.findResources('AWS::SQS::Queue')[logicalId(stack, worker.deadLetterQueue!)] as any;
    expect(dlq.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400, RedriveAllowPolicy: { redrivePermission: 'allowAll' } });
    expect(controlTowerFindings(stack, 'CT.SQS.PR.1')).toEqual([]);
    expect(dlq.DeletionPolicy).toBe('Retain');
  });

  test('SSE-SQS queues tell checkov why CKV_AWS_27 (KMS key only) does not apply', () => {
    // THEN
    for (const queue of [worker.queue as sqs.Queue, worker.deadLetterQueue!]) {
      const resource = template.findResources('AWS::SQS::Queue')[logicalId(stack, queue)] as any;
      expect(resource.Metadata.checkov.skip).toEqual([{ id: 'CKV_AWS_27', comment: expect.stringMatching(/SQS-managed SSE/) }]);
    }
  });

  test('both queues deny requests without TLS', () => {
    // THEN
    for (const queue of [worker.queue as sqs.Queue, worker.deadLetterQueue!]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(stack, queue) }],
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
    }
  });

  test('the task role may consume the queue only: no other action, no other resource', () => {
    // THEN
    const roleId = logicalId(stack, worker.taskDefinition.taskRole);
    const statements = statementsOf(template, roleId);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: CONSUME_ACTIONS,
      Resource: { 'Fn::GetAtt': [logicalId(stack, worker.queue as sqs.Queue), 'Arn'] },
    }]);
  });

  test('the main container gets QUEUE_URL and its command', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'app',
        Command: ['node', 'worker.js'],
        Environment: [{ Name: 'QUEUE_URL', Value: { Ref: logicalId(stack, worker.queue as sqs.Queue) } }],
        PortMappings: Match.absent(),
      })],
    });
  });

  test('scales on CPU (70 %) and on messages waiting or in flight per running task', () => {
    // THEN
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 8 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 70,
      }),
    });
    const queueName = { 'Fn::GetAtt': [logicalId(stack, worker.queue as sqs.Queue), 'QueueName'] };
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: Match.stringLikeRegexp('WorkerServiceTaskCountTarget') },
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 25,
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({ Id: 'visible', ReturnData: false, MetricStat: { Stat: 'Sum', Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: queueName }] } } }),
            Match.objectLike({ Id: 'inflight', ReturnData: false, MetricStat: { Stat: 'Sum', Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesNotVisible', Dimensions: [{ Name: 'QueueName', Value: queueName }] } } }),
            Match.objectLike({
              Id: 'tasks',
              ReturnData: false,
              MetricStat: {
                Stat: 'Average',
                Metric: {
                  Namespace: 'ECS/ContainerInsights',
                  MetricName: 'RunningTaskCount',
                  Dimensions: [
                    { Name: 'ClusterName', Value: { Ref: Match.stringLikeRegexp('^Cluster') } },
                    { Name: 'ServiceName', Value: { 'Fn::GetAtt': [logicalId(stack, worker.ecsService), 'Name'] } },
                  ],
                },
              },
            }),
            Match.objectLike({ Id: 'backlogPerTask', Expression: '(visible + inflight) / tasks', ReturnData: true }),
          ],
        },
      },
    });
    expect(worker.backlogScalingPolicy).toBeDefined();
  });
});

describe('WorkerService with an existing queue, a KMS key and custom queue settings', () => {
  // GIVEN several workers in one stack (one synth)
  let stack: Stack;
  let template: Template;
  let existing: WorkerService;
  let encrypted: WorkerService;
  let key: kms.Key;
  let plain: WorkerService;
  beforeAll(() => {
    const f = fixture();
    stack = f.stack;
    key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const imported = sqs.Queue.fromQueueArn(stack, 'Imported', 'arn:aws:sqs:us-east-1:123456789012:orders');
    // WHEN
    existing = new WorkerService(stack, 'Existing', { cluster: f.cluster, image: IMAGE, existingQueue: imported });
    encrypted = new WorkerService(stack, 'Encrypted', {
      cluster: f.cluster,
      image: IMAGE,
      queue: {
        queueName: 'thumbnails',
        encryptionKey: key,
        maxJobDuration: Duration.hours(8),
        maxReceiveCount: 3,
        retentionPeriod: Duration.days(7),
        deliveryDelay: Duration.minutes(2),
        removalPolicy: RemovalPolicy.DESTROY,
      },
    });
    plain = new WorkerService(stack, 'Plain', { cluster: f.cluster, image: IMAGE, desiredCount: 2 });
    template = Template.fromStack(stack);
  });

  test('an existing queue: consume granted on its ARN, QUEUE_URL set, no queue created for it', () => {
    // THEN
    expect(existing.deadLetterQueue).toBeUndefined();
    const statements = statementsOf(template, logicalId(stack, existing.taskDefinition.taskRole));
    expect(statements).toEqual([{ Effect: 'Allow', Action: CONSUME_ACTIONS, Resource: 'arn:aws:sqs:us-east-1:123456789012:orders' }]);
    const taskDef = template.findResources('AWS::ECS::TaskDefinition')[logicalId(stack, existing.taskDefinition)] as any;
    expect(taskDef.Properties.ContainerDefinitions[0].Environment).toEqual([
      { Name: 'QUEUE_URL', Value: { 'Fn::Join': ['', ['https://sqs.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/123456789012/orders']] } },
    ]);
  });

  test('a delivery delay applies to the queue only, not to its dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'thumbnails', DelaySeconds: 120 });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'thumbnails-dlq', DelaySeconds: Match.absent() });
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { DelaySeconds: Match.anyValue() }, 1);
  });

  test('a KMS key encrypts both queues, and the task role may decrypt with it', () => {
    // THEN
    const keyArn = { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] };
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'thumbnails', KmsMasterKeyId: keyArn, SqsManagedSseEnabled: Match.absent() });
    template.hasResource('AWS::SQS::Queue', { Properties: Match.objectLike({ QueueName: 'thumbnails-dlq', KmsMasterKeyId: keyArn }), Metadata: Match.absent() });
    const statements = statementsOf(template, logicalId(stack, encrypted.taskDefinition.taskRole));
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn });
  });

  test('visibility is twice the longest job, capped at SQS\'s 12 h; custom receive count, retention, removal', () => {
    // THEN
    template.hasResource('AWS::SQS::Queue', {
      Properties: Match.objectLike({
        QueueName: 'thumbnails',
        VisibilityTimeout: 12 * 3600,
        MessageRetentionPeriod: 7 * 86400,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
      }),
      DeletionPolicy: 'Delete',
    });
  });

  test('a worker without a queue: no QUEUE_URL, no task-role policy, the desired count given', () => {
    // THEN
    expect(plain.queue).toBeUndefined();
    expect(plain.scaling).toBeUndefined();
    expect(statementsOf(template, logicalId(stack, plain.taskDefinition.taskRole as any))).toEqual([]);
    const taskDef = template.findResources('AWS::ECS::TaskDefinition')[logicalId(stack, plain.taskDefinition)] as any;
    expect(taskDef.Properties.ContainerDefinitions[0].Environment).toBeUndefined();
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: logicalId(stack, plain.taskDefinition) },
      DesiredCount: 2,
    });
  });
});

describe('WorkerService with a queue in a PRIVATE_WITH_ENDPOINTS network', () => {
  function privateCluster(stack: Stack): ServiceCluster {
    return new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PRIVATE_WITH_ENDPOINTS, restrictDefaultSecurityGroup: false });
  }
  const sqsEndpoints = (template: Template) => template.findResources('AWS::EC2::VPCEndpoint', {
    Properties: { ServiceName: 'com.amazonaws.us-east-1.sqs' },
  });

  test('adds the SQS interface endpoint once per network, and the workers start after it', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cluster = privateCluster(stack);
    const before = cluster.network!.estimatedMonthlyCostUsd;
    // WHEN: two workers with queues (one created, one existing) and one without
    const first = new WorkerService(stack, 'First', { cluster, image: IMAGE, queue: {} });
    const existing = new sqs.Queue(stack, 'Existing', { enforceSSL: true });
    const second = new WorkerService(stack, 'Second', { cluster, image: IMAGE, existingQueue: existing });
    const third = new WorkerService(stack, 'Third', { cluster, image: IMAGE });

    // THEN: one SQS endpoint like the layout's own (isolated subnets, private DNS, the shared group)
    const template = Template.fromStack(stack);
    const endpoints = sqsEndpoints(template);
    expect(Object.keys(endpoints)).toHaveLength(1);
    const [endpointId] = Object.keys(endpoints);
    const sgId = logicalId(stack, cluster.network!.endpointSecurityGroup!);
    expect(endpoints[endpointId].Properties).toMatchObject({
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
    });
    expect(endpoints[endpointId].Properties.SubnetIds).toHaveLength(2);
    // The workers with a queue wait for it; the one without does not.
    const services = template.findResources('AWS::ECS::Service');
    expect(services[logicalId(stack, first.ecsService)].DependsOn).toContain(endpointId);
    expect(services[logicalId(stack, second.ecsService)].DependsOn).toContain(endpointId);
    expect(services[logicalId(stack, third.ecsService)].DependsOn ?? []).not.toContain(endpointId);
    // The network's cost counts it: 6 endpoints × 2 AZs × $7.30.
    expect(cluster.network!.interfaceEndpoints).toHaveLength(6);
    expect(before).toBe(73);
    expect(cluster.network!.estimatedMonthlyCostUsd).toBe(87.6);
    expect(cluster.network!.costDescription).toMatch(/^PRIVATE_WITH_ENDPOINTS: \$87\.60\/month for 6 interface endpoints × 2 AZs/);
  });

  test('ECS Exec adds the ssmmessages endpoint once (the same one ecsExecEndpoint creates)', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cluster = privateCluster(stack);
    // WHEN
    new WorkerService(stack, 'A', { cluster, image: IMAGE, enableExecuteCommand: true, readonlyRootFilesystem: false });
    new WorkerService(stack, 'B', { cluster, image: IMAGE, enableExecuteCommand: true, readonlyRootFilesystem: false });
    // THEN
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.ssmmessages' }, 1);
    expect(cluster.network!.interfaceEndpoints.map((e) => e.node.id)).toContain('SsmMessagesEndpoint');
    expect(cluster.network!.estimatedMonthlyCostUsd).toBe(87.6);
    // The same construct (and logical id) as with ecsExecEndpoint: true.
    const other = testStack(testApp());
    const withProp = new ServiceCluster(other, 'Cluster', { network: NetworkLayout.PRIVATE_WITH_ENDPOINTS, restrictDefaultSecurityGroup: false, ecsExecEndpoint: true });
    new WorkerService(other, 'A', { cluster: withProp, image: IMAGE, enableExecuteCommand: true, readonlyRootFilesystem: false });
    expect(Object.keys(Template.fromStack(other).findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.us-east-1.ssmmessages' } })))
      .toEqual(Object.keys(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.us-east-1.ssmmessages' } })));
  });

  test('no endpoint when the layout reaches SQS through a NAT gateway', () => {
    // GIVEN
    const { stack, cluster } = fixture();
    // WHEN
    new WorkerService(stack, 'Worker', { cluster, image: IMAGE, queue: {} });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('WorkerService validation (one test per rule)', () => {
  let n = 0;
  function make(props: Partial<WorkerServiceProps>, clusterProps: { containerInsights?: boolean } = {}): () => WorkerService {
    const { stack, cluster } = fixture(clusterProps);
    return () => new WorkerService(stack, `W${n++}`, { cluster, image: IMAGE, ...props });
  }

  test('cluster is required', () => {
    const stack = testStack(testApp());
    expect(() => new WorkerService(stack, 'W', { image: IMAGE } as WorkerServiceProps)).toThrow(/W: cluster undefined is missing/);
  });

  test('queue and existingQueue exclude each other', () => {
    const { stack, cluster } = fixture();
    const imported = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:123456789012:q');
    expect(() => new WorkerService(stack, 'W', { cluster, image: IMAGE, queue: {}, existingQueue: imported }))
      .toThrow(/W: queue \{\} cannot be combined with existingQueue/);
  });

  test('queue.queueName must be a standard-queue name with room for "-dlq"', () => {
    expect(make({ queue: { queueName: 'jobs.fifo' } })).toThrow(/queue\.queueName "jobs\.fifo" is not valid/);
    expect(make({ queue: { queueName: 'x'.repeat(77) } })).toThrow(/queue\.queueName "x{77}" is not valid/);
  });

  test('queue.maxJobDuration is 1 s to 12 h', () => {
    expect(make({ queue: { maxJobDuration: Duration.hours(13) } })).toThrow(/queue\.maxJobDuration 13 hours is out of range/);
  });

  test('queue.visibilityTimeout is 0 s to 12 h', () => {
    expect(make({ queue: { visibilityTimeout: Duration.hours(13) } })).toThrow(/queue\.visibilityTimeout 13 hours is out of range/);
  });

  test('queue.visibilityTimeout must cover queue.maxJobDuration', () => {
    expect(make({ queue: { maxJobDuration: Duration.minutes(5), visibilityTimeout: Duration.minutes(2) } }))
      .toThrow(/queue\.visibilityTimeout 2 minutes is shorter than queue\.maxJobDuration 5 minutes/);
    // The default maxJobDuration (30 s) counts too.
    expect(make({ queue: { visibilityTimeout: Duration.seconds(10) } }))
      .toThrow(/queue\.visibilityTimeout 10 seconds is shorter than queue\.maxJobDuration 30 seconds \(the default\)/);
  });

  test('queue.maxReceiveCount is 1 to 1000', () => {
    expect(make({ queue: { maxReceiveCount: 0 } })).toThrow(/queue\.maxReceiveCount 0 is out of range/);
    expect(make({ queue: { maxReceiveCount: 1001 } })).toThrow(/queue\.maxReceiveCount 1001 is out of range/);
  });

  test('queue.retentionPeriod is 60 s to 14 days', () => {
    expect(make({ queue: { retentionPeriod: Duration.seconds(30) } })).toThrow(/queue\.retentionPeriod 30 seconds is out of range/);
  });

  test('queue.deadLetterRetentionPeriod is 60 s to 14 days', () => {
    expect(make({ queue: { deadLetterRetentionPeriod: Duration.days(15) } })).toThrow(/queue\.deadLetterRetentionPeriod 15 days is out of range/);
  });

  test('queue.deadLetterRetentionPeriod must not be shorter than queue.retentionPeriod', () => {
    expect(make({ queue: { retentionPeriod: Duration.days(10), deadLetterRetentionPeriod: Duration.days(5) } }))
      .toThrow(/queue\.deadLetterRetentionPeriod 5 days is shorter than queue\.retentionPeriod 10 days/);
  });

  test('queue.receiveWaitTime is 0 to 20 s', () => {
    expect(make({ queue: { receiveWaitTime: Duration.seconds(21) } })).toThrow(/queue\.receiveWaitTime 21 seconds is out of range/);
  });

  test('queue.deliveryDelay is 0 to 15 minutes (SQS DelaySeconds)', () => {
    expect(make({ queue: { deliveryDelay: Duration.seconds(901) } })).toThrow(/queue\.deliveryDelay 15 minutes 1 second is out of range; use whole seconds from 0 to 900/);
  });

  test('queue.removalPolicy cannot be SNAPSHOT', () => {
    expect(make({ queue: { removalPolicy: RemovalPolicy.SNAPSHOT } })).toThrow(/queue\.removalPolicy "snapshot" is not allowed/);
  });

  test('QUEUE_URL is the worker\'s own variable', () => {
    expect(make({ queue: {}, environment: { QUEUE_URL: 'x' } })).toThrow(/environment "QUEUE_URL" is set by the worker/);
  });

  test('backlogPerTask is 1 to 100000', () => {
    expect(make({ queue: {}, scaling: {}, backlogPerTask: 0 })).toThrow(/backlogPerTask 0 is out of range/);
  });

  test('backlogPerTask needs scaling', () => {
    expect(make({ queue: {}, backlogPerTask: 10 })).toThrow(/backlogPerTask 10 needs scaling/);
  });

  test('backlogPerTask needs a queue', () => {
    expect(make({ scaling: {}, backlogPerTask: 10 })).toThrow(/backlogPerTask 10 needs a queue to measure/);
  });

  test('backlogPerTask cannot scale out from zero tasks', () => {
    expect(make({ queue: {}, scaling: { minCapacity: 0 }, backlogPerTask: 10 }))
      .toThrow(/scaling\.minCapacity 0 with backlogPerTask cannot scale out again/);
  });

  test('backlogPerTask needs Container Insights (RunningTaskCount)', () => {
    expect(make({ queue: {}, scaling: {}, backlogPerTask: 10 }, { containerInsights: false }))
      .toThrow(/backlogPerTask 10 needs Container Insights/);
  });

  test('scaling.requestsPerTarget needs a load balancer, which a worker has not', () => {
    expect(make({ scaling: { requestsPerTarget: 100 } })).toThrow(/scaling\.requestsPerTarget 100 needs a load balancer/);
  });
});
