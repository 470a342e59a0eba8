import { Annotations, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { governedDeletionProtection } from '../governance/governance';
import { skipCheckov } from '../validation/checkov';
import { checkDurationSeconds, checkPattern, fail, formatValue } from '../validation/checks';
import { configureAccessLogs, validateAccessLogs } from './access-logs';
import { recordIdleTimeout } from './drain-timing';
import { ImportedServiceLoadBalancer } from './imported-load-balancer';
import { HTTP_PORT, HTTPS_PORT, noRouteAction } from './listener-defaults';
import { ListenerRoutes } from './listener-routes';
import { addIngress, literalVpcCidr } from './load-balancer-ingress';
import { validateCidrs, validateDomain, validateDualStack, validateSubnets } from './load-balancer-validation';
import { cidrsCover } from './route-validation';
import { IServiceLoadBalancer, ServiceLoadBalancerAttributes, ServiceRouteOptions, ServiceTestRouteOptions } from './service-load-balancer-ref';
import { ServiceLoadBalancerProps } from './service-load-balancer-props';
import { validateTargetGroupCount } from './target-group-quota';
import { TestListeners } from './test-listeners';

/** The warning for a blue/green test route whose sources leave out callers the test listener admits. */
export const TEST_ROUTE_SOURCES_WARNING = 'ecs-service-kit:test-route-sources';

// The props live in their own file; they are exported from here so that importers of this file,
// and index.ts through it, see them under the same names.
export * from './service-load-balancer-props';

/**
 * An Application Load Balancer that several services share, each attaching by host and/or
 * path through `addTarget`.
 *
 * With a certificate (given, or created for `domainName` in `hostedZone`) it listens on HTTPS:443
 * with a modern TLS policy and redirects HTTP:80 to HTTPS; without one it listens on HTTP:80 and
 * warns at synth. Requests that match no route get a 404. Invalid header fields are dropped,
 * access logs go to an encrypted, SSL-only, retained bucket, and the security group admits only
 * the listener ports from `allowedCidrs`.
 */
export class ServiceLoadBalancer extends Construct implements IServiceLoadBalancer {
  /**
   * An existing Application Load Balancer's listener, for services of this library: they add
   * listener rules to it and create nothing else of the load balancer's. See
   * ServiceLoadBalancerAttributes for what you give and what synth cannot check.
   */
  public static fromListenerAttributes(scope: Construct, id: string, attrs: ServiceLoadBalancerAttributes): IServiceLoadBalancer {
    return new ImportedServiceLoadBalancer(scope, id, attrs);
  }

  /** The Application Load Balancer: the escape hatch to the aws-cdk-lib L2. */
  public readonly applicationLoadBalancer: elbv2.ApplicationLoadBalancer;
  /** The VPC the load balancer and its targets are in. */
  public readonly vpc: ec2.IVpc;
  /** The ARN of `listener`. */
  public readonly listenerArn: string;
  /** The listener services attach to: HTTPS:443 with a certificate, else HTTP:80. */
  public readonly listener: elbv2.ApplicationListener;
  /** The HTTP:80 listener that redirects to HTTPS; only with a certificate. */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** The load balancer's security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The bucket receiving access logs; undefined when `accessLogs` is false. */
  public readonly accessLogBucket?: s3.IBucket;
  /** The certificate of the HTTPS listener, given or created. */
  public readonly certificate?: acm.ICertificate;
  /** Where the services are reached: `https://<domainName>`, else `<protocol>://<load balancer DNS name>`. */
  public readonly url: string;
  /** The protocol of `listener`. */
  public readonly protocol: elbv2.ApplicationProtocol;
  /** The port of `listener`. */
  public readonly port: number;
  /** The alias A record for `domainName`; only with `hostedZone`. */
  public readonly dnsRecord?: route53.ARecord;
  /** The alias AAAA record for `domainName`; only with `hostedZone` and `dualStack`. */
  public readonly dnsRecordIpv6?: route53.AaaaRecord;

  /**
   * The security group every service behind this load balancer joins: it admits the load
   * balancer on the services' ports, so the rules do not grow with the number of services.
   */
  public readonly targetSecurityGroup: ec2.ISecurityGroup;
  private readonly routing: ListenerRoutes;
  /** Test listeners by port, created by addTestRoute. */
  private readonly testListeners: TestListeners;
  /** Who the test listeners admit, as given (undefined: the VPC). */
  private readonly testListenerAllowedCidrs?: string[];

  constructor(scope: Construct, id: string, props: ServiceLoadBalancerProps) {
    super(scope, id);

    // --- validate ---
    validateDomain(this, props);
    const accessLogs = props.accessLogs ?? true;
    validateAccessLogs(this, props, accessLogs);
    checkDurationSeconds(this, 'idleTimeout', props.idleTimeout, 1, 4000);
    checkPattern(this, 'loadBalancerName', props.loadBalancerName, /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
      'use 1–32 letters, digits or hyphens, not starting or ending with a hyphen and not starting with "internal-"');
    validateSubnets(this, props);
    if (props.dualStack ?? false) validateDualStack(this, props);
    validateCidrs(this, props);

    // --- defaults ---
    const internetFacing = props.internetFacing ?? true;
    const dualStack = props.dualStack ?? false;
    const idleTimeout = props.idleTimeout ?? Defaults.idleTimeout;
    recordIdleTimeout(this, idleTimeout, props.idleTimeout !== undefined);
    const accessLogExpiryDays = props.accessLogExpiry?.toDays() ?? Defaults.accessLogExpiryDays;
    // TLS13_12_RES_PQ (ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09): AWS's recommended policy and
    // console default since the post-quantum policies shipped (2025-09). TLS 1.3 and 1.2 only,
    // AEAD (GCM/ChaCha) ciphers only with forward secrecy (the "Res" set drops AES-CBC and SHA-1),
    // and hybrid ML-KEM key exchange so recorded traffic stays safe from future quantum attacks.
    // Clients without PQ support negotiate classic ECDHE, so nothing that speaks TLS 1.2 breaks.
    // RECOMMENDED_TLS (TLS13-1-2-2021-06) still allows CBC ciphers and has no PQ key exchange.
    const sslPolicy = props.sslPolicy ?? Defaults.sslPolicy;

    // --- children ---
    this.certificate = props.certificate;
    if (!this.certificate && props.domainName !== undefined && props.hostedZone) {
      this.certificate = new acm.Certificate(this, 'Certificate', {
        domainName: props.domainName,
        validation: acm.CertificateValidation.fromDns(props.hostedZone),
      });
    }
    const https = this.certificate !== undefined;
    this.protocol = https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP;
    this.port = https ? HTTPS_PORT : HTTP_PORT;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Load balancer ${this.node.path}: ${https ? 'HTTPS 443 and HTTP 80 (redirect)' : 'HTTP 80'} from the allowed CIDRs`,
      // Egress to each service's tasks is added by the target-group connections when a service
      // attaches; nothing else needs to leave the load balancer.
      allowAllOutbound: false,
    });
    addIngress(this.securityGroup, props, internetFacing, dualStack, https ? [HTTPS_PORT, HTTP_PORT] : [HTTP_PORT]);
    this.targetSecurityGroup = new ec2.SecurityGroup(this, 'TargetSecurityGroup', {
      vpc: props.vpc,
      description: `Targets of ${this.node.path}: admits the load balancer on the target ports`,
      // Joined in addition to each service's own group, which decides the tasks' egress.
      allowAllOutbound: false,
    });

    this.applicationLoadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      internetFacing,
      securityGroup: this.securityGroup,
      ipAddressType: dualStack ? elbv2.IpAddressType.DUAL_STACK : elbv2.IpAddressType.IPV4,
      http2Enabled: true,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: props.desyncMitigationMode ?? Defaults.desyncMitigationMode,
      idleTimeout,
      deletionProtection: governedDeletionProtection(this, props.deletionProtection),
      loadBalancerName: props.loadBalancerName,
    });

    if (this.certificate) {
      this.listener = this.applicationLoadBalancer.addListener('HttpsListener', {
        port: HTTPS_PORT,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(this.certificate)],
        sslPolicy,
        open: false,
        defaultAction: noRouteAction(),
      });
      this.redirectListener = this.applicationLoadBalancer.addListener('HttpListener', {
        port: HTTP_PORT,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: String(HTTPS_PORT), permanent: true }),
      });
    } else {
      this.listener = this.applicationLoadBalancer.addListener('HttpListener', {
        port: HTTP_PORT,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: noRouteAction(),
      });
      const httpOnlyReason = 'HTTP-only because no certificate was given; the ecs-service-kit:http-only synth warning flags it and must be acknowledged with a reason.';
      skipCheckov(this.listener, 'CKV_AWS_2', httpOnlyReason);
      skipCheckov(this.listener, 'CKV_AWS_103', httpOnlyReason);
      Annotations.of(this).addWarningV2('ecs-service-kit:http-only',
        'The load balancer serves plain HTTP on port 80: traffic, cookies and credentials cross the network unencrypted. ' +
        'Give `certificate`, or `domainName` with `hostedZone`, to serve HTTPS on 443 and redirect HTTP to it.');
    }

    this.accessLogBucket = configureAccessLogs(this, this.applicationLoadBalancer, props, accessLogs, accessLogExpiryDays);

    if (props.hostedZone && props.domainName !== undefined) {
      const target = route53.RecordTarget.fromAlias(new route53targets.LoadBalancerTarget(this.applicationLoadBalancer));
      this.dnsRecord = new route53.ARecord(this, 'AliasRecord', { zone: props.hostedZone, recordName: props.domainName, target });
      if (dualStack) {
        this.dnsRecordIpv6 = new route53.AaaaRecord(this, 'AliasRecordIpv6', { zone: props.hostedZone, recordName: props.domainName, target });
      }
    }

    this.vpc = props.vpc;
    this.listenerArn = this.listener.listenerArn;
    const listener = this.listener;
    const allowTargetPort = (port: number) => this.securityGroup.connections.allowTo(this.targetSecurityGroup, ec2.Port.tcp(port), `Load balancer to its targets on ${port}`);
    this.routing = new ListenerRoutes(this, listener, allowTargetPort, (id, targetGroup) => {
      // Replacing the 404 default is the point of a default route, not a mistake.
      Validations.of(listener).acknowledge({
        id: '@aws-cdk/aws-elbv2:listenerExistingDefaultActionReplaced',
        reason: `ServiceLoadBalancer replaces its "no route" 404 with route ${id} on purpose.`,
      });
      listener.addAction(`${id}Default`, { action: elbv2.ListenerAction.forward([targetGroup]) });
    });
    this.testListenerAllowedCidrs = props.testListenerAllowedCidrs;
    this.testListeners = new TestListeners(this, {
      loadBalancer: this.applicationLoadBalancer,
      securityGroup: this.securityGroup,
      certificate: this.certificate,
      protocol: this.protocol,
      sslPolicy,
      props,
      internetFacing,
      dualStack,
    });

    const scheme = https ? 'https' : 'http';
    this.url = props.domainName !== undefined
      ? `${scheme}://${props.domainName}`
      : `${scheme}://${this.applicationLoadBalancer.loadBalancerDnsName}`;

    // Target groups can also reach the listeners outside addTarget (listener.addTargetGroups, rules
    // in other stacks), so the quota is counted over the whole app once it is complete.
    this.node.addValidation({ validate: () => validateTargetGroupCount(this, this.applicationLoadBalancer) });
  }

  /**
   * The Application Load Balancer.
   * @deprecated use `applicationLoadBalancer` (`lb.loadBalancer.loadBalancer` read the same word twice); removed in 1.0
   */
  public get loadBalancer(): elbv2.ApplicationLoadBalancer {
    return this.applicationLoadBalancer;
  }

  /**
   * Lets `caller` (a service, a security group, anything with connections) reach the listener
   * ports: 443 and 80 with HTTPS, 80 without. The shape of an internal load balancer for backends
   * other services call by HTTP: `internetFacing: false, allowedCidrs: []`, then `allowFrom` each
   * caller, so only they reach it (not the whole VPC). One ingress rule per caller group and port.
   *
   * @param caller the calling service or security group
   */
  public allowFrom(caller: ec2.IConnectable): void {
    const ports = this.redirectListener ? [this.port, HTTP_PORT] : [this.port];
    for (const port of ports) {
      // From the caller's side: aws-cdk-lib puts the rule in the caller's stack when the two differ
      // (the caller's stack already depends on this one: a rule here would be a cycle).
      caller.connections.allowTo(this.securityGroup, ec2.Port.tcp(port), `${port === HTTPS_PORT ? 'HTTPS' : 'HTTP'} from ${caller.connections.securityGroups.map((g) => g.node.path).join(', ') || 'the caller'}`);
    }
  }

  /**
   * Lets the load balancer reach targets in `targetSecurityGroup` on `port` (for health checks
   * and traffic). Each port is opened once, whatever the number of services using it.
   *
   * @param port the targets' port
   */
  public openTargetPort(port: number): void {
    this.routing.openTargetPort(port);
  }

  /**
   * Routes requests to a service's target group.
   *
   * Without `pathPatterns` and `hostHeaders` the target group becomes the listener's default
   * action (one route only may do that); otherwise a listener rule with the given or an automatic
   * priority forwards matching requests. An automatic priority depends only on this route (its
   * conditions' specificity and a hash of `id`), so it stays the same when other routes are added
   * or removed: see `ServiceRouteOptions.priority`.
   *
   * @param id a name for the route, unique on this load balancer and stable across deploys (the automatic priority is derived from it); the rule's construct id is `${id}Rule`
   * @param options the target group and the conditions
   * @returns the listener rule, or undefined for the default route
   */
  public addTarget(id: string, options: ServiceRouteOptions): elbv2.ApplicationListenerRule | undefined {
    return this.routing.addTarget(id, options);
  }

  /**
   * Adds a test route for a route that has an `alternateTargetGroup`: a rule with the same
   * conditions, priority and weighted action on the test listener at `port` (created on first
   * use, with the production listener's protocol, certificate and TLS policy, a 404 for requests
   * that match no route, and ingress from `testListenerAllowedCidrs`, by default the VPC). ECS sends this rule's traffic to the
   * new revision before production traffic moves.
   *
   * @param id the id the production route was added with
   * @returns the test listener rule
   */
  public addTestRoute(id: string, options: ServiceTestRouteOptions): elbv2.ApplicationListenerRule {
    const route = this.routing.shiftingRoute(id);
    if (!route) {
      fail(this, 'id', id, 'is not a route with an alternateTargetGroup on this load balancer', 'add the route with addTarget and alternateTargetGroup first');
    }
    const listener = this.testListeners.listener(options.port);
    if (options.ruleScope?.node.tryFindChild('TestListenerRule')) {
      fail(this, 'ruleScope', options.ruleScope.node.path, 'already holds a TestListenerRule', 'give each test route its own rule scope (one per service)');
    }
    const [ruleScope, ruleId] = options.ruleScope ? [options.ruleScope, 'TestListenerRule'] : [this, `${id}TestRule`];
    // The test listener admits testListenerAllowedCidrs, else (an internal load balancer) the VPC.
    const testCidrs = this.testListenerAllowedCidrs ?? [literalVpcCidr(this.vpc)];
    if (route.sourceCidrs.length > 0 && !cidrsCover(route.sourceCidrs, testCidrs)) {
      Annotations.of(options.ruleScope ?? this).addWarningV2(TEST_ROUTE_SOURCES_WARNING,
        `The test route on port ${options.port} copies the service's rule, so it matches only its sourceCidrs ${formatValue(route.sourceCidrs)}, and the test listener admits ${formatValue(testCidrs)}: ` +
        'a smoke test or lifecycle hook calling it from an address outside the sources gets the test listener\'s 404. Give testListenerAllowedCidrs within the sources (or add your test callers to sourceCidrs), or acknowledge: ' +
        `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${TEST_ROUTE_SOURCES_WARNING}', reason }).`);
    }
    return new elbv2.ApplicationListenerRule(ruleScope, ruleId, {
      listener,
      priority: route.priority,
      conditions: route.conditions,
      action: route.action,
    });
  }
}
