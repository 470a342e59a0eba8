import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The protocol of a Network Load Balancer listener (NetworkService `protocol`).
 */
export enum NetworkProtocol {
  /** TCP passed through to the tasks. */
  TCP = 'TCP',
  /** UDP passed through to the tasks; the health check still uses TCP, HTTP or HTTPS. */
  UDP = 'UDP',
  /** TCP and UDP on the same port. */
  TCP_UDP = 'TCP_UDP',
  /** TLS terminated at the load balancer with `certificate`; TCP to the tasks. */
  TLS = 'TLS',
}

/**
 * Properties for a ServiceNetworkLoadBalancer.
 */
export interface ServiceNetworkLoadBalancerProps {
  /** The VPC the load balancer lives in. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets for the load balancer's nodes.
   *
   * @default - public subnets when internet-facing, private subnets otherwise (aws-cdk-lib's choice)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Whether the load balancer has public addresses and takes traffic from the internet.
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * IPv4 CIDR blocks allowed to reach the listener ports (on each listener's protocol). An empty
   * list opens nothing, for when you allow callers with `allowFrom` only.
   *
   * @default - internet-facing: `['0.0.0.0/0']`; internal: the VPC's primary CIDR block
   */
  readonly allowedCidrs?: string[];

  /**
   * Cross-zone load balancing: each load balancer node sends to healthy tasks in every zone.
   * Off, a node sends only to tasks in its own zone and DNS drops a zone's address while it
   * has no healthy task: with one task (the default desired count) every deploy that moves it to
   * the other zone changes the addresses clients must resolve. On costs inter-AZ data transfer
   * for the traffic that crosses zones (about $0.01/GB each way).
   *
   * @default true
   */
  readonly crossZoneEnabled?: boolean;

  /**
   * Write access logs to S3 for the TLS listeners (Network Load Balancers log TLS connections
   * only: a TCP or UDP listener writes nothing). The bucket is created, or `accessLogBucket` is
   * used, when the first TLS listener is added; under `ecs-service-kit:governance=control-tower`,
   * at once (AWS Control Tower's CT.ELASTICLOADBALANCING.PR.6 asks for logging on every load
   * balancer).
   *
   * @default true
   */
  readonly accessLogs?: boolean;

  /**
   * Your own bucket for the TLS listeners' access logs, in the load balancer's region.
   *
   * @default - a bucket is created with the first TLS listener: SSE-S3, SSL only, public access
   * blocked, versioned, objects expire after 90 days, retained on stack delete
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * The load balancer's name: up to 32 letters, digits and hyphens, not starting or ending with
   * a hyphen, not starting with `internal-`. A fixed name blocks replacements (a new scheme or
   * name clash); leave it out unless something outside CloudFormation needs it.
   *
   * @default - a name CloudFormation generates
   */
  readonly loadBalancerName?: string;

  /**
   * Protect the load balancer from deletion. It holds no data and a deploy rebuilds it, so the
   * default leaves it off; turn it on when its DNS name or addresses are hard-coded somewhere.
   *
   * @default false; true under `ecs-service-kit:governance=control-tower`
   */
  readonly deletionProtection?: boolean;
}
