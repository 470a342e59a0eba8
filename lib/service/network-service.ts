import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { deploymentAlarmNames, releaseSafetyOf, strategyOf } from '../deployment/service-deployment';
import { ReleaseSafetyEstimate } from '../deployment/release-safety-estimate';
import { ServiceNetworkLoadBalancer } from '../load-balancer/service-network-load-balancer';
import { NetworkProtocol } from '../load-balancer/service-network-load-balancer-props';
import { checkDurationSeconds, checkPattern, checkPort, checkRange, fail } from '../validation/checks';
import { NetworkHealthCheck, NetworkHealthCheckProtocol, NetworkServiceOptions } from './network-service-options';
import { checkTargetGroupTimes, validateLoadBalancedService } from './load-balanced-checks';
import { ServiceBase } from './service-base';

/**
 * Properties of a NetworkService.
 */
export interface NetworkServiceProps extends NetworkServiceOptions {
  /** The cluster and network the tasks run in. */
  readonly cluster: IServiceCluster;

  /** The Network Load Balancer that sends the service its connections, on `port`. */
  readonly loadBalancer: ServiceNetworkLoadBalancer;
}

/**
 * A TCP, UDP or TLS service on Fargate (or EC2 capacity) behind a shared Network Load Balancer,
 * on its own listener port, with the same fast rolling deploys as a WebService: circuit breaker
 * with rollback, 100 %/200 % healthy bounds, a 5 s TCP health check and a 120 s drain, so the
 * template's rolling-deploy estimate is 160 s by default (plus the load balancer's registration
 * time, see docs/figures.md).
 *
 * No deployment alarm of the library's own: a Network Load Balancer sees no request outcomes
 * (no HTTP codes), and its health and reset counts move on every healthy deploy. The circuit
 * breaker rolls back tasks that fail to start or fail their health checks; give
 * `deployment.alarms.additionalAlarms` (your application's error metrics) for the rest.
 */
export class NetworkService extends ServiceBase {
  /** The target group the listener forwards to. */
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** The service's listener on the load balancer. */
  public readonly listener: elbv2.NetworkListener;
  /** The port of the main container. */
  public readonly containerPort: number;
  /** The load balancer port clients connect to. */
  public readonly port: number;
  /**
   * Seconds a rolling deploy takes by the template's settings: 30 s assumed task start +
   * health-check interval × healthy threshold + deregistration delay. Network Load Balancer
   * registration adds its own time, which is not in this figure (see docs/figures.md).
   */
  public readonly rollingDeployEstimateSeconds: number;
  /** The alarms ECS watches during deployments: `deployment.alarms.additionalAlarms` only. */
  public readonly deploymentAlarms: cloudwatch.IAlarm[];
  /** How long a release that passes its health checks and then fails stays (see ReleaseSafetyEstimate). */
  public readonly releaseSafety: ReleaseSafetyEstimate;

  constructor(scope: Construct, id: string, props: NetworkServiceProps) {
    super(scope, id);
    validateNetworkService(this, props);

    const protocol = props.protocol ?? NetworkProtocol.TCP;
    this.port = props.port;
    this.containerPort = props.containerPort ?? Defaults.containerPort;
    const healthCheck = props.healthCheck ?? {};
    const interval = healthCheck.interval ?? Defaults.healthCheckInterval;
    const healthyThresholdCount = healthCheck.healthyThresholdCount ?? Defaults.healthyThresholdCount;
    const deregistrationDelay = props.deregistrationDelay ?? Defaults.networkDeregistrationDelay;
    this.rollingDeployEstimateSeconds = Defaults.assumedTaskStartSeconds
      + interval.toSeconds() * healthyThresholdCount + deregistrationDelay.toSeconds();

    this._createService(props, props.cluster, {
      deploymentAlarmNames: deploymentAlarmNames(props, []),
      containerPort: this.containerPort,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Defaults.healthCheckGracePeriod,
      securityGroupDescription: `Tasks of ${this.node.path}: ingress from the network load balancer only`,
      additionalSecurityGroups: [props.loadBalancer.targetSecurityGroup],
    });
    const udp = protocol === NetworkProtocol.UDP || protocol === NetworkProtocol.TCP_UDP;
    if (protocol === NetworkProtocol.UDP) {
      // One mapping per load-balanced port: ECS has refused to create a load-balanced service whose
      // container port appears in two mappings, TCP and UDP ("Container port … is used in more than
      // one port mapping", aws/amazon-ecs-agent#3428). In awsvpc mode a mapping does not filter
      // traffic (the security groups do), so the TCP health check reaches the port all the same.
      // TCP_UDP keeps the TCP mapping alone, for the same reason.
      const mappings = this.container.portMappings;
      const index = mappings.findIndex((mapping) => mapping.containerPort === this.containerPort);
      if (index >= 0) mappings[index] = { ...mappings[index], protocol: ecs.Protocol.UDP };
    }

    const targetProtocol = protocol === NetworkProtocol.TLS ? elbv2.Protocol.TCP : protocol as unknown as elbv2.Protocol;
    const checkProtocol = healthCheck.protocol ?? Defaults.networkHealthCheckProtocol as NetworkHealthCheckProtocol;
    const http = checkProtocol !== NetworkHealthCheckProtocol.TCP;
    const healthCheckPort = healthCheck.port ?? this.containerPort;
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', {
      vpc: props.cluster.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: targetProtocol,
      port: this.containerPort,
      deregistrationDelay,
      connectionTermination: Defaults.networkConnectionTermination,
      // Stated in the template, so the setting does not depend on the protocol's AWS default.
      preserveClientIp: props.preserveClientIp ?? udp,
      healthCheck: {
        enabled: true,
        protocol: checkProtocol as unknown as elbv2.Protocol,
        port: healthCheck.port !== undefined ? String(healthCheck.port) : undefined,
        path: http ? (healthCheck.path ?? Defaults.healthCheckPath) : undefined,
        healthyHttpCodes: http ? (healthCheck.healthyHttpCodes ?? Defaults.networkHealthyHttpCodes) : undefined,
        interval,
        timeout: healthCheck.timeout ?? Defaults.healthCheckTimeout,
        healthyThresholdCount,
        unhealthyThresholdCount: healthCheck.unhealthyThresholdCount ?? Defaults.unhealthyThresholdCount,
      },
    });
    props.loadBalancer.openTargetPort(this.containerPort, protocol);
    if (healthCheckPort !== this.containerPort || protocol === NetworkProtocol.UDP) {
      props.loadBalancer.openTargetPort(healthCheckPort, NetworkProtocol.TCP);
    }
    // The listener belongs to the service (created in its scope and stack): removing the service
    // removes its listener and frees the port.
    this.listener = props.loadBalancer.addListener(this, 'Listener', {
      port: props.port,
      protocol,
      targetGroup: this.targetGroup,
      certificate: props.certificate,
      sslPolicy: props.sslPolicy,
      alpnPolicy: props.alpnPolicy,
    });
    // Registering the service orders it after the listener (the target group's
    // loadBalancerAttached): ECS refuses a target group no listener forwards to.
    this.targetGroup.addTarget(this.ecsService.loadBalancerTarget({
      containerName: this.container.containerName,
      containerPort: this.containerPort,
      protocol: protocol === NetworkProtocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP,
    }));

    this.deploymentAlarms = this._watchDeploymentAlarms(props, [],
      'a network load balancer sees no request outcomes, so the library adds none; give your application\'s error alarms as additionalAlarms');
    this.releaseSafety = releaseSafetyOf(props, false, this.rollingDeployEstimateSeconds, deregistrationDelay.toSeconds());
    this._finishService(props, props.cluster);
  }

  /**
   * The connections of the tasks' own security group, so other resources can allow this
   * service (not the load balancer's shared target group, which every service behind it joins).
   */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }
}

function validateNetworkService(scope: IConstruct, props: NetworkServiceProps): void {
  if (!props.cluster) fail(scope, 'cluster', props.cluster, 'is missing', 'give a ServiceCluster');
  if (!(props.loadBalancer instanceof ServiceNetworkLoadBalancer)) {
    fail(scope, 'loadBalancer', props.loadBalancer, 'is not a ServiceNetworkLoadBalancer', 'give a ServiceNetworkLoadBalancer of this app');
  }
  checkPort(scope, 'port', props.port);
  if (props.port === undefined) fail(scope, 'port', props.port, 'is missing', 'give the load balancer port clients connect to');
  const protocol = props.protocol ?? NetworkProtocol.TCP;
  const strategy = strategyOf(props);
  if (strategy.shiftsTraffic) {
    fail(scope, 'deployment.strategy', strategy.type, 'is not available for a NetworkService: this library shifts canary, linear and blue/green traffic through ALB listener rules',
      'use DeploymentStrategy.rolling() (the default; the circuit breaker and your additionalAlarms roll a bad release back)');
  }
  if (props.scaling?.requestsPerTarget !== undefined) {
    fail(scope, 'scaling.requestsPerTarget', props.scaling.requestsPerTarget, 'needs an Application Load Balancer: a network load balancer counts no requests',
      'scale on targetCpuPercent or targetMemoryPercent');
  }
  if (props.preserveClientIp === false && (protocol === NetworkProtocol.UDP || protocol === NetworkProtocol.TCP_UDP)) {
    fail(scope, 'preserveClientIp', false, `cannot be turned off with ${protocol}: the load balancer always preserves UDP clients' addresses`,
      'leave preserveClientIp unset with UDP and TCP_UDP');
  }
  validateLoadBalancedService(scope, props, props.cluster, props.loadBalancer);
  validateNetworkHealthCheck(scope, props.healthCheck);
  checkTargetGroupTimes(scope, props);
}

function validateNetworkHealthCheck(scope: IConstruct, healthCheck: NetworkHealthCheck | undefined): void {
  if (!healthCheck) return;
  const protocol = healthCheck.protocol ?? NetworkHealthCheckProtocol.TCP;
  if (!Object.values(NetworkHealthCheckProtocol).includes(protocol)) {
    fail(scope, 'healthCheck.protocol', protocol, 'is not a protocol a network load balancer health-checks with (not UDP, not TLS)',
      'use NetworkHealthCheckProtocol.TCP, HTTP or HTTPS; a UDP service must answer one of them on healthCheck.port');
  }
  checkPort(scope, 'healthCheck.port', healthCheck.port);
  // Network Load Balancer ranges (CreateTargetGroup).
  checkDurationSeconds(scope, 'healthCheck.interval', healthCheck.interval, 5, 300);
  checkDurationSeconds(scope, 'healthCheck.timeout', healthCheck.timeout, 2, 120);
  checkRange(scope, 'healthCheck.healthyThresholdCount', healthCheck.healthyThresholdCount, 2, 10);
  checkRange(scope, 'healthCheck.unhealthyThresholdCount', healthCheck.unhealthyThresholdCount, 2, 10);
  const interval = healthCheck.interval ?? Defaults.healthCheckInterval;
  const timeout = healthCheck.timeout ?? Defaults.healthCheckTimeout;
  if (!interval.isUnresolved() && !timeout.isUnresolved() && timeout.toSeconds() >= interval.toSeconds()) {
    fail(scope, 'healthCheck.timeout', timeout, `is not shorter than healthCheck.interval ${interval.toHumanString()}`, 'make the timeout shorter than the interval');
  }
  if (protocol === NetworkHealthCheckProtocol.TCP) {
    if (healthCheck.path !== undefined) fail(scope, 'healthCheck.path', healthCheck.path, 'is given for a TCP health check, which requests no path', 'use NetworkHealthCheckProtocol.HTTP or HTTPS, or leave path out');
    if (healthCheck.healthyHttpCodes !== undefined) {
      fail(scope, 'healthCheck.healthyHttpCodes', healthCheck.healthyHttpCodes, 'is given for a TCP health check, which gets no HTTP code', 'use NetworkHealthCheckProtocol.HTTP or HTTPS, or leave healthyHttpCodes out');
    }
  }
  checkPattern(scope, 'healthCheck.path', healthCheck.path, /^\/[\x21-\x7e]{0,1023}$/, 'use a path that starts with "/" (up to 1024 printable characters, no spaces)');
  // NLB accepts 200–599 (the ALB 200–499).
  checkPattern(scope, 'healthCheck.healthyHttpCodes', healthCheck.healthyHttpCodes,
    /^[2-5]\d\d(-[2-5]\d\d)?(,[2-5]\d\d(-[2-5]\d\d)?)*$/, 'use codes from 200 to 599 as "200", "200-299" or "200,302"');
}
