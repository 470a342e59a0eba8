import { CfnResource, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { scaleOnQueueBacklog, validateQueueScaling } from '../auto-scaling/queue-scaling';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { createWorkerDeploymentAlarms, deploymentAlarmName, resolveAlarmSettings } from '../deployment/deployment-alarms';
import { deploymentAlarmNames, ecsDeploymentProps, finishDeployment, libraryAlarmsEnabled, warnWithoutAlarms } from '../deployment/service-deployment';
import { buildService, finishService, validateServiceOptions } from '../service/service-base';
import { allowServiceConnectFrom } from '../service/service-connect';
import { ServiceOptions } from '../service/service-options';
import { ServiceTaskDefinition } from '../task-definition/service-task-definition';
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
export class WorkerService extends Construct implements ec2.IConnectable {
  /** The task definition with its containers and log group. */
  public readonly task: ServiceTaskDefinition;
  /** The ECS task definition (same as `task.taskDefinition`). */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECS service, the escape hatch to the aws-cdk-lib L2: an ecs.FargateService, or an ecs.Ec2Service with `ec2Capacity`. */
  public readonly ecsService: ecs.BaseService;
  /** The ECS service's name. */
  public readonly serviceName: string;
  /** The ECS service's ARN. */
  public readonly serviceArn: string;
  /** The tasks' security group: no ingress except allowed Service Connect callers. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The scalable task count, when scaling is on: add more policies to it. */
  public readonly scaling?: ecs.ScalableTaskCount;
  /** The queue the worker consumes: the created one, or `existingQueue`. */
  public readonly queue?: sqs.IQueue;
  /** The dead-letter queue of the created queue. */
  public readonly deadLetterQueue?: sqs.Queue;
  /** The backlog-per-task scaling policy, when `backlogPerTask` is set. */
  public readonly backlogScalingPolicy?: appscaling.CfnScalingPolicy;
  /** The port of the main container, if it has one. */
  public readonly containerPort?: number;
  /** The port other services reach this one on through Service Connect, when it publishes one. */
  public readonly serviceConnectPort?: number;
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
    const parts = buildService(this, props, props.cluster, {
      deploymentProps: ecsDeploymentProps(props, alarmNames),
      containerPort: props.containerPort,
      securityGroupDescription: publishes
        ? `Tasks of ${this.node.path}: ingress only from allowed Service Connect callers`
        : `Tasks of ${this.node.path}: no ingress`,
    });
    this.task = parts.task;
    this.taskDefinition = parts.task.taskDefinition;
    this.container = parts.task.container;
    this.securityGroup = parts.securityGroup;
    this.ecsService = parts.service;
    this.serviceName = parts.service.serviceName;
    this.serviceArn = parts.service.serviceArn;
    this.serviceConnectPort = parts.serviceConnectPort;
    finishDeployment(this, this.ecsService, props);

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
    for (const alarm of ours) {
      (this.ecsService.node.defaultChild as CfnResource).addResourceDependency(alarm.node.defaultChild as CfnResource,
        'ECS watches the deployment alarm by name from the first deployment on');
    }
    this.deploymentAlarms = [...ours, ...(props.deployment?.alarms?.additionalAlarms ?? [])];
    warnWithoutAlarms(this, this.deploymentAlarms, this.queue
      ? 'deployment.alarms.enabled is false and no additionalAlarms are given'
      : 'the worker has no queue to watch, and no deployment.alarms.additionalAlarms are given');

    this.scaling = finishService(this, props, props.cluster, parts);
    if (this.scaling && this.queue && props.backlogPerTask !== undefined && props.scaling) {
      this.backlogScalingPolicy = scaleOnQueueBacklog(this.scaling, this.ecsService, this.queue, props.backlogPerTask, props.scaling);
    }
  }

  /**
   * The ECS service.
   * @deprecated use `ecsService` (`worker.service.service` read the same word twice); removed in 1.0
   */
  public get service(): ecs.BaseService {
    return this.ecsService;
  }

  /** The tasks' security group connections, so other resources can allow this service. */
  public get connections(): ec2.Connections {
    return this.ecsService.connections;
  }

  /**
   * Allow `caller` (a service with `serviceConnect`) to call this service by its Service Connect
   * name: one ingress rule from the caller's security groups on `serviceConnectPort` only, and
   * the caller's ECS service depends on this one (a task resolves only the names that existed
   * when it started). The rule belongs to the caller: with the caller in another stack it is
   * created there, and the caller's stack depends on this service's stack.
   */
  public allowServiceConnectFrom(caller: ec2.IConnectable): void {
    allowServiceConnectFrom(this, this.securityGroup, this.ecsService, this.serviceConnectPort, caller, 'allowServiceConnectFrom');
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
