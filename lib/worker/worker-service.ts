import { CfnResource, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { scaleOnQueueBacklog, validateQueueScaling } from '../auto-scaling/queue-scaling';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { createWorkerDeploymentAlarms, deploymentAlarmName, resolveAlarmSettings } from '../deployment/deployment-alarms';
import { deploymentAlarmNames, libraryAlarmsEnabled } from '../deployment/service-deployment';
import { IEventTopic } from '../pubsub/event-topic';
import { subscribeQueue } from '../pubsub/subscribe';
import { TopicSubscriptionOptions } from '../pubsub/topic-subscription-options';
import { ServiceBase, validateServiceOptions } from '../service/service-base';
import { ServiceOptions } from '../service/service-options';
import { checkExclusive, fail } from '../validation/checks';
import { WorkerQueueOptions } from './worker-queue-options';
import { createWorkerQueue, validateWorkerQueue } from './worker-queue';

/** The environment variable that carries the queue URL to the main container. */
const QUEUE_URL_VARIABLE = 'QUEUE_URL';

/**
 * Properties of a WorkerService.
 */
export interface WorkerServiceProps extends ServiceOptions {
  /**
   * The cluster and network the tasks run in.
   */
  readonly cluster: IServiceCluster;

  /**
   * Create an SQS queue (with a dead-letter queue) for the worker to consume.
   *
   * @default - no queue created
   */
  readonly queue?: WorkerQueueOptions;

  /**
   * Consume this existing queue instead: the task role may receive, delete and change the
   * visibility of its messages, and the main container finds its URL in `QUEUE_URL`.
   *
   * @default - no existing queue
   */
  readonly existingQueue?: sqs.IQueue;

  /**
   * Track this many messages waiting or in flight per running task (target tracking on
   * `(ApproximateNumberOfMessagesVisible + ApproximateNumberOfMessagesNotVisible) / RunningTaskCount`).
   * Pick it as the backlog one task clears in the delay you accept: with jobs of 2 s and at most
   * one minute of delay, 30. Needs `scaling` (with `minCapacity` ≥ 1), a queue, and Container
   * Insights on the cluster. CPU tracking (`scaling.targetCpuPercent`, 70 % unless another
   * target is given) stays on next to it: the service scales out when either asks.
   *
   * @default - no backlog scaling
   */
  readonly backlogPerTask?: number;
}

/**
 * A long-running Fargate service with no load balancer: a queue consumer, a stream processor,
 * or an internal API reached through Service Connect. Same deployment safety as a WebService
 * (circuit breaker with rollback, 100 %/200 % healthy bounds); its security group has no
 * ingress rule except the Service Connect callers you allow with `allowServiceConnectFrom`.
 *
 * With `queue`, it creates an encrypted SQS queue with a dead-letter queue, lets the task role
 * consume it, passes its URL as `QUEUE_URL`, and can scale on the backlog per task. With a queue
 * (`queue` or `existingQueue`) in a cluster whose network is PRIVATE_WITH_ENDPOINTS, it adds the
 * network's SQS interface endpoint (once per network, $7.30/month per AZ).
 */
export class WorkerService extends ServiceBase {
  /** The queue the worker consumes: the created one, or `existingQueue`. */
  public readonly queue?: sqs.IQueue;
  /** The dead-letter queue of the created queue. */
  public readonly deadLetterQueue?: sqs.Queue;
  /** The backlog-per-task scaling policy, when `backlogPerTask` is set. */
  public readonly backlogScalingPolicy?: appscaling.CfnScalingPolicy;
  /** The port of the main container, if it has one. */
  public readonly containerPort?: number;
  /**
   * The alarms ECS watches during deployments, rolling back when one goes off: the library's
   * (with a queue: `DeadLetterAlarm` when it has a dead-letter queue, `StalledQueueAlarm`)
   * followed by `deployment.alarms.additionalAlarms`.
   */
  public readonly deploymentAlarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    validateWorker(this, props);

    this.containerPort = props.containerPort;
    if (props.queue) {
      const created = createWorkerQueue(this, props.queue);
      this.queue = created.queue;
      this.deadLetterQueue = created.deadLetterQueue;
    } else {
      this.queue = props.existingQueue;
    }

    // Deployment alarms on the queue (literal names, known before they exist).
    const ownAlarms = libraryAlarmsEnabled(props) && this.queue !== undefined;
    const deadLetterQueue = this.deadLetterQueue ?? (props.existingQueue instanceof sqs.Queue ? props.existingQueue.deadLetterQueue?.queue : undefined);
    const ownIds = ownAlarms ? [...(deadLetterQueue ? ['DeadLetterAlarm'] : []), 'StalledQueueAlarm'] : [];
    const alarmNames = deploymentAlarmNames(props, ownIds.map(a => deploymentAlarmName(this, a)));

    const publishes = props.serviceConnect !== undefined && !props.serviceConnect.clientOnly;
    this._createService(props, props.cluster, {
      deploymentAlarmNames: alarmNames,
      containerPort: props.containerPort,
      securityGroupDescription: publishes
        ? `Tasks of ${this.node.path}: ingress only from allowed Service Connect callers`
        : `Tasks of ${this.node.path}: no ingress`,
    });

    if (this.queue) {
      // Tasks in a PRIVATE_WITH_ENDPOINTS network reach SQS only through its interface endpoint
      // (one per network, $7.30/month per AZ); they start once it exists. Other layouts: nothing.
      const sqsEndpoint = props.cluster.network?.addInterfaceEndpoint('SqsEndpoint', ec2.InterfaceVpcEndpointAwsService.SQS);
      if (sqsEndpoint) {
        (this.ecsService.node.defaultChild as CfnResource).addResourceDependency(sqsEndpoint.node.defaultChild as CfnResource,
          'the tasks reach their queue through the SQS endpoint');
      }
      this.queue.grantConsumeMessages(this.taskDefinition.taskRole);
      this.container.addEnvironment(QUEUE_URL_VARIABLE, this.queue.queueUrl);
      if (Object.keys(props.environment ?? {}).length === 0) {
        // Only our variable is in the environment; the user's own variables stay theirs to judge.
        Validations.of(this.taskDefinition).acknowledge({
          id: 'AwsSolutions::AwsSolutions-ECS2',
          reason: 'The only plain environment variable is QUEUE_URL, the address of the queue, not a secret; credentials go through `secrets`.',
        });
      }
    }

    const ours = ownAlarms && this.queue ? createWorkerDeploymentAlarms(this, this.queue, deadLetterQueue, resolveAlarmSettings(props.deployment?.alarms)) : [];
    this.deploymentAlarms = this._watchDeploymentAlarms(props, ours, this.queue
      ? 'deployment.alarms.enabled is false and no additionalAlarms are given'
      : 'the worker has no queue to watch, and no deployment.alarms.additionalAlarms are given');

    this._finishService(props, props.cluster);
    if (this.scaling && this.queue && props.backlogPerTask !== undefined && props.scaling) {
      this.backlogScalingPolicy = scaleOnQueueBacklog(this.scaling, this.ecsService, this.queue, props.backlogPerTask, props.scaling);
    }
  }

  /**
   * Subscribe the worker's queue to `topic` (a topic of any stack of the app, or imported): the
   * queue policy lets sns.amazonaws.com send from this topic only, the subscription lives in the
   * worker's stack (created after the queue policy), and messages SNS cannot deliver go to the
   * worker's dead-letter queue. Needs a `queue`; optionally filters on attributes or the body.
   */
  public subscribe(topic: IEventTopic, options: TopicSubscriptionOptions = {}): sns.Subscription {
    return subscribeQueue(this, { queue: this.queue, deadLetterQueue: this.subscriptionDeadLetterQueue() }, topic, options);
  }

  /** The created queue's dead-letter queue, or an existing sqs.Queue's. */
  private subscriptionDeadLetterQueue(): sqs.IQueue | undefined {
    if (this.deadLetterQueue) return this.deadLetterQueue;
    return this.queue instanceof sqs.Queue ? this.queue.deadLetterQueue?.queue : undefined;
  }

  /**
   * The connections of the tasks' own security group, so other resources can allow this
   * service. Not `additionalSecurityGroups`: allowing this service must not allow everything else
   * in a shared group (`ecsService.connections` holds those too). As WebService.connections.
   */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }
}

function validateWorker(scope: IConstruct, props: WorkerServiceProps): void {
  if (!props.cluster) fail(scope, 'cluster', props.cluster, 'is missing', 'give a ServiceCluster');
  validateServiceOptions(scope, props, props.cluster, { containerPort: props.containerPort, hasLoadBalancer: false });
  checkExclusive(scope, 'queue', props.queue, 'existingQueue', props.existingQueue);
  if (props.queue) validateWorkerQueue(scope, props.queue, 'queue.', props.stopTimeout);
  const hasQueue = props.queue !== undefined || props.existingQueue !== undefined;
  if (hasQueue) {
    for (const [prop, names] of [['environment', props.environment], ['secrets', props.secrets]] as const) {
      if (names && QUEUE_URL_VARIABLE in names) {
        fail(scope, prop, QUEUE_URL_VARIABLE, 'is set by the worker to the queue\'s URL', `remove ${QUEUE_URL_VARIABLE} from ${prop}`);
      }
    }
  }
  validateQueueScaling(scope, props.backlogPerTask, props.scaling, hasQueue, props.cluster.containerInsights, {
    backlogPerTask: 'backlogPerTask', scaling: 'scaling', queue: 'queue or existingQueue',
  });
}
