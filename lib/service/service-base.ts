import { Annotations, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { applyScaling, validateScaling } from '../auto-scaling/service-scaling';
import { ServiceCluster } from '../cluster/service-cluster';
import { ecsClusterOf } from '../cluster/imported-cluster';
import { taskStartDependencies } from '../network/task-start';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { attachEbsVolume, validateEbsVolume } from '../task-definition/ebs-volume';
import { EcsDeploymentProps, validateDeployment } from '../deployment/service-deployment';
import { ServiceTaskDefinition } from '../task-definition/service-task-definition';
import { validateTaskOptions } from '../task-definition/task-validation';
import { checkPattern, checkRange, fail, formatValue } from '../validation/checks';
import { ConfigurationError } from '../validation/configuration-error';
import { applyServiceConnect, validateServiceConnect } from './service-connect';
import { ServiceOptions } from './service-options';

/**
 * The parts every long-running service shares (web service, worker): one place for the
 * deployment-safety defaults, so each kind of service gets the same.
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

/** What `buildService` creates. */
export interface ServiceParts {
  readonly task: ServiceTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  /** An ecs.FargateService, or an ecs.Ec2Service with `ec2Capacity`. */
  readonly service: ecs.BaseService;
  /** The port published through Service Connect, when the service publishes one. */
  readonly serviceConnectPort?: number;
}

/**
 * Creates the task definition ('Task'), the tasks' security group ('SecurityGroup') and the
 * service ('Service') under `scope`, with the library's deployment defaults.
 */
export function buildService(
  scope: Construct, props: ServiceOptions, cluster: IServiceCluster,
  options: {
    containerPort?: number; healthCheckGracePeriod?: Duration; securityGroupDescription: string;
    /** Shared groups the tasks also join (the load balancer's target group of security). */
    additionalSecurityGroups?: ec2.ISecurityGroup[];
    /** Strategy, deployment alarms, lifecycle hooks, AZ rebalancing (lib/deployment). */
    deploymentProps?: EcsDeploymentProps;
  },
): ServiceParts {
  const task = new ServiceTaskDefinition(scope, 'Task', { ...props, containerPort: options.containerPort });
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
  registerServiceName(scope, props.serviceName, cluster);
  const serviceConnectPort = applyServiceConnect(scope, props, cluster, service, task.taskDefinition, options.containerPort);
  return { task, securityGroup, service, serviceConnectPort };
}

/**
 * What comes after the service exists: scaling, the Spot capacity check and the ECS Exec
 * acknowledgement. Returns the scalable task count when scaling is on.
 */
export function finishService(
  scope: IConstruct, props: ServiceOptions, cluster: IServiceCluster, parts: ServiceParts,
  targetGroup?: elbv2.ApplicationTargetGroup,
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
    Validations.of(parts.task.taskDefinition.taskRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ECS Exec (enableExecuteCommand) needs ssmmessages:Create/OpenControlChannel and Create/OpenDataChannel, which support no resource-level permissions.',
    });
  }
  return props.scaling ? applyScaling(parts.service, props.scaling, targetGroup) : undefined;
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
  options: { healthCheckGracePeriod?: Duration; additionalSecurityGroups?: ec2.ISecurityGroup[]; deploymentProps?: EcsDeploymentProps },
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
    securityGroups: [securityGroup, ...(options.additionalSecurityGroups ?? [])],
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
  options: { healthCheckGracePeriod?: Duration; additionalSecurityGroups?: ec2.ISecurityGroup[]; deploymentProps?: EcsDeploymentProps },
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
