import { Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { applyScaling, validateScaling } from '../auto-scaling/service-scaling';
import { ServiceCluster } from '../cluster/service-cluster';
import { Defaults } from '../defaults';
import { ServiceLoadBalancer } from '../load-balancer/service-load-balancer';
import { ServiceTaskDefinition } from '../task-definition/service-task-definition';
import { validateTaskOptions } from '../task-definition/task-validation';
import { checkDurationSeconds, checkPattern, checkRange, fail, formatValue } from '../validation/checks';
import { ConfigurationError } from '../validation/configuration-error';
import { TargetHealthCheck, WebServiceOptions } from './web-service-options';

/**
 * Properties of a WebService.
 */
export interface WebServiceProps extends WebServiceOptions {
  /**
   * The cluster and network the tasks run in.
   */
  readonly cluster: ServiceCluster;

  /**
   * The shared load balancer that routes traffic to the service.
   */
  readonly loadBalancer: ServiceLoadBalancer;
}

/**
 * A load-balanced Fargate service with fast, safe rolling deploys: circuit breaker with
 * rollback, 100 %/200 % healthy bounds, tight health checks and a short drain, so the
 * template's rolling-deploy estimate is 60 s by default.
 */
export class WebService extends Construct {
  /** The task definition with its containers and log group. */
  public readonly task: ServiceTaskDefinition;
  /** The ECS task definition (same as `task.taskDefinition`). */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The tasks' security group: ingress only from the load balancer on the container port. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The target group the load balancer forwards to. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The listener rule, or undefined when the service is the listener's default action. */
  public readonly listenerRule?: elbv2.ApplicationListenerRule;
  /** The scalable task count, when scaling is on: add more policies to it. */
  public readonly scaling?: ecs.ScalableTaskCount;
  /** The port of the main container. */
  public readonly containerPort: number;
  /**
   * Seconds a rolling deploy takes by the template's settings: 30 s assumed task start +
   * health-check interval × healthy threshold + deregistration delay.
   */
  public readonly rollingDeployEstimateSeconds: number;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    validateWebService(this, props);

    this.containerPort = props.containerPort ?? Defaults.containerPort;
    const healthCheck = props.healthCheck ?? {};
    const interval = healthCheck.interval ?? Defaults.healthCheckInterval;
    const healthyThresholdCount = healthCheck.healthyThresholdCount ?? Defaults.healthyThresholdCount;
    const deregistrationDelay = props.deregistrationDelay ?? Defaults.deregistrationDelay;
    this.rollingDeployEstimateSeconds = Defaults.assumedTaskStartSeconds
      + interval.toSeconds() * healthyThresholdCount + deregistrationDelay.toSeconds();

    this.task = new ServiceTaskDefinition(this, 'Task', { ...props, containerPort: this.containerPort });
    this.taskDefinition = this.task.taskDefinition;
    this.container = this.task.container;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `Tasks of ${this.node.path}: ingress from the load balancer only`,
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: props.serviceName,
      desiredCount: props.scaling ? undefined : (props.desiredCount ?? Defaults.desiredCount),
      minHealthyPercent: props.minHealthyPercent ?? Defaults.minHealthyPercent,
      maxHealthyPercent: props.maxHealthyPercent ?? Defaults.maxHealthyPercent,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Defaults.healthCheckGracePeriod,
      vpcSubnets: props.cluster.taskSubnets,
      assignPublicIp: props.assignPublicIp ?? props.cluster.assignPublicIp,
      securityGroups: [this.securityGroup],
      enableExecuteCommand: props.enableExecuteCommand ?? false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      capacityProviderStrategies: props.spot ? [
        { capacityProvider: 'FARGATE', weight: props.spot.onDemandWeight ?? 1, base: props.spot.onDemandBase ?? 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: props.spot.spotWeight },
      ] : undefined,
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.cluster.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: this.containerPort,
      deregistrationDelay,
      healthCheck: {
        enabled: true,
        path: healthCheck.path ?? Defaults.healthCheckPath,
        protocol: elbv2.Protocol.HTTP,
        interval,
        timeout: healthCheck.timeout ?? Defaults.healthCheckTimeout,
        healthyThresholdCount,
        unhealthyThresholdCount: healthCheck.unhealthyThresholdCount ?? Defaults.unhealthyThresholdCount,
        healthyHttpCodes: healthCheck.healthyHttpCodes ?? Defaults.healthyHttpCodes,
      },
    });
    this.targetGroup.addTarget(this.service.loadBalancerTarget({
      containerName: this.container.containerName,
      containerPort: this.containerPort,
    }));
    this.securityGroup.connections.allowFrom(
      props.loadBalancer.securityGroup, ec2.Port.tcp(this.containerPort), 'Load balancer to the tasks',
    );

    this.listenerRule = props.loadBalancer.addTarget(Names.uniqueId(this), {
      targetGroup: this.targetGroup,
      pathPatterns: props.pathPatterns,
      hostHeaders: props.hostHeaders,
      priority: props.priority,
    });

    if (props.scaling) {
      this.scaling = applyScaling(this.service, props.scaling, this.targetGroup);
    }

    if (props.spot) {
      // A strategy naming a capacity provider the cluster lacks fails only at deploy time.
      const cluster = props.cluster.cluster;
      this.node.addValidation({
        validate: () => ['FARGATE', 'FARGATE_SPOT'].every((name) => cluster.capacityProviderNames.includes(name)) ? [] : [
          new ConfigurationError(this.node.path, 'spot', formatValue(props.spot), 'needs the FARGATE and FARGATE_SPOT capacity providers on the cluster',
            'create the ServiceCluster with enableFargateSpot left on, or leave spot out').message,
        ],
      });
    }

    if (props.enableExecuteCommand) {
      Validations.of(this.taskDefinition.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5',
        reason: 'ECS Exec (enableExecuteCommand) needs ssmmessages:Create/OpenControlChannel and Create/OpenDataChannel, which support no resource-level permissions.',
      });
    }
  }
}

function validateWebService(scope: IConstruct, props: WebServiceProps): void {
  if (!props.cluster) fail(scope, 'cluster', props.cluster, 'is missing', 'give a ServiceCluster');
  if (!props.loadBalancer) fail(scope, 'loadBalancer', props.loadBalancer, 'is missing', 'give a ServiceLoadBalancer');
  // A target group in another VPC than its load balancer synthesizes but fails at deploy time.
  const lbVpc = props.loadBalancer.loadBalancer.vpc;
  const resolve = (vpc: ec2.IVpc) => JSON.stringify(Stack.of(scope).resolve(vpc.vpcId));
  if (lbVpc && lbVpc !== props.cluster.vpc && resolve(lbVpc) !== resolve(props.cluster.vpc)) {
    fail(scope, 'loadBalancer', props.loadBalancer.node.path, `is in VPC ${lbVpc.node.path}, not in the cluster's VPC ${props.cluster.vpc.node.path}`,
      'give a load balancer and a cluster in the same VPC');
  }
  // Task props are the user's props of this construct: name this construct, not the Task child.
  // With the default port filled in, so a sidecar on 8080 is caught here too.
  validateTaskOptions(scope, { ...props, containerPort: props.containerPort ?? Defaults.containerPort }, '');
  if (props.assignPublicIp === false && props.cluster.assignPublicIp) {
    fail(scope, 'assignPublicIp', false, 'in the cluster\'s public task subnets leaves tasks unable to pull images',
      'leave assignPublicIp unset (the cluster\'s layout decides), or use a cluster whose tasks run in private subnets');
  }
  if (props.assignPublicIp === true && !props.cluster.assignPublicIp) {
    fail(scope, 'assignPublicIp', true, 'in the cluster\'s private task subnets adds a public IPv4 address ($3.65/month per task) that cannot be reached',
      'leave assignPublicIp unset (the cluster\'s layout decides), or use a cluster with public task subnets');
  }
  validateHealthCheck(scope, props.healthCheck);
  // The target group's limits.
  checkDurationSeconds(scope, 'deregistrationDelay', props.deregistrationDelay, 0, 3600);
  checkDurationSeconds(scope, 'healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2_147_483_647);
  checkRange(scope, 'minHealthyPercent', props.minHealthyPercent, 0, 100);
  checkRange(scope, 'maxHealthyPercent', props.maxHealthyPercent, 100, 200);
  const min = props.minHealthyPercent ?? Defaults.minHealthyPercent;
  const max = props.maxHealthyPercent ?? Defaults.maxHealthyPercent;
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min >= max) {
    fail(scope, 'maxHealthyPercent', max, `leaves no room to deploy with minHealthyPercent ${min}`, 'make maxHealthyPercent greater than minHealthyPercent (a deploy could start no task, nor stop one)');
  }
  checkPattern(scope, 'serviceName', props.serviceName, /^[a-zA-Z0-9_-]{1,255}$/, 'use 1–255 letters, digits, hyphens and underscores');
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
  validateScaling(scope, props.scaling, props.desiredCount, true);
}

function validateHealthCheck(scope: IConstruct, healthCheck: TargetHealthCheck | undefined): void {
  if (!healthCheck) return;
  checkPattern(scope, 'healthCheck.path', healthCheck.path, /^\/[\x21-\x7e]{0,1023}$/, 'use a path that starts with "/" (up to 1024 printable characters, no spaces)');
  // Application Load Balancer ranges.
  checkDurationSeconds(scope, 'healthCheck.interval', healthCheck.interval, 5, 300);
  checkDurationSeconds(scope, 'healthCheck.timeout', healthCheck.timeout, 2, 120);
  checkRange(scope, 'healthCheck.healthyThresholdCount', healthCheck.healthyThresholdCount, 2, 10);
  checkRange(scope, 'healthCheck.unhealthyThresholdCount', healthCheck.unhealthyThresholdCount, 2, 10);
  const interval = healthCheck.interval ?? Defaults.healthCheckInterval;
  const timeout = healthCheck.timeout ?? Defaults.healthCheckTimeout;
  if (!interval.isUnresolved() && !timeout.isUnresolved() && timeout.toSeconds() >= interval.toSeconds()) {
    fail(scope, 'healthCheck.timeout', timeout, `is not shorter than healthCheck.interval ${interval.toHumanString()}`, 'make the timeout shorter than the interval');
  }
  checkPattern(scope, 'healthCheck.healthyHttpCodes', healthCheck.healthyHttpCodes,
    /^[2-4]\d\d(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*$/, 'use codes from 200 to 499 as "200", "200-299" or "200,302"');
}

