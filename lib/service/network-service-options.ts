import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NetworkProtocol } from '../load-balancer/service-network-load-balancer-props';
import { ServiceOptions } from './service-options';

/** The protocol of a Network Load Balancer health check. */
export enum NetworkHealthCheckProtocol {
  /** A TCP connection that opens is a pass. */
  TCP = 'TCP',
  /** An HTTP request answered with one of `healthyHttpCodes`. */
  HTTP = 'HTTP',
  /** An HTTPS request answered with one of `healthyHttpCodes` (the certificate is not checked). */
  HTTPS = 'HTTPS',
}

/**
 * The Network Load Balancer's health check of a network service's tasks.
 */
export interface NetworkHealthCheck {
  /**
   * How the load balancer checks a task. NLB cannot health-check over UDP: a UDP service must
   * answer TCP, HTTP or HTTPS on `port`.
   *
   * @default NetworkHealthCheckProtocol.TCP
   */
  readonly protocol?: NetworkHealthCheckProtocol;

  /**
   * The task port checked (opened to the load balancer's security group like the traffic port).
   *
   * @default - the container port
   */
  readonly port?: number;

  /**
   * The path requested by an HTTP or HTTPS check; refused with TCP.
   *
   * @default '/' (HTTP and HTTPS)
   */
  readonly path?: string;

  /**
   * HTTP codes that count as healthy (HTTP and HTTPS only): 200–599, e.g. '200' or '200-299'.
   *
   * @default '200-399' (HTTP and HTTPS)
   */
  readonly healthyHttpCodes?: string;

  /**
   * Time between checks, 5–300 s.
   *
   * @default Duration.seconds(5)
   */
  readonly interval?: Duration;

  /**
   * How long a check may take, 2–120 s, shorter than `interval`.
   *
   * @default Duration.seconds(4)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive passes before a task receives traffic, 2–10.
   *
   * @default 2
   */
  readonly healthyThresholdCount?: number;

  /**
   * Consecutive failures before a task stops receiving traffic, 2–10.
   *
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;
}

/**
 * Everything about a network service except where it runs (cluster) and which load balancer
 * sends it connections.
 */
export interface NetworkServiceOptions extends ServiceOptions {
  /** The load balancer port clients connect to, unique on the load balancer. */
  readonly port: number;

  /**
   * The listener's protocol. TLS terminates at the load balancer with `certificate` and reaches
   * the tasks as TCP; to keep TLS end to end (client certificates), use TCP and terminate in the task.
   *
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: NetworkProtocol;

  /**
   * The certificate of a TLS listener: required with `NetworkProtocol.TLS`, refused otherwise.
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
   * The ALPN policy of a TLS listener (`HTTP2_PREFERRED` or `HTTP2_ONLY` for gRPC).
   *
   * @default - no ALPN negotiation
   */
  readonly alpnPolicy?: elbv2.AlpnPolicy;

  /**
   * Whether the tasks see the clients' addresses (`preserve_client_ip.enabled`). Only TCP and TLS
   * may choose: UDP and TCP_UDP always preserve them. Either way the tasks admit only the load
   * balancer's security group. On, a client in the same VPC whose connection lands on its own
   * task, or a task calling its own service through the load balancer, times out (no hairpin).
   *
   * @default false with TCP and TLS (AWS's default for IP targets); true with UDP and TCP_UDP
   */
  readonly preserveClientIp?: boolean;

  /**
   * The load balancer's health check of the tasks.
   *
   * @default - TCP on the container port every 5 s, timeout 4 s, 2 passes to become healthy, 2 failures to become unhealthy
   */
  readonly healthCheck?: NetworkHealthCheck;

  /**
   * How long the load balancer lets connections finish on a task leaving service (every deploy
   * and scale-in), 0–3600 s; then it closes the remaining connections and UDP flows and ECS stops
   * the task. Each deploy takes this long more.
   *
   * @default Duration.seconds(120)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Time after a task starts during which failed health checks don't stop it.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;
}
