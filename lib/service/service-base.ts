import { Annotations, CfnResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { applyScaling, validateScaling } from '../auto-scaling/service-scaling';
import { ServiceCluster } from '../cluster/service-cluster';
import { ecsClusterOf } from '../cluster/imported-cluster';
import { taskStartDependencies } from '../network/task-start';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { checkAdditionalSecurityGroups } from '../cluster/task-subnets';
import { Defaults } from '../defaults';
import { attachEbsVolume, validateEbsVolume } from '../task-definition/ebs-volume';
import { connectEfsVolumes } from '../file-system/efs-volume-attach';
import { EcsDeploymentProps, ecsDeploymentProps, finishDeployment, validateDeployment, warnWithoutAlarms } from '../deployment/service-deployment';
import { ServiceTaskDefinition } from '../task-definition/service-task-definition';
import { validateTaskOptions } from '../task-definition/task-validation';
import { IEventTopic } from '../pubsub/event-topic';
import { addPublisher } from '../pubsub/publish';
import { checkPattern, checkRange, fail, formatValue } from '../validation/checks';
import { ConfigurationError } from '../validation/configuration-error';
import { allowServiceConnectFrom, applyServiceConnect, validateServiceConnect } from './service-connect';
import { ServiceOptions } from './service-options';

/**
 * The parts every long-running service shares (web service, worker): one place for the
 * deployment-safety defaults, so each kind of service gets the same, and the base class that
 * holds them (ServiceBase, below).
 */

/** The id of the warning for a service on Managed Instances capacity of another stack. */
export const CAPACITY_IN_OTHER_STACK_WARNING = 'ecs-service-kit:capacity-in-other-stack';

/** Checks the options every service takes. `containerPort` is the effective main port, if any. */
export function validateServiceOptions(
  scope: IConstruct, props: ServiceOptions, cluster: IServiceCluster | undefined,
  options: { containerPort?: number; hasLoadBalancer: boolean },
): void {
  if (!cluster) fail(scope, 'cluster', cluster, 'is missing', 'give a ServiceCluster');
  // Task props are the user's props of this construct: name this construct, not the Task child.
  validateTaskOptions(scope, { ...props, containerPort: options.containerPort }, '', props.ec2Capacity, props.managedInstancesCapacity);
  validateInstancePlacement(scope, props, cluster, 'ec2Capacity', props.ec2Capacity);
  validateInstancePlacement(scope, props, cluster, 'managedInstancesCapacity', props.managedInstancesCapacity);
  validateEbsVolume(scope, props.ebsVolume);
  checkAdditionalSecurityGroups(scope, props.additionalSecurityGroups, options.hasLoadBalancer ? 2 : 1,
    options.hasLoadBalancer ? 'the task\'s own group and the load balancer\'s target group' : 'the task\'s own group');
  if (props.assignPublicIp === false && cluster.assignPublicIp) {
    fail(scope, 'assignPublicIp', false, 'in the cluster\'s public task subnets leaves tasks unable to pull images',
      'leave assignPublicIp unset (the cluster\'s layout decides), or use a cluster whose tasks run in private subnets');
  }
  if (props.assignPublicIp === true && !cluster.assignPublicIp) {
    fail(scope, 'assignPublicIp', true, 'in the cluster\'s private task subnets adds a public IPv4 address ($3.65/month per task) that cannot be reached',
      'leave assignPublicIp unset (the cluster\'s layout decides), or use a cluster with public task subnets');
  }
  checkRange(scope, 'minHealthyPercent', props.minHealthyPercent, 0, 100);
  checkRange(scope, 'maxHealthyPercent', props.maxHealthyPercent, 100, 200);
  const min = props.minHealthyPercent ?? Defaults.minHealthyPercent;
  const max = props.maxHealthyPercent ?? Defaults.maxHealthyPercent;
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min >= max) {
    fail(scope, 'maxHealthyPercent', max, `leaves no room to deploy with minHealthyPercent ${min}`, 'make maxHealthyPercent greater than minHealthyPercent (a deploy could start no task, nor stop one)');
  }
  checkPattern(scope, 'serviceName', props.serviceName, /^[a-zA-Z0-9_-]{1,255}$/, 'use 1–255 letters, digits, hyphens and underscores');
  checkUniqueServiceName(scope, props.serviceName, cluster);
  if (props.enableExecuteCommand && (props.readonlyRootFilesystem ?? true)) {
    fail(scope, 'enableExecuteCommand', true, 'needs a writable root filesystem (the SSM agent writes to it)', 'set readonlyRootFilesystem: false with it, or leave ECS Exec off');
  }
  if (props.spot) {
    checkRange(scope, 'spot.spotWeight', props.spot.spotWeight, 0, 1000);
    checkRange(scope, 'spot.onDemandWeight', props.spot.onDemandWeight, 0, 1000);
    checkRange(scope, 'spot.onDemandBase', props.spot.onDemandBase, 0, 100_000);
    if ((props.spot.onDemandWeight ?? 1) === 0 && props.spot.spotWeight === 0) {
      fail(scope, 'spot.spotWeight', 0, 'with onDemandWeight 0 places no task', 'give at least one weight above 0');
    }
  }
  validateScaling(scope, props.scaling, props.desiredCount, options.hasLoadBalancer);
  validateServiceConnect(scope, props, cluster, options.containerPort);
  validateDeployment(scope, props, { hasLoadBalancer: options.hasLoadBalancer });
}

/**
 * The explicit service names taken in each cluster, with the path of the construct that took
 * each. Keyed by the ServiceCluster object, so services in other stacks that share the cluster
 * are seen too. ECS names are unique per cluster: a second service of the same name passes synth
 * and fails at deploy ("Creation of service was not idempotent").
 */
const serviceNamesByCluster = new WeakMap<IServiceCluster, Map<string, string>>();

function checkUniqueServiceName(scope: IConstruct, serviceName: string | undefined, cluster: IServiceCluster): void {
  if (serviceName === undefined || Token.isUnresolved(serviceName)) return;
  const owner = serviceNamesByCluster.get(cluster)?.get(serviceName);
  if (owner !== undefined && owner !== scope.node.path) {
    fail(scope, 'serviceName', serviceName, `is already the name of ${owner} in the cluster ${cluster.node.path}; ECS service names are unique per cluster`,
      'give each service in the cluster its own serviceName, or leave serviceName unset (CloudFormation then generates a unique one)');
  }
}

/** Records an explicit service name once the service exists (checked by `checkUniqueServiceName`). */
function registerServiceName(scope: IConstruct, serviceName: string | undefined, cluster: IServiceCluster): void {
  if (serviceName === undefined || Token.isUnresolved(serviceName)) return;
  let names = serviceNamesByCluster.get(cluster);
  if (!names) {
    names = new Map();
    serviceNamesByCluster.set(cluster, names);
  }
  names.set(serviceName, scope.node.path);
}

/** How a subclass of ServiceBase shapes its service (`ServiceBase._createService`). */
export interface ServiceBuildOptions {
  /** The main container's port, if it has one. */
  readonly containerPort?: number;
  /** @default - aws-cdk-lib's: 60 s for a service with a load balancer, none (ECS: 0 s) without */
  readonly healthCheckGracePeriod?: Duration;
  /** Fixed once deployed: a new description replaces the security group. */
  readonly securityGroupDescription: string;
  /** Shared groups the tasks also join (the load balancer's target group of security). */
  readonly additionalSecurityGroups?: ec2.ISecurityGroup[];
  /** The names of the alarms ECS watches during deployments: literal, known before the alarms exist. */
  readonly deploymentAlarmNames: string[];
}

/** What `buildService` creates. */
interface ServiceParts {
  readonly task: ServiceTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  /** An ecs.FargateService, or an ecs.Ec2Service with `ec2Capacity`. */
  readonly service: ecs.BaseService;
  /** The port published through Service Connect, when the service publishes one. */
  readonly serviceConnectPort?: number;
}

/** The options `deploymentSettings` reads: the subclass's, with the deployment props worked out. */
interface DeploymentSettingsOptions {
  readonly healthCheckGracePeriod?: Duration;
  readonly additionalSecurityGroups?: ec2.ISecurityGroup[];
  /** Strategy, deployment alarms, lifecycle hooks, AZ rebalancing (lib/deployment). */
  readonly deploymentProps: EcsDeploymentProps;
}

/**
 * Creates the task definition ('Task'), the tasks' security group ('SecurityGroup') and the
 * service ('Service') under `scope`, with the library's deployment defaults.
 */
function buildService(scope: Construct, props: ServiceOptions, cluster: IServiceCluster, buildOptions: ServiceBuildOptions): ServiceParts {
  const options = { ...buildOptions, deploymentProps: ecsDeploymentProps(props, buildOptions.deploymentAlarmNames) };
  const task = new ServiceTaskDefinition(scope, 'Task', {
    ...props,
    containerPort: options.containerPort,
    serviceConnectProxyMemoryMiB: props.serviceConnect && cluster.namespace ? Defaults.serviceConnectProxyMemoryMiB : undefined,
  });
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: cluster.vpc,
    description: options.securityGroupDescription,
    allowAllOutbound: true,
  });
  const service = props.ec2Capacity ? buildEc2Service(scope, props, cluster, task, securityGroup, options) : new ecs.FargateService(scope, 'Service', {
    ...deploymentSettings(props, cluster, task, securityGroup, options),
    assignPublicIp: props.assignPublicIp ?? cluster.assignPublicIp,
    // Managed Instances: an ecs.FargateService is aws-cdk-lib's service class for them (it names
    // the capacity provider instead of a launch type). The provider is cluster-scoped, not part
    // of the cluster's associations: the Ref to its name orders the service after it on create
    // and before it on delete.
    capacityProviderStrategies: props.managedInstancesCapacity
      ? [{ capacityProvider: props.managedInstancesCapacity.capacityProvider.capacityProviderName, weight: 1 }]
      : props.spot ? [
        { capacityProvider: 'FARGATE', weight: props.spot.onDemandWeight ?? 1, base: props.spot.onDemandBase ?? 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: props.spot.spotWeight },
      ] : undefined,
  });
  if (props.ec2Capacity || props.managedInstancesCapacity || props.spot) {
    // A service that names capacity providers must wait for the cluster's
    // ClusterCapacityProviderAssociations (created at synth time, under the ecs.Cluster) on create,
    // and go before it on delete: otherwise the create can race the association, and a delete
    // can remove the association while tasks still run ("The specified capacity provider is in
    // use"). In another stack than the cluster this becomes a dependency of the service's stack
    // on the cluster's, which the service's references to the cluster already imply: no cycle.
    // On the ECS service resource only: its scaling target and policies follow it anyway.
    service.node.defaultChild!.node.addDependency(ecsClusterOf(cluster));
  }
  // The routes, endpoints and role policies its tasks start through: on the first create ECS
  // starts tasks as soon as the service exists, and failed pulls count toward the circuit breaker.
  service.node.defaultChild!.node.addDependency(taskStartDependencies(cluster, task.taskDefinition));
  if (props.ebsVolume) attachEbsVolume(scope, props.ebsVolume, task.taskDefinition, task.container, service);
  // NFS from the tasks to each EFS volume's file system; the service waits for its mount targets.
  connectEfsVolumes(task.taskDefinition, securityGroup, service);
  registerServiceName(scope, props.serviceName, cluster);
  const serviceConnectPort = applyServiceConnect(scope, props, cluster, service, task.taskDefinition, options.containerPort);
  return { task, securityGroup, service, serviceConnectPort };
}

/**
 * What comes after the service exists: scaling, the Spot capacity check and the ECS Exec
 * acknowledgement. Returns the scalable task count when scaling is on.
 */
function finishService(
  scope: IConstruct, props: ServiceOptions, cluster: IServiceCluster, taskRole: IConstruct, service: ecs.BaseService,
  targetGroup: elbv2.ApplicationTargetGroup | undefined,
): ecs.ScalableTaskCount | undefined {
  if (props.spot) {
    // A strategy naming a capacity provider the cluster lacks fails only at deploy time.
    scope.node.addValidation({
      validate: () => cluster.fargateCapacityProviders ? [] : [
        new ConfigurationError(scope.node.path, 'spot', formatValue(props.spot), `needs the FARGATE and FARGATE_SPOT capacity providers on the cluster ${cluster.node.path}`,
          cluster instanceof ServiceCluster
            ? 'create the ServiceCluster with enableFargateSpot left on, or leave spot out'
            : 'associate FARGATE and FARGATE_SPOT with the existing cluster (aws ecs put-cluster-capacity-providers) and import it with fargateCapacityProviders: true, or leave spot out').message,
      ],
    });
  }
  if (props.enableExecuteCommand) {
    // PRIVATE_WITH_ENDPOINTS reaches ssmmessages only through its endpoint (once per network).
    cluster.network?.addInterfaceEndpoint('SsmMessagesEndpoint', ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES);
    Validations.of(taskRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ECS Exec (enableExecuteCommand) needs ssmmessages:Create/OpenControlChannel and Create/OpenDataChannel, which support no resource-level permissions.',
    });
  }
  return props.scaling ? applyScaling(service, props.scaling, targetGroup) : undefined;
}

/**
 * Checks a service placed on instances (`ec2Capacity`, `managedInstancesCapacity`): the capacity
 * must belong to the service's cluster, ECS does not mix Fargate with an instance provider in one
 * strategy, and awsvpc tasks on instances get no public IP.
 */
function validateInstancePlacement(
  scope: IConstruct, props: ServiceOptions, cluster: IServiceCluster,
  prop: 'ec2Capacity' | 'managedInstancesCapacity', capacity: (IConstruct & { readonly cluster: IServiceCluster }) | undefined,
): void {
  if (!capacity) return;
  const [provider, adder, spotAdvice] = prop === 'ec2Capacity'
    ? ['Auto Scaling group', 'addEc2Capacity', 'leave spot out to run on the EC2 instances']
    : ['Managed Instances', 'addManagedInstancesCapacity', 'leave spot out and give the capacity spot: true for Spot instances'];
  if (capacity.cluster !== cluster) {
    fail(scope, prop, capacity.node.path, `belongs to the cluster ${capacity.cluster.node.path}, not to the service's cluster ${cluster.node.path}`,
      `add the capacity to the service's cluster (cluster.${adder}(...)), or run the service in the capacity's cluster`);
  }
  if (props.spot) {
    fail(scope, 'spot', props.spot, `cannot be combined with ${prop}: ECS does not mix Fargate and ${provider} capacity providers in one strategy`,
      `${spotAdvice}, or leave ${prop} out to run on Fargate and Fargate Spot`);
  }
  if (prop === 'managedInstancesCapacity' && Stack.of(capacity) !== Stack.of(scope)) {
    Annotations.of(scope).addWarningV2(CAPACITY_IN_OTHER_STACK_WARNING,
      `The service names ${capacity.node.path} of stack ${Stack.of(capacity).stackName} through a stack export. Changing that capacity's spot later replaces its provider, ` +
      'which CloudFormation refuses while this stack imports the export ("Export ... cannot be updated as it is in use"). To change it: add a second capacity with the other setting, ' +
      'move the services to it in one deploy, then remove the first in the next; or acknowledge with ' +
      `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${CAPACITY_IN_OTHER_STACK_WARNING}', reason }).`);
  }
  if (props.assignPublicIp === true) {
    fail(scope, 'assignPublicIp', true, `is not possible on ${prop}: ECS gives awsvpc tasks on instances no public IP`,
      'leave assignPublicIp unset; tasks reach the internet through the cluster\'s NAT gateway');
  }
}

/**
 * The settings every service gets, on Fargate or on EC2: the deployment-safety defaults in one
 * place.
 */
function deploymentSettings(
  props: ServiceOptions, cluster: IServiceCluster, task: ServiceTaskDefinition, securityGroup: ec2.SecurityGroup,
  options: DeploymentSettingsOptions,
) {
  return {
    ...options.deploymentProps,
    cluster: ecsClusterOf(cluster),
    taskDefinition: task.taskDefinition,
    serviceName: props.serviceName,
    desiredCount: props.scaling ? undefined : (props.desiredCount ?? Defaults.desiredCount),
    minHealthyPercent: props.minHealthyPercent ?? Defaults.minHealthyPercent,
    maxHealthyPercent: props.maxHealthyPercent ?? Defaults.maxHealthyPercent,
    circuitBreaker: { enable: true, rollback: true },
    healthCheckGracePeriod: options.healthCheckGracePeriod,
    vpcSubnets: cluster.taskSubnets,
    securityGroups: [securityGroup, ...(options.additionalSecurityGroups ?? []), ...(props.additionalSecurityGroups ?? [])],
    enableExecuteCommand: props.enableExecuteCommand ?? false,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
  };
}

/**
 * The EC2 flavour of the service: the same deployment defaults as on Fargate, a capacity
 * provider strategy naming the capacity's provider, and tasks spread over AZs, then packed by
 * memory so managed scaling can empty and remove instances.
 */
function buildEc2Service(
  scope: Construct, props: ServiceOptions, cluster: IServiceCluster, task: ServiceTaskDefinition, securityGroup: ec2.SecurityGroup,
  options: DeploymentSettingsOptions,
): ecs.Ec2Service {
  const capacity = props.ec2Capacity!;
  const service = new ecs.Ec2Service(scope, 'Service', {
    ...deploymentSettings(props, cluster, task, securityGroup, options),
    capacityProviderStrategies: [{ capacityProvider: capacity.capacityProvider.capacityProviderName, weight: 1 }],
    placementStrategies: [
      ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
      ecs.PlacementStrategy.packedByMemory(),
    ],
  });
  return service;
}

/**
 * The base of the library's long-running services (WebService, WorkerService), as
 * aws-ecs-patterns' ApplicationLoadBalancedServiceBase is of its services: it owns the task
 * definition, the tasks' security group and the ECS service with the deployment-safety
 * defaults, their escape hatches, the order of the service after its deployment alarms, and
 * Service Connect access.
 *
 * A subclass validates its props and creates what its service needs first (a worker's queue),
 * then calls `_createService`, and `_finishService` once its own parts exist. The service is not
 * built in this constructor: validation must come before any child, and it needs the subclass.
 */
export abstract class ServiceBase extends Construct implements ec2.IConnectable {
  /** The task definition with its containers and log group. */
  public readonly task!: ServiceTaskDefinition;
  /** The ECS task definition (same as `task.taskDefinition`). */
  public readonly taskDefinition!: ecs.TaskDefinition;
  /** The main container. */
  public readonly container!: ecs.ContainerDefinition;
  /** The ECS service, the escape hatch to the aws-cdk-lib L2: an ecs.FargateService, or an ecs.Ec2Service with `ec2Capacity`. */
  public readonly ecsService!: ecs.BaseService;
  /** The ECS service's name. */
  public readonly serviceName!: string;
  /** The ECS service's ARN. */
  public readonly serviceArn!: string;
  /**
   * The tasks' security group. A WebService's admits only the load balancer on the target port
   * (through the load balancer's shared target security group, which the tasks also join);
   * a WorkerService's has no ingress except allowed Service Connect callers.
   */
  public readonly securityGroup!: ec2.SecurityGroup;
  /** The scalable task count, when scaling is on: add more policies to it. */
  public readonly scaling?: ecs.ScalableTaskCount;
  /** The port other services reach this one on through Service Connect, when it publishes one. */
  public readonly serviceConnectPort?: number;
  /** The cluster the service runs in (set by `_createService`), for endpoints added later. */
  private clusterOfService?: IServiceCluster;

  /**
   * The connections other resources allow this service through. A WebService's are its tasks'
   * own security group, a WorkerService's the ECS service's (see each).
   */
  public abstract get connections(): ec2.Connections;

  /**
   * The ECS service.
   * @deprecated use `ecsService` (`web.service.service`, `worker.service.service` read the same word twice); removed in 1.0
   */
  public get service(): ecs.BaseService {
    return this.ecsService;
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

  /**
   * Let this service publish to `topic`: its task role may sns:Publish to the topic (and use the
   * topic's KMS key: kms:GenerateDataKey* and kms:Decrypt), and its main container finds the
   * topic's ARN in the variable `topic.arnVariableName` (`ORDER_EVENTS_TOPIC_ARN` for a topic
   * with the id `OrderEvents`). In a `PRIVATE_WITH_ENDPOINTS` network it adds the network's SNS
   * interface endpoint (once per network, $7.30/month per AZ) and the service starts after it.
   */
  public publishTo(topic: IEventTopic): iam.Grant {
    return addPublisher(this, { taskDefinition: this.taskDefinition, container: this.container, ecsService: this.ecsService, network: this.clusterOfService?.network }, topic);
  }

  /**
   * Creates the task definition ('Task'), the tasks' security group ('SecurityGroup') and the
   * ECS service ('Service') with the library's deployment defaults, and sets the members that
   * hold them. `props` are what the service runs with; its deployment settings come from them.
   * @internal
   */
  protected _createService(props: ServiceOptions, cluster: IServiceCluster, options: ServiceBuildOptions): void {
    this.clusterOfService = cluster;
    const parts = buildService(this, props, cluster, options);
    const members: Pick<ServiceBase, 'task' | 'taskDefinition' | 'container' | 'securityGroup' | 'ecsService' | 'serviceName' | 'serviceArn' | 'serviceConnectPort'> = {
      task: parts.task,
      taskDefinition: parts.task.taskDefinition,
      container: parts.task.container,
      securityGroup: parts.securityGroup,
      ecsService: parts.service,
      serviceName: parts.service.serviceName,
      serviceArn: parts.service.serviceArn,
      serviceConnectPort: parts.serviceConnectPort,
    };
    // Readonly to users, set once here: a constructor cannot set them, since the subclass
    // validates its props and creates its own children before the service exists.
    Object.assign(this, members);
    finishDeployment(this, this.ecsService, props);
  }

  /**
   * Orders the ECS service after the library's own deployment alarms (`ours`) and returns the
   * alarms ECS watches: ours, then `deployment.alarms.additionalAlarms`. With none it warns,
   * saying `whyNone`.
   * @internal
   */
  protected _watchDeploymentAlarms(props: ServiceOptions, ours: cloudwatch.Alarm[], whyNone: string): cloudwatch.IAlarm[] {
    for (const alarm of ours) {
      (this.ecsService.node.defaultChild as CfnResource).addResourceDependency(alarm.node.defaultChild as CfnResource,
        'ECS watches the deployment alarm by name from the first deployment on');
    }
    const alarms = [...ours, ...(props.deployment?.alarms?.additionalAlarms ?? [])];
    warnWithoutAlarms(this, alarms, whyNone);
    return alarms;
  }

  /**
   * What comes after the subclass's own parts: scaling (on `targetGroup`'s requests too, when
   * given), the Spot capacity check and the ECS Exec acknowledgement. Sets `scaling`.
   * @internal
   */
  protected _finishService(props: ServiceOptions, cluster: IServiceCluster, targetGroup?: elbv2.ApplicationTargetGroup): void {
    const scaling: Pick<ServiceBase, 'scaling'> = {
      scaling: finishService(this, props, cluster, this.taskDefinition.taskRole, this.ecsService, targetGroup),
    };
    Object.assign(this, scaling);
  }
}
