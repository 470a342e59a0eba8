import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';

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
   * when its DNS name is hard-coded somewhere you cannot update quickly. Under the context
   * `ecs-service-kit:governance=control-tower` it defaults to true (AWS Control Tower's
   * CT.ELASTICLOADBALANCING.PR.5); `false` still wins, with a warning (docs/governance.md).
   *
   * @default false; true under `ecs-service-kit:governance=control-tower`
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
