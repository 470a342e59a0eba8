import { Annotations, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { skipCheckov } from '../validation/checkov';
import { checkPattern, fail } from '../validation/checks';
import { allowNetworkLogDelivery, logNetworkAccessLogs, networkAccessLogStatementsText } from './access-log-policy';
import { createAccessLogBucket, warnImportedAccessLogBucket } from './access-logs';
import { literalVpcCidr } from './load-balancer-ingress';
import { validateCidrs, validateSubnets } from './load-balancer-validation';
import { NetworkProtocol, ServiceNetworkLoadBalancerProps } from './service-network-load-balancer-props';
import { Governance, governedDeletionProtection } from '../governance/governance';

export * from './service-network-load-balancer-props';

/**
 * A listener of a ServiceNetworkLoadBalancer (`addListener`): one port, forwarding to one
 * target group.
 */
export interface NetworkListenerOptions {
  /** The port clients connect to, 1–65535, unique on the load balancer. */
  readonly port: number;

  /** The listener's protocol. */
  readonly protocol: NetworkProtocol;

  /** The target group the listener forwards to (its protocol must suit the listener's). */
  readonly targetGroup: elbv2.INetworkTargetGroup;

  /**
   * The certificate of a TLS listener; required with TLS, refused otherwise.
   *
   * @default - none
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The TLS security policy of a TLS listener.
   *
   * @default elbv2.SslPolicy.TLS13_12_RES_PQ
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * The ALPN policy of a TLS listener (e.g. `elbv2.AlpnPolicy.HTTP2_PREFERRED` for gRPC).
   *
   * @default - no ALPN negotiation
   */
  readonly alpnPolicy?: elbv2.AlpnPolicy;
}

/** The security group protocols a listener protocol needs. */
function portsOf(protocol: NetworkProtocol, port: number): ec2.Port[] {
  switch (protocol) {
    case NetworkProtocol.UDP: return [ec2.Port.udp(port)];
    case NetworkProtocol.TCP_UDP: return [ec2.Port.tcp(port), ec2.Port.udp(port)];
    default: return [ec2.Port.tcp(port)];
  }
}

/**
 * A Network Load Balancer that several NetworkServices share, each on its own port: TCP, UDP,
 * TCP_UDP or TLS (terminated here, with a certificate).
 *
 * It is always created with a security group (a Network Load Balancer created without one can
 * never get one): the group admits the listener ports from `allowedCidrs` and from the callers
 * given to `allowFrom`, and the tasks admit only the load balancer's group, whether or not they
 * see the clients' addresses (client IP preservation). Cross-zone load balancing is on, so a
 * deploy that moves a task to another zone does not change the addresses clients resolve.
 */
export class ServiceNetworkLoadBalancer extends Construct {
  /** The Network Load Balancer: the escape hatch to the aws-cdk-lib L2. */
  public readonly networkLoadBalancer: elbv2.NetworkLoadBalancer;
  /** The VPC the load balancer and its targets are in. */
  public readonly vpc: ec2.IVpc;
  /** The load balancer's security group: ingress on the listener ports only. */
  public readonly securityGroup: ec2.SecurityGroup;
  /**
   * The security group every service behind this load balancer joins: it admits the load
   * balancer's group on the services' ports (traffic and health checks).
   */
  public readonly targetSecurityGroup: ec2.SecurityGroup;
  /** The load balancer's DNS name, what clients connect to. */
  public readonly dnsName: string;
  /** Whether the load balancer takes traffic from the internet. */
  public readonly internetFacing: boolean;

  private readonly allowedPeers: Array<{ peer: ec2.IPeer; what: string }> = [];
  private readonly listeners = new Map<number, { path: string; protocol: NetworkProtocol }>();
  private readonly openPorts = new Set<string>();
  private readonly accessLogs: boolean;
  private readonly givenAccessLogBucket?: s3.IBucket;
  private logBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: ServiceNetworkLoadBalancerProps) {
    super(scope, id);

    // --- validate ---
    checkPattern(this, 'loadBalancerName', props.loadBalancerName, /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
      'use 1–32 letters, digits or hyphens, not starting or ending with a hyphen and not starting with "internal-"');
    validateSubnets(this, props);
    validateCidrs(this, props);
    this.accessLogs = props.accessLogs ?? true;
    if (!this.accessLogs && props.accessLogBucket) {
      fail(this, 'accessLogBucket', props.accessLogBucket.node.path, 'is given but accessLogs is false', 'set accessLogs: true, or leave accessLogBucket out');
    }

    // --- defaults ---
    this.internetFacing = props.internetFacing ?? true;
    this.givenAccessLogBucket = props.accessLogBucket;
    this.vpc = props.vpc;

    // --- children ---
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Network load balancer ${this.node.path}: the listener ports from the allowed callers`,
      // Egress to the tasks is added per target port (openTargetPort); nothing else leaves.
      allowAllOutbound: false,
    });
    this.targetSecurityGroup = new ec2.SecurityGroup(this, 'TargetSecurityGroup', {
      vpc: props.vpc,
      description: `Targets of ${this.node.path}: admits the network load balancer on the target ports`,
      allowAllOutbound: false,
    });
    const cidrs = props.allowedCidrs ?? (this.internetFacing ? ['0.0.0.0/0'] : [literalVpcCidr(props.vpc)]);
    for (const cidr of cidrs) this.allowedPeers.push({ peer: ec2.Peer.ipv4(cidr), what: cidr });

    this.networkLoadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      internetFacing: this.internetFacing,
      // Set at create, always: a Network Load Balancer created without a security group can never
      // get one (SetSecurityGroups refuses it), so adding one later would replace it.
      securityGroups: [this.securityGroup],
      crossZoneEnabled: props.crossZoneEnabled ?? Defaults.networkCrossZoneEnabled,
      deletionProtection: governedDeletionProtection(this, props.deletionProtection),
      loadBalancerName: props.loadBalancerName,
    });
    this.dnsName = this.networkLoadBalancer.loadBalancerDnsName;
    // Under the switch access logging is on from the start (CT.ELASTICLOADBALANCING.PR.6), although
    // a Network Load Balancer writes entries for TLS listeners only: the bucket stays empty until one exists.
    if (Governance.isControlTower(this)) this.enableAccessLogs();

    if (!this.accessLogs) {
      Annotations.of(this).addWarningV2('ecs-service-kit:no-access-logs',
        'Access logs are off (`accessLogs: false`): TLS listeners leave no connection record for incident response, and cdk-nag AwsSolutions-ELB2 will report it.');
    }
    // Until a TLS listener exists there is nothing to log (NLB access logs cover TLS only).
    this.node.addValidation({ validate: () => { this.acknowledgeNoLogs(); return []; } });
  }

  /**
   * Lets `peer` (a security group, a service's connections) reach every listener port of this
   * load balancer, present and future. For an internal load balancer that only some services
   * call, give `allowedCidrs: []` and allow each caller here.
   */
  public allowFrom(peer: ec2.IConnectable): void {
    for (const group of peer.connections.securityGroups) {
      const entry = { peer: group as ec2.IPeer, what: group.node.path };
      this.allowedPeers.push(entry);
      for (const [port, { protocol }] of this.listeners) this.addIngress(entry, protocol, port);
    }
  }

  /**
   * Lets the load balancer reach targets in `targetSecurityGroup` on `port` with `protocol`
   * (traffic and health checks): one egress and one ingress rule per port and protocol, whatever
   * the number of services using them.
   */
  public openTargetPort(port: number, protocol: NetworkProtocol): void {
    for (const p of portsOf(protocol === NetworkProtocol.TLS ? NetworkProtocol.TCP : protocol, port)) {
      const key = p.toString();
      if (this.openPorts.has(key)) continue;
      this.openPorts.add(key);
      this.securityGroup.connections.allowTo(this.targetSecurityGroup, p, `Network load balancer to its targets on ${key}`);
    }
  }

  /**
   * Adds a listener on `options.port` forwarding to `options.targetGroup`, created under `scope`
   * with id `id` (a NetworkService passes itself, so the listener goes with the service), and
   * opens the port to the allowed callers.
   *
   * @returns the listener
   */
  public addListener(scope: Construct, id: string, options: NetworkListenerOptions): elbv2.NetworkListener {
    validateListener(scope, options);
    const taken = this.listeners.get(options.port);
    if (taken) {
      fail(scope, 'port', options.port, `is already the ${taken.protocol} listener port of ${taken.path} on the load balancer ${this.node.path} (one listener per port)`,
        'give each service on a network load balancer its own port (TCP and UDP on one port: one service with protocol TCP_UDP)');
    }
    this.listeners.set(options.port, { path: scope.node.path, protocol: options.protocol });
    const tls = options.protocol === NetworkProtocol.TLS;
    const listener = new elbv2.NetworkListener(scope, id, {
      loadBalancer: this.networkLoadBalancer,
      port: options.port,
      protocol: options.protocol as unknown as elbv2.Protocol,
      certificates: tls ? [elbv2.ListenerCertificate.fromCertificateManager(options.certificate!)] : undefined,
      sslPolicy: tls ? (options.sslPolicy ?? Defaults.sslPolicy) : undefined,
      alpnPolicy: tls ? options.alpnPolicy : undefined,
      defaultAction: elbv2.NetworkListenerAction.forward([options.targetGroup]),
    });
    for (const entry of this.allowedPeers) this.addIngress(entry, options.protocol, options.port);
    if (tls) this.enableAccessLogs();
    return listener;
  }

  private addIngress(entry: { peer: ec2.IPeer; what: string }, protocol: NetworkProtocol, port: number): void {
    for (const p of portsOf(protocol, port)) {
      if (ec2.SecurityGroup.isSecurityGroup(entry.peer)) {
        // From the caller's side: aws-cdk-lib puts the rule in the caller's stack when the two
        // differ (the caller's stack already depends on this one: a rule here would be a cycle),
        // and opens the caller's egress when its group restricts it.
        new ec2.Connections({ securityGroups: [entry.peer] }).allowTo(this.securityGroup, p, `${protocol} ${port} from ${entry.what}`);
      } else {
        this.securityGroup.addIngressRule(entry.peer, p, `${protocol} ${port} from ${entry.what}`);
      }
    }
    if (entry.what === '0.0.0.0/0') {
      Validations.of(this.securityGroup).acknowledge({
        id: 'AwsSolutions::AwsSolutions-EC23',
        reason: 'An internet-facing network load balancer must accept connections from anywhere; ingress is limited to its listener ports.',
      });
    }
  }

  private enableAccessLogs(): void {
    if (!this.accessLogs || this.logBucket) return;
    // Under ecs-service-kit:governance=control-tower the bucket is encrypted with the stack's log key
    // (CT.S3.PR.10), which NLB log delivery may use: unlike an ALB's, it accepts SSE-KMS.
    const key = this.givenAccessLogBucket ? undefined : Governance.logEncryptionKey(this);
    if (key) allowNetworkLogDelivery(key);
    this.logBucket = this.givenAccessLogBucket ?? createAccessLogBucket(this, Defaults.accessLogExpiryDays, key);
    if (!logNetworkAccessLogs(this.networkLoadBalancer, this.logBucket, undefined)) {
      warnImportedAccessLogBucket(this, this.logBucket, networkAccessLogStatementsText(this.networkLoadBalancer, this.logBucket, undefined));
    }
  }

  private acknowledgeNoLogs(): void {
    if (this.logBucket || !this.accessLogs) return;
    const reason = 'Network Load Balancer access logs cover TLS listeners only, and this one has none: there is nothing to log. The construct turns them on with its first TLS listener.';
    Validations.of(this.networkLoadBalancer).acknowledge({ id: 'AwsSolutions::AwsSolutions-ELB2', reason });
    skipCheckov(this.networkLoadBalancer, 'CKV_AWS_91', reason);
  }

  /** The bucket receiving the TLS listeners' access logs; undefined until a TLS listener exists. */
  public get accessLogBucket(): s3.IBucket | undefined {
    return this.logBucket;
  }
}

function validateListener(scope: IConstruct, options: NetworkListenerOptions): void {
  const { protocol, certificate } = options;
  if (!Object.values(NetworkProtocol).includes(protocol)) {
    fail(scope, 'protocol', protocol, 'is not a network load balancer listener protocol', 'use NetworkProtocol.TCP, UDP, TCP_UDP or TLS');
  }
  if (protocol === NetworkProtocol.TLS && !certificate) {
    fail(scope, 'certificate', certificate, 'is missing for a TLS listener (protocol TLS)', 'give the certificate the load balancer presents, or use protocol TCP to pass TLS through to the tasks');
  }
  if (protocol !== NetworkProtocol.TLS) {
    if (certificate) fail(scope, 'certificate', certificate.node.path, `is given for a ${protocol} listener (protocol ${protocol}), which does not terminate TLS`, 'use protocol TLS, or leave certificate out');
    if (options.sslPolicy !== undefined) fail(scope, 'sslPolicy', options.sslPolicy, `is given for a ${protocol} listener (protocol ${protocol})`, 'use protocol TLS, or leave sslPolicy out');
    if (options.alpnPolicy !== undefined) fail(scope, 'alpnPolicy', options.alpnPolicy, `is given for a ${protocol} listener (protocol ${protocol})`, 'use protocol TLS, or leave alpnPolicy out');
  }
}
