import { Names, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { warnDrainShorterThanIdleTimeout } from '../load-balancer/drain-timing';
import { ServiceLoadBalancer } from '../load-balancer/service-load-balancer';
import { IServiceLoadBalancer } from '../load-balancer/service-load-balancer-ref';
import { createWebDeploymentAlarm, deploymentAlarmName, resolveAlarmSettings } from '../deployment/deployment-alarms';
import { ReleaseSafetyEstimate } from '../deployment/release-safety-estimate';
import { deploymentAlarmNames, libraryAlarmsEnabled, releaseSafetyOf, strategyOf, warnShortBake } from '../deployment/service-deployment';
import { checkDurationSeconds, checkPattern, checkPort, checkRange, fail } from '../validation/checks';
import { checkTargetGroupTimes, validateLoadBalancedService } from './load-balanced-checks';
import { ServiceBase } from './service-base';
import { withHttpServiceConnect } from './service-connect';
import { TargetHealthCheck, WebServiceOptions } from './web-service-options';
import { SidecarOptions } from '../task-definition/container-options';
import { MAIN_CONTAINER_NAME } from '../task-definition/service-task-options';

/**
 * Properties of a WebService.
 */
export interface WebServiceProps extends WebServiceOptions {
  /**
   * The cluster and network the tasks run in: a ServiceCluster, or an existing cluster
   * (`ServiceCluster.fromClusterAttributes`).
   */
  readonly cluster: IServiceCluster;

  /**
   * The load balancer that routes traffic to the service: a shared ServiceLoadBalancer, or an
   * existing load balancer's listener (`ServiceLoadBalancer.fromListenerAttributes`).
   */
  readonly loadBalancer: IServiceLoadBalancer;
}

/**
 * A load-balanced service on Fargate (or on EC2 capacity, with `ec2Capacity`) with fast, safe rolling deploys: circuit breaker with
 * rollback, 100 %/200 % healthy bounds, tight health checks and a short drain, so the
 * template's rolling-deploy estimate is 60 s by default.
 */
export class WebService extends ServiceBase {
  /** The target group the load balancer forwards to. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The listener rule, or undefined when the service is the listener's default action. */
  public readonly listenerRule?: elbv2.ApplicationListenerRule;
  /**
   * The port of the main container. When the load balancer reaches a sidecar
   * (`targetContainerName`) and no `containerPort` is given, the main container has no port and
   * this is the target port.
   */
  public readonly containerPort: number;
  /** The container the load balancer reaches: the main one unless `targetContainerName` names a sidecar. */
  public readonly targetContainerName: string;
  /** The port the load balancer reaches that container on. */
  public readonly targetPort: number;
  /**
   * Seconds a rolling deploy takes by the template's settings: 30 s assumed task start +
   * health-check interval × healthy threshold + deregistration delay.
   */
  public readonly rollingDeployEstimateSeconds: number;
  /**
   * The second target group ECS shifts traffic to with a canary, linear or blue/green strategy
   * (ECS alternates new revisions between the two); undefined with rolling.
   */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The rule on the test listener (blue/green with `testPort`). */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /**
   * The alarms ECS watches during deployments, rolling back when one goes off: the library's
   * `DeploymentAlarm` (5xx share or unhealthy targets) followed by `deployment.alarms.additionalAlarms`.
   */
  public readonly deploymentAlarms: cloudwatch.IAlarm[];
  /**
   * How long a release that passes its health checks and then fails requests stays in front of
   * users, by the template's settings (see ReleaseSafetyEstimate).
   */
  public readonly releaseSafety: ReleaseSafetyEstimate;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    validateWebService(this, props);

    const mainPort = mainPortOf(props);
    this.targetPort = targetSidecarOf(props)?.containerPort ?? mainPort!;
    this.containerPort = mainPort ?? this.targetPort;
    const healthCheck = props.healthCheck ?? {};
    const interval = healthCheck.interval ?? Defaults.healthCheckInterval;
    const healthyThresholdCount = healthCheck.healthyThresholdCount ?? Defaults.healthyThresholdCount;
    const deregistrationDelay = props.deregistrationDelay ?? Defaults.deregistrationDelay;
    this.rollingDeployEstimateSeconds = Defaults.assumedTaskStartSeconds
      + interval.toSeconds() * healthyThresholdCount + deregistrationDelay.toSeconds();

    // Deployment alarms have literal names, known before they exist (lib/deployment/deployment-alarms.ts).
    const strategy = strategyOf(props);
    const ownAlarms = libraryAlarmsEnabled(props);
    const alarmNames = deploymentAlarmNames(props, [deploymentAlarmName(this, 'DeploymentAlarm')]);

    // Its main port speaks HTTP (the load balancer's target group says so): Service Connect too.
    // The target group speaks HTTP to the target port: Service Connect on that port too.
    this._createService(withHttpServiceConnect(props, mainPort, this.targetPort), props.cluster, {
      deploymentAlarmNames: alarmNames,
      containerPort: mainPort,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Defaults.healthCheckGracePeriod,
      // Unchanged since 0.1: a new description would replace the group. Load balancer traffic now
      // comes through the load balancer's target security group.
      securityGroupDescription: `Tasks of ${this.node.path}: ingress from the load balancer only`,
      additionalSecurityGroups: [props.loadBalancer.targetSecurityGroup],
    });

    this.targetContainerName = props.targetContainerName ?? this.container.containerName;

    const targetGroupProps: elbv2.ApplicationTargetGroupProps = {
      vpc: props.cluster.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: this.targetPort,
      deregistrationDelay,
      healthCheck: {
        enabled: true,
        path: healthCheck.path ?? Defaults.healthCheckPath,
        port: healthCheck.port !== undefined ? String(healthCheck.port) : undefined,
        protocol: elbv2.Protocol.HTTP,
        interval,
        timeout: healthCheck.timeout ?? Defaults.healthCheckTimeout,
        healthyThresholdCount,
        unhealthyThresholdCount: healthCheck.unhealthyThresholdCount ?? Defaults.unhealthyThresholdCount,
        healthyHttpCodes: healthCheck.healthyHttpCodes ?? Defaults.healthyHttpCodes,
      },
    };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', targetGroupProps);
    // The tasks join the load balancer's shared target security group, which admits the load
    // balancer on this port: two rules per port for all services, not two per service.
    props.loadBalancer.openTargetPort(this.targetPort);
    if (healthCheck.port !== undefined) props.loadBalancer.openTargetPort(healthCheck.port);
    const routeId = Names.uniqueId(this);
    if (!strategy.shiftsTraffic) {
      this.targetGroup.addTarget(withoutConnectionRules(this.ecsService.loadBalancerTarget({
        containerName: this.targetContainerName,
        containerPort: this.targetPort,
      })));
    } else {
      // Canary, linear, blue/green: a second target group, the same in every setting, that ECS
      // alternates new revisions into; the route's rule forwards to both with weights ECS sets.
      this.alternateTargetGroup = new elbv2.ApplicationTargetGroup(this, 'AlternateTargetGroup', targetGroupProps);
    }

    this.listenerRule = props.loadBalancer.addTarget(routeId, {
      targetGroup: this.targetGroup,
      alternateTargetGroup: this.alternateTargetGroup,
      pathPatterns: props.pathPatterns,
      hostHeaders: props.hostHeaders,
      sourceCidrs: props.sourceCidrs,
      priority: props.priority,
      ruleScope: this,
    });
    warnDrainShorterThanIdleTimeout(this, props.loadBalancer, props.deregistrationDelay);

    if (this.alternateTargetGroup && this.listenerRule) {
      if (strategy.testPort !== undefined) {
        // Checked in validateWebService: only a ServiceLoadBalancer of this app can get a test listener.
        this.testListenerRule = (props.loadBalancer as ServiceLoadBalancer).addTestRoute(routeId, { port: strategy.testPort, ruleScope: this });
      }
      // The role ECS uses to register tasks in the target groups and change the rules' weights.
      const trafficRole = new iam.Role(this, 'TrafficShiftRole', {
        assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
        description: `ECS shifts traffic of ${this.node.path} between its two target groups`,
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
      });
      Validations.of(trafficRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
        reason: 'AWS\'s managed policy for the ECS infrastructure role of blue/green, linear and canary deployments: AWS keeps it in step with the load balancer calls ECS makes.',
      });
      this.targetGroup.addTarget(withoutConnectionRules(this.ecsService.loadBalancerTarget({
        containerName: this.targetContainerName,
        containerPort: this.targetPort,
        alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
          alternateTargetGroup: this.alternateTargetGroup,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.listenerRule),
          testListener: this.testListenerRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(this.testListenerRule) : undefined,
          role: trafficRole,
        }),
      })));
    }

    // The deployment alarms read the target groups' metrics (never the service's), so the
    // service can depend on them without a cycle: ECS finds them when it starts a deployment.
    const ours = ownAlarms
      ? [createWebDeploymentAlarm(this, [this.targetGroup, ...(this.alternateTargetGroup ? [this.alternateTargetGroup] : [])], resolveAlarmSettings(props.deployment?.alarms))]
      : [];
    this.deploymentAlarms = this._watchDeploymentAlarms(props, ours, 'deployment.alarms.enabled is false and no additionalAlarms are given');
    this.releaseSafety = releaseSafetyOf(props, ours.length > 0, this.rollingDeployEstimateSeconds, deregistrationDelay.toSeconds());
    warnShortBake(this, props, this.releaseSafety.detectSeconds);

    this._finishService(props, props.cluster, this.targetGroup);
  }

  /**
   * The connections of the tasks' own security group, so other resources can allow this
   * service. Not the load balancer's shared target group: allowing this service must not allow
   * every other service behind the same load balancer, nor `additionalSecurityGroups`
   * (`ecsService.connections` holds all of them).
   */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }
}

function validateWebService(scope: IConstruct, props: WebServiceProps): void {
  if (!props.cluster) fail(scope, 'cluster', props.cluster, 'is missing', 'give a ServiceCluster, or an existing cluster from ServiceCluster.fromClusterAttributes');
  if (!props.loadBalancer) fail(scope, 'loadBalancer', props.loadBalancer, 'is missing', 'give a ServiceLoadBalancer, or an existing listener from ServiceLoadBalancer.fromListenerAttributes');
  const strategy = strategyOf(props);
  if (strategy.shiftsTraffic && props.scaling?.requestsPerTarget !== undefined) {
    // ALBRequestCountPerTarget is per target group, and ECS moves the traffic to the other group
    // at every deployment: the policy would watch an empty group half of the time.
    fail(scope, 'scaling.requestsPerTarget', props.scaling.requestsPerTarget, `cannot be combined with the ${strategy.type} strategy: ECS moves traffic between two target groups and request-count scaling follows one`,
      'scale on targetCpuPercent or targetMemoryPercent with canary, linear and blue/green, or deploy rolling to keep requestsPerTarget');
  }
  const testPort = strategy.testPort;
  if (testPort !== undefined && !(props.loadBalancer instanceof ServiceLoadBalancer)) {
    fail(scope, 'deployment.strategy.testPort', testPort, `needs a test listener on the load balancer, and ${props.loadBalancer.node.path} is an existing listener this app does not own`,
      'leave testPort out (blue/green still shifts production traffic after the bake), or use a ServiceLoadBalancer of this app');
  }
  // Checked with Service Connect's defaults, which name the target sidecar's port when the main container has none.
  const mainPort = mainPortOf(props);
  validateLoadBalancedService(scope, withHttpServiceConnect(props, mainPort, targetSidecarOf(props)?.containerPort ?? mainPort), props.cluster, props.loadBalancer, mainPort ?? null);
  validateTargetContainer(scope, props);
  validateHealthCheck(scope, props.healthCheck);
  checkTargetGroupTimes(scope, props);
}

/** The sidecar `targetContainerName` names, if it names one. */
function targetSidecarOf(props: WebServiceProps): SidecarOptions | undefined {
  return props.targetContainerName === undefined ? undefined : props.sidecars?.find((s) => s.containerName === props.targetContainerName);
}

/**
 * The main container's port: `containerPort`, else 8080, except when the load balancer reaches a
 * sidecar: then the main container has a port only if it is given.
 */
function mainPortOf(props: WebServiceProps): number | undefined {
  return props.containerPort ?? (targetSidecarOf(props) ? undefined : Defaults.containerPort);
}

/** `targetContainerName` names a sidecar with a port, other than the main container's. */
function validateTargetContainer(scope: IConstruct, props: WebServiceProps): void {
  const name = props.targetContainerName;
  if (name === undefined || name === (props.containerName ?? MAIN_CONTAINER_NAME)) return;
  const sidecar = props.sidecars?.find((s) => s.containerName === name);
  const names = (props.sidecars ?? []).map((s) => s.containerName);
  if (!sidecar) {
    fail(scope, 'targetContainerName', name, 'is not a container of the task', `use the main container's name or a sidecar's${names.length ? ` (${names.join(', ')})` : ' (the task has no sidecars)'}`);
  }
  if (sidecar.containerPort === undefined) fail(scope, 'targetContainerName', name, 'names a sidecar without a containerPort, so the load balancer has no port to reach', `give sidecar ${name} a containerPort`);
}

function validateHealthCheck(scope: IConstruct, healthCheck: TargetHealthCheck | undefined): void {
  if (!healthCheck) return;
  checkPort(scope, 'healthCheck.port', healthCheck.port);
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

/**
 * The service as a load balancer target, minus the per-service security group rules aws-cdk-lib
 * would add (load balancer egress to the tasks, task ingress from it): the load balancer's
 * target security group already carries them once per port.
 */
function withoutConnectionRules(target: ecs.IEcsLoadBalancerTarget): elbv2.IApplicationLoadBalancerTarget {
  return {
    attachToApplicationTargetGroup: (targetGroup: elbv2.IApplicationTargetGroup) => target.attachToApplicationTargetGroup(
      new Proxy(targetGroup, {
        get: (group, property) => property === 'registerConnectable' ? () => undefined : Reflect.get(group, property) as unknown,
      }),
    ),
  };
}
