import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { skipCheckov } from '../validation/checkov';
import { checkDurationSeconds, checkPattern, checkPort, describeSubnetSelection, fail } from '../validation/checks';
import { accessLogStatementsText, logAccessLogs } from './access-log-policy';
import { recordIdleTimeout } from './drain-timing';
import { ListenerRoutes } from './listener-routes';
import { cidrKind, isDomainName, MAX_TARGET_GROUPS_PER_ALB } from './route-validation';
import { ImportedServiceLoadBalancer } from './imported-load-balancer';
import { IServiceLoadBalancer, ServiceLoadBalancerAttributes, ServiceRouteOptions, ServiceTestRouteOptions } from './service-load-balancer-ref';

/** What a request that matches no route gets: a plain 404, not a random service. */
const NO_ROUTE_STATUS = 404;
const NO_ROUTE_BODY = 'no route';

const HTTPS_PORT = 443;
const HTTP_PORT = 80;

/**
 * The settings of a ServiceLoadBalancer that do not depend on where it lives; ContainerWebApp
 * takes them too, for the load balancer it creates.
 */
export interface ServiceLoadBalancerOptions {
  /**
   * Whether the load balancer has public addresses and takes traffic from the internet.
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * Serve IPv6 as well as IPv4 (`ipAddressType: dualstack`). Adds `::/0` to the default
   * `allowedCidrs` of an internet-facing load balancer, and an AAAA alias record next to the A
   * record.
   *
   * The VPC must have an IPv6 CIDR block and every subnet of the load balancer an IPv6 CIDR, or
   * the deploy fails. Checked at synth for a VPC built in the app (`ec2.Vpc` needs
   * `ipProtocol: ec2.IpProtocol.DUAL_STACK`; ServiceNetwork's layouts are IPv4 only) and for
   * subnets built in the app; for an imported VPC (`Vpc.fromLookup`, `fromVpcAttributes`) make
   * sure of it yourself.
   *
   * @default false
   */
  readonly dualStack?: boolean;

  /**
   * The TLS certificate for the HTTPS listener.
   *
   * @default - a DNS-validated certificate for `domainName` when `hostedZone` is given; otherwise
   * no certificate and the load balancer serves plain HTTP (with a synth warning)
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The domain name users reach the services at, e.g. `app.example.com`.
   * With `hostedZone`: a DNS-validated certificate (unless `certificate` is given) and an
   * alias record for it. With only `certificate`: used for `url`, and no record is made.
   *
   * @default - no domain; `url` uses the load balancer's DNS name
   */
  readonly domainName?: string;

  /**
   * The Route 53 hosted zone `domainName` belongs to. Requires `domainName`.
   *
   * @default - no certificate is created and no DNS record is made
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * CIDR blocks (IPv4 or IPv6) allowed to reach the listener ports. Ingress is opened only on
   * the listener ports (443 and 80 with HTTPS, 80 without). An empty list opens nothing, for
   * when you add your own rules through `securityGroup` (e.g. a CloudFront prefix list).
   *
   * @default - internet-facing: `['0.0.0.0/0']` (plus `'::/0'` when `dualStack`);
   * internal: the VPC's primary CIDR block
   */
  readonly allowedCidrs?: string[];

  /**
   * CIDR blocks (IPv4 or IPv6) allowed to reach the test listeners of blue/green services
   * (`DeploymentStrategy.blueGreen({ testPort })`). A test listener serves the new revision
   * before production traffic reaches it, during every deployment. Callers inside the VPC reach
   * an internet-facing load balancer from public addresses (a NAT gateway's Elastic IP), so an
   * internet-facing load balancer with a test listener needs this prop: your CI runners' CIDRs,
   * the NAT gateways' Elastic IPs as /32, or `['0.0.0.0/0']` on purpose.
   *
   * @default - internal: the VPC's primary CIDR block; internet-facing: none, and a test
   * listener fails synth naming this prop
   */
  readonly testListenerAllowedCidrs?: string[];

  /**
   * The TLS security policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.TLS13_12_RES_PQ
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * Write access logs to S3. Turning them off loses the request record and fails the cdk-nag
   * rule AwsSolutions-ELB2; the construct adds a synth warning.
   *
   * @default true
   */
  readonly accessLogs?: boolean;

  /**
   * Your own bucket for the access logs, in the load balancer's region. It must use SSE-S3 (ALB
   * access logs cannot be written to a bucket encrypted with a KMS key). The construct adds the
   * bucket-policy statement the log delivery needs; to an imported bucket
   * (`Bucket.fromBucketName`) no statement can be added, so the synth warning
   * `ecs-service-kit:imported-access-log-bucket` gives the statement to add to its policy yourself
   * (without it the deploy fails with Access Denied).
   *
   * @default - a bucket is created: SSE-S3, SSL only, public access blocked, versioned,
   * objects expire after `accessLogExpiry`, retained on stack delete
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * Key prefix for the access logs inside the bucket (no leading or trailing `/`, must not
   * contain `AWSLogs`).
   *
   * @default - no prefix: logs go under `AWSLogs/<account>/`
   */
  readonly accessLogPrefix?: string;

  /**
   * How long the created bucket keeps access logs, in whole days (at least 1 day).
   * Only for the bucket this construct creates.
   *
   * @default Duration.days(90)
   */
  readonly accessLogExpiry?: Duration;

  /**
   * How long an idle connection stays open, 1–4000 seconds: a request whose response sends
   * nothing for this long fails with 504. A web service behind it whose `deregistrationDelay` is
   * shorter warns when either is set (`ecs-service-kit:drain-shorter-than-idle-timeout`): a
   * deploy or scale-in cuts requests the load balancer would still wait for.
   *
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;

  /**
   * How the load balancer treats requests that could be HTTP desync attacks.
   *
   * @default elbv2.DesyncMitigationMode.DEFENSIVE
   */
  readonly desyncMitigationMode?: elbv2.DesyncMitigationMode;

  /**
   * The load balancer's name: up to 32 letters, digits and hyphens, not starting or ending
   * with a hyphen, not starting with `internal-`. A fixed name blocks replacements; leave it out
   * unless something outside CloudFormation needs it.
   *
   * @default - a name CloudFormation generates
   */
  readonly loadBalancerName?: string;

  /**
   * Protect the load balancer from deletion. The load balancer holds no data (its logs live in
   * the retained bucket) and is rebuilt by a deploy, so the default leaves it off; turn it on
   * when its DNS name is hard-coded somewhere you cannot update quickly.
   *
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * Properties for a ServiceLoadBalancer.
 */
export interface ServiceLoadBalancerProps extends ServiceLoadBalancerOptions {
  /** The VPC the load balancer lives in. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets for the load balancer's nodes.
   *
   * @default - public subnets when internet-facing, private subnets otherwise
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

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
  private readonly testListeners = new Map<number, elbv2.ApplicationListener>();
  private readonly ingress: { props: ServiceLoadBalancerProps; internetFacing: boolean; dualStack: boolean };
  private readonly sslPolicy: elbv2.SslPolicy;

  constructor(scope: Construct, id: string, props: ServiceLoadBalancerProps) {
    super(scope, id);

    // --- validate ---
    this.validateDomain(props);
    const accessLogs = props.accessLogs ?? true;
    this.validateAccessLogs(props, accessLogs);
    checkDurationSeconds(this, 'idleTimeout', props.idleTimeout, 1, 4000);
    checkPattern(this, 'loadBalancerName', props.loadBalancerName, /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
      'use 1–32 letters, digits or hyphens, not starting or ending with a hyphen and not starting with "internal-"');
    this.validateSubnets(props);
    if (props.dualStack ?? false) this.validateDualStack(props);
    for (const prop of ['allowedCidrs', 'testListenerAllowedCidrs'] as const) {
      (props[prop] ?? []).forEach((cidr, i) => {
        if (Token.isUnresolved(cidr)) return;
        const kind = cidrKind(cidr);
        if (kind === undefined) {
          fail(this, `${prop}[${i}]`, cidr, 'is not a CIDR block', 'use an IPv4 CIDR such as "203.0.113.0/24" or an IPv6 CIDR such as "2001:db8::/32"');
        }
        if (kind === 'ipv6' && !(props.dualStack ?? false)) {
          fail(this, `${prop}[${i}]`, cidr, 'is an IPv6 CIDR but the load balancer is IPv4 only', 'set dualStack: true, or allow IPv4 CIDRs only');
        }
      });
    }

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
    this.sslPolicy = sslPolicy;
    this.ingress = { props, internetFacing, dualStack };

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
    this.addIngress(props, internetFacing, dualStack, https ? [HTTPS_PORT, HTTP_PORT] : [HTTP_PORT]);
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
      deletionProtection: props.deletionProtection ?? false,
      loadBalancerName: props.loadBalancerName,
    });

    const noRoute = elbv2.ListenerAction.fixedResponse(NO_ROUTE_STATUS, { contentType: 'text/plain', messageBody: NO_ROUTE_BODY });
    if (this.certificate) {
      this.listener = this.applicationLoadBalancer.addListener('HttpsListener', {
        port: HTTPS_PORT,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(this.certificate)],
        sslPolicy,
        open: false,
        defaultAction: noRoute,
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
        defaultAction: noRoute,
      });
      const httpOnlyReason = 'HTTP-only because no certificate was given; the ecs-service-kit:http-only synth warning flags it and must be acknowledged with a reason.';
      skipCheckov(this.listener, 'CKV_AWS_2', httpOnlyReason);
      skipCheckov(this.listener, 'CKV_AWS_103', httpOnlyReason);
      Annotations.of(this).addWarningV2('ecs-service-kit:http-only',
        'The load balancer serves plain HTTP on port 80: traffic, cookies and credentials cross the network unencrypted. ' +
        'Give `certificate`, or `domainName` with `hostedZone`, to serve HTTPS on 443 and redirect HTTP to it.');
    }

    if (accessLogs) {
      this.accessLogBucket = props.accessLogBucket ?? this.createAccessLogBucket(accessLogExpiryDays);
      if (!props.accessLogBucket) {
        skipCheckov(this.accessLogBucket, 'CKV_AWS_18', 'This bucket is the load balancer\'s access-log destination; logging it would only log its own log deliveries.');
      }
      const policyAttached = logAccessLogs(this.applicationLoadBalancer, this.accessLogBucket, props.accessLogPrefix);
      if (!policyAttached) {
        Annotations.of(this).addWarningV2('ecs-service-kit:imported-access-log-bucket',
          `accessLogBucket ${this.accessLogBucket.node.path} is imported, so no bucket policy can be added to it and the deploy fails with ` +
          '"Access Denied for bucket" when the load balancer turns access logs on. Add this statement to that bucket\'s policy yourself, ' +
          `then acknowledge this warning: ${accessLogStatementsText(this.applicationLoadBalancer, this.accessLogBucket, props.accessLogPrefix)}`);
      }
    } else {
      Annotations.of(this).addWarningV2('ecs-service-kit:no-access-logs',
        'Access logs are off (`accessLogs: false`): there is no record of requests for incident response, and cdk-nag AwsSolutions-ELB2 will report it.');
    }

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

    const scheme = https ? 'https' : 'http';
    this.url = props.domainName !== undefined
      ? `${scheme}://${props.domainName}`
      : `${scheme}://${this.applicationLoadBalancer.loadBalancerDnsName}`;

    // Target groups can also reach the listeners outside addTarget (listener.addTargetGroups, rules
    // in other stacks), so the quota is counted over the whole app once it is complete.
    this.node.addValidation({ validate: () => this.validateTargetGroupCount() });
  }

  /**
   * The Application Load Balancer.
   * @deprecated use `applicationLoadBalancer` (`lb.loadBalancer.loadBalancer` read the same word twice); removed in 1.0
   */
  public get loadBalancer(): elbv2.ApplicationLoadBalancer {
    return this.applicationLoadBalancer;
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
    const listener = this.testListener(options.port);
    if (options.ruleScope?.node.tryFindChild('TestListenerRule')) {
      fail(this, 'ruleScope', options.ruleScope.node.path, 'already holds a TestListenerRule', 'give each test route its own rule scope (one per service)');
    }
    const [ruleScope, ruleId] = options.ruleScope ? [options.ruleScope, 'TestListenerRule'] : [this, `${id}TestRule`];
    return new elbv2.ApplicationListenerRule(ruleScope, ruleId, {
      listener,
      priority: route.priority,
      conditions: route.conditions,
      action: route.action,
    });
  }

  /** The test listener on `port`, created once. */
  private testListener(port: number): elbv2.ApplicationListener {
    checkPort(this, 'testPort', port);
    const taken = this.certificate ? [HTTPS_PORT, HTTP_PORT] : [HTTP_PORT];
    if (taken.includes(port)) {
      fail(this, 'testPort', port, 'is a production listener port of the load balancer', `use another port, e.g. ${this.certificate ? 8443 : 8080}`);
    }
    const existing = this.testListeners.get(port);
    if (existing) return existing;
    const https = this.certificate !== undefined;
    const listener = this.applicationLoadBalancer.addListener(`TestListener${port}`, {
      port,
      protocol: this.protocol,
      certificates: https ? [elbv2.ListenerCertificate.fromCertificateManager(this.certificate)] : undefined,
      sslPolicy: https ? this.sslPolicy : undefined,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(NO_ROUTE_STATUS, { contentType: 'text/plain', messageBody: NO_ROUTE_BODY }),
    });
    if (!https) {
      const reason = 'Test listener of an HTTP-only load balancer (no certificate given); the ecs-service-kit:http-only synth warning flags it.';
      skipCheckov(listener, 'CKV_AWS_2', reason);
      skipCheckov(listener, 'CKV_AWS_103', reason);
    }
    // The unreleased revision answers here during every deployment: never public by default.
    // Callers inside the VPC reach an internet-facing load balancer through its public addresses,
    // from a NAT gateway's Elastic IP or their own public IP, so the VPC's CIDR would admit nobody
    // there: the user must say who may call.
    if (this.ingress.internetFacing && this.ingress.props.testListenerAllowedCidrs === undefined) {
      fail(this, 'testListenerAllowedCidrs', undefined,
        `is needed for the test listener on port ${port}: the load balancer is internet-facing, so callers in the VPC arrive from public addresses (a NAT gateway's Elastic IP) and a VPC-only default would admit nobody, while allowedCidrs would make the unreleased revision public`,
        'give the public CIDRs of your smoke-test callers (CI runners; the NAT gateways\' Elastic IPs as /32 for callers in the VPC), or [\'0.0.0.0/0\'] to make the test listener public on purpose; an internal load balancer defaults to its VPC');
    }
    const testCidrs = this.ingress.props.testListenerAllowedCidrs ?? [literalVpcCidr(this.ingress.props.vpc)];
    this.addIngress({ ...this.ingress.props, allowedCidrs: testCidrs }, this.ingress.internetFacing, this.ingress.dualStack, [port]);
    this.testListeners.set(port, listener);
    return listener;
  }

  /**
   * Counts the distinct target groups every listener of this load balancer forwards to, in any
   * stack of the app: addTarget's routes and whatever else reached the listeners
   * (`listener.addTargetGroups`, `addAction`, rules created with `listener: lb.listener`).
   */
  private validateTargetGroupCount(): string[] {
    const listeners = this.applicationLoadBalancer.node.children.filter((c): c is elbv2.ApplicationListener => c instanceof elbv2.ApplicationListener);
    const listenerArns = new Set(listeners.map(l => l.listenerArn));
    const cfnListeners = new Set<unknown>(listeners.map(l => l.node.defaultChild));
    const seen = new Set<string>();
    for (const c of this.node.root.node.findAll()) {
      let actions: unknown;
      if (c instanceof elbv2.CfnListenerRule && c.listenerArn !== undefined && listenerArns.has(c.listenerArn)) actions = c.actions;
      else if (c instanceof elbv2.CfnListener && cfnListeners.has(c)) actions = c.defaultActions;
      else continue;
      const stack = Stack.of(c);
      let resolved: unknown;
      try {
        resolved = stack.resolve(actions);
      } catch {
        seen.add(`${c.node.path}:unresolvable`);
        continue;
      }
      for (const arn of targetGroupArns(resolved)) {
        // A Ref or GetAtt names a resource of the rule's own stack; a literal ARN or an import is global.
        const local = typeof arn === 'object' && arn !== null && ('Ref' in arn || 'Fn::GetAtt' in arn);
        seen.add(`${local ? stack.node.path : ''}:${JSON.stringify(arn)}`);
      }
    }
    if (seen.size <= MAX_TARGET_GROUPS_PER_ALB) return [];
    return [`target groups ${seen.size} are attached to this load balancer's listeners (counted across all stacks of the app), ` +
      `more than the ${MAX_TARGET_GROUPS_PER_ALB} an Application Load Balancer takes (the quota cannot be raised); ` +
      'put further services behind another ServiceLoadBalancer'];
  }

  /**
   * The subnets the load balancer would get must exist in the VPC and span two AZs, or
   * aws-cdk-lib throws from deep inside (no such subnet group) or the deploy fails (one AZ).
   */
  private validateSubnets(props: ServiceLoadBalancerProps): void {
    const internetFacing = props.internetFacing ?? true;
    const given = props.vpcSubnets !== undefined;
    const prop = given ? 'vpcSubnets' : 'internetFacing';
    const value = given ? describeSubnetSelection(props.vpcSubnets) : internetFacing;
    // Same default as elbv2's BaseLoadBalancer.
    const selection = props.vpcSubnets ?? (internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : {});
    let subnets: ec2.ISubnet[];
    try {
      subnets = props.vpc.selectSubnets(selection).subnets;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return fail(this, prop, value, `${given ? '' : '(default subnets) '}selects no subnets of vpc (${reason})`,
        'an internet-facing load balancer needs public subnets: give a vpc that has them, or vpcSubnets the VPC has, or set internetFacing: false to use its private subnets');
    }
    const azs = subnets.map(s => s.availabilityZone);
    if (azs.some(az => Token.isUnresolved(az))) return;
    const distinct = new Set(azs).size;
    if (distinct < 2) {
      fail(this, prop, value, `${given ? '' : '(default subnets) '}places the load balancer in ${distinct} Availability Zone${distinct === 1 ? '' : 's'}`,
        'an Application Load Balancer needs subnets in at least two Availability Zones: give a vpc with subnets in two or more (ec2.Vpc or ServiceNetwork with maxAzs of 2 or more), or vpcSubnets that span them');
    }
  }

  private validateDomain(props: ServiceLoadBalancerProps): void {
    const { domainName, hostedZone, certificate } = props;
    if (hostedZone && domainName === undefined) {
      fail(this, 'hostedZone', hostedZone.node.path, 'needs a domainName', 'give domainName (a name inside the zone), or leave hostedZone out');
    }
    if (domainName === undefined) return;
    if (!certificate && !hostedZone) {
      fail(this, 'domainName', domainName, 'needs a certificate or a hostedZone',
        'give hostedZone to create a DNS-validated certificate and an alias record, or give certificate');
    }
    if (Token.isUnresolved(domainName)) return;
    if (!isDomainName(domainName)) {
      fail(this, 'domainName', domainName, 'is not a valid domain name',
        'use a fully qualified name such as "app.example.com": labels of 1–63 letters, digits or hyphens, at most 253 characters');
    }
    if (hostedZone && !Token.isUnresolved(hostedZone.zoneName)) {
      const zone = hostedZone.zoneName.toLowerCase().replace(/\.$/, '');
      const name = domainName.toLowerCase();
      if (name !== zone && !name.endsWith(`.${zone}`)) {
        fail(this, 'domainName', domainName, `is not inside hostedZone ${zone}`, `use ${zone} or a name ending in .${zone}`);
      }
    }
  }

  private validateAccessLogs(props: ServiceLoadBalancerProps, accessLogs: boolean): void {
    if (!accessLogs) {
      if (props.accessLogBucket) {
        fail(this, 'accessLogBucket', props.accessLogBucket.node.path, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogBucket out');
      }
      if (props.accessLogExpiry) {
        fail(this, 'accessLogExpiry', props.accessLogExpiry, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogExpiry out');
      }
      if (props.accessLogPrefix !== undefined) {
        fail(this, 'accessLogPrefix', props.accessLogPrefix, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogPrefix out');
      }
      return;
    }
    if (props.accessLogBucket && props.accessLogExpiry) {
      fail(this, 'accessLogExpiry', props.accessLogExpiry, 'cannot be combined with accessLogBucket',
        'set the expiry in the lifecycle rules of your own bucket, or leave accessLogBucket out');
    }
    if (props.accessLogBucket?.encryptionKey) {
      fail(this, 'accessLogBucket', props.accessLogBucket.node.path, 'is encrypted with a KMS key',
        'ALB access logs can only be written to a bucket with SSE-S3 (S3-managed keys) encryption: give such a bucket, or leave accessLogBucket out to have one created');
    }
    if (props.accessLogExpiry !== undefined) {
      const expiry = props.accessLogExpiry;
      // integral: false, so NaN and Infinity are rejected here instead of throwing inside aws-cdk-lib.
      const millis = expiry.isUnresolved() ? 0 : expiry.toMilliseconds({ integral: false });
      if (!expiry.isUnresolved() && !(millis % 86_400_000 === 0 && millis >= 86_400_000)) {
        fail(this, 'accessLogExpiry', expiry, 'is not a whole number of days of at least 1', 'use Duration.days(n) with n ≥ 1');
      }
    }
    checkPattern(this, 'accessLogPrefix', props.accessLogPrefix, /^(?!.*AWSLogs)[^/].*[^/]$|^[^/]$/,
      'use a key prefix without a leading or trailing "/" that does not contain "AWSLogs"');
    // A stack without a region is fine: the bucket policy then picks the principal at deploy time
    // (see access-log-policy.ts).
  }

  /**
   * A dual-stack load balancer needs IPv6 on its VPC and subnets, or the deploy fails. Checked for
   * what the app builds; an imported VPC or subnet cannot be inspected.
   */
  private validateDualStack(props: ServiceLoadBalancerProps): void {
    const advice = 'give a vpc with IPv6 (ec2.Vpc with ipProtocol: ec2.IpProtocol.DUAL_STACK; ServiceNetwork\'s layouts are IPv4 only), or leave dualStack out';
    if (props.vpc instanceof ec2.Vpc && !hasIpv6CidrBlock(props.vpc)) {
      fail(this, 'dualStack', true, `needs IPv6, but vpc ${props.vpc.node.path} has no IPv6 CIDR block`, advice);
    }
    const selection = props.vpcSubnets ?? ((props.internetFacing ?? true) ? { subnetType: ec2.SubnetType.PUBLIC } : {});
    const withoutIpv6 = props.vpc.selectSubnets(selection).subnets.filter(subnet => {
      const cfn = subnet instanceof ec2.Subnet ? subnet.node.defaultChild : undefined;
      return cfn instanceof ec2.CfnSubnet && cfn.ipv6CidrBlock === undefined && cfn.ipv6IpamPoolId === undefined && cfn.ipv6Native === undefined;
    });
    if (withoutIpv6.length > 0) {
      fail(this, 'dualStack', true, `needs IPv6 on every subnet of the load balancer, but ${withoutIpv6.map(s => s.node.path).join(', ')} ${withoutIpv6.length === 1 ? 'has' : 'have'} no IPv6 CIDR`,
        `${advice}${props.vpcSubnets ? ', or vpcSubnets with IPv6 CIDRs' : ''}`);
    }
  }

  private addIngress(props: ServiceLoadBalancerProps, internetFacing: boolean, dualStack: boolean, ports: number[]): void {
    const peers: ec2.IPeer[] = [];
    if (props.allowedCidrs !== undefined) {
      for (const cidr of props.allowedCidrs) {
        peers.push(!Token.isUnresolved(cidr) && cidrKind(cidr) === 'ipv6' ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr));
      }
    } else if (internetFacing) {
      peers.push(ec2.Peer.anyIpv4());
      if (dualStack) peers.push(ec2.Peer.anyIpv6());
    } else {
      peers.push(ec2.Peer.ipv4(literalVpcCidr(props.vpc)));
    }
    for (const peer of peers) {
      for (const port of ports) {
        const what = port === HTTPS_PORT ? 'HTTPS' : port === HTTP_PORT ? 'HTTP' : `Test listener ${port}`;
        this.securityGroup.addIngressRule(peer, ec2.Port.tcp(port), `${what} from ${peer.uniqueId}`);
      }
    }
    const openToWorld = peers.some(p => !Token.isUnresolved(p.uniqueId) && /\/0$/.test(p.uniqueId));
    if (openToWorld && ports.includes(HTTP_PORT)) {
      skipCheckov(this.securityGroup, 'CKV_AWS_260', ports.includes(HTTPS_PORT)
        ? 'Port 80 is open to the allowed CIDRs only to redirect to HTTPS on 443.'
        : 'HTTP-only load balancer (no certificate given) that the allowed CIDRs must reach on port 80; flagged at synth by ecs-service-kit:http-only.');
    }
    if (openToWorld) {
      Validations.of(this.securityGroup).acknowledge({
        id: 'AwsSolutions::AwsSolutions-EC23',
        reason: 'An internet-facing load balancer must accept traffic from anywhere; ingress is limited to the listener ports (HTTPS 443, HTTP 80 only redirecting or when no certificate is given).',
      });
    }
  }

  private createAccessLogBucket(expiryDays: number): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogBucket', {
      // ALB access log delivery supports only SSE-S3; a KMS-encrypted bucket gets no logs.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{
        id: 'ExpireAccessLogs',
        expiration: Duration.days(expiryDays),
        noncurrentVersionExpiration: Duration.days(Defaults.accessLogNoncurrentExpiryDays),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      // Logs are evidence: they outlive the stack. No autoDeleteObjects: it needs a Lambda-backed
      // custom resource, and deleting logs on stack delete is the wrong default anyway.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Server access logs for a log bucket would record the log writes themselves (and a second log
    // bucket would need its own logs). Who reads the logs is better audited with CloudTrail data events.
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'This bucket only receives ALB access logs; server access logging of a log bucket would log the log delivery itself. Audit reads with CloudTrail data events.',
    });
    return bucket;
  }
}

/**
 * The VPC's primary CIDR as a literal when we can see it (a Vpc built in this app with a fixed
 * CIDR), so the ingress rule and cdk-nag read a value rather than a GetAtt; else the token.
 */
function literalVpcCidr(vpc: ec2.IVpc): string {
  if (!Token.isUnresolved(vpc.vpcCidrBlock)) return vpc.vpcCidrBlock;
  const cfnVpc = vpc.node.defaultChild;
  if (cfnVpc instanceof ec2.CfnVPC && typeof cfnVpc.cidrBlock === 'string' && !Token.isUnresolved(cfnVpc.cidrBlock)) {
    return cfnVpc.cidrBlock;
  }
  return vpc.vpcCidrBlock;
}

/** Whether a VPC built in the app has an IPv6 CIDR block associated (ec2.Vpc with DUAL_STACK adds one). */
function hasIpv6CidrBlock(vpc: ec2.Vpc): boolean {
  return Stack.of(vpc).node.findAll().some(c => c instanceof ec2.CfnVPCCidrBlock
    && (c.node.scope === vpc || c.vpcId === vpc.vpcId)
    && (c.amazonProvidedIpv6CidrBlock !== undefined || c.ipv6CidrBlock !== undefined || c.ipv6IpamPoolId !== undefined || c.ipv6Pool !== undefined));
}

/**
 * Every target group ARN in listener actions (forward, weighted forward), as the L1 properties
 * hold them (`targetGroupArn`) or as CloudFormation spells them (`TargetGroupArn`).
 */
function targetGroupArns(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(targetGroupArns);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k === 'targetGroupArn' || k === 'TargetGroupArn' ? [v] : targetGroupArns(v)));
}
