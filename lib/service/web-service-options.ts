import { Duration } from 'aws-cdk-lib';
import { ServiceOptions } from './service-options';

/**
 * The load balancer's health check of a web service's tasks.
 */
export interface TargetHealthCheck {
  /**
   * The HTTP path the load balancer requests.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Time between checks. Short, so a new task is in service seconds after it starts.
   *
   * @default Duration.seconds(5)
   */
  readonly interval?: Duration;

  /**
   * How long a check may take; shorter than `interval`.
   *
   * @default Duration.seconds(4)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive passes before a task receives traffic.
   *
   * @default 2
   */
  readonly healthyThresholdCount?: number;

  /**
   * Consecutive failures before a task stops receiving traffic.
   *
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;

  /**
   * HTTP codes that count as healthy, e.g. '200' or '200-299' or '200,302'.
   *
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;

  /**
   * The port the load balancer checks, when the app answers health checks on another port than
   * the traffic (an admin port). The load balancer may reach the tasks on it too.
   *
   * @default - the traffic port (`containerPort`, or the target container's)
   */
  readonly port?: number;
}

/**
 * Everything about a web service except where it runs (cluster) and who sends it traffic
 * (load balancer). The bundle takes these too.
 */
export interface WebServiceOptions extends ServiceOptions {
  /**
   * Path patterns routed to this service, e.g. ['/api/*']. With neither paths nor hosts the
   * service receives all traffic the load balancer's other routes don't match.
   *
   * @default - no path condition
   */
  readonly pathPatterns?: string[];

  /**
   * Host headers routed to this service, e.g. ['api.example.com'].
   *
   * @default - no host condition
   */
  readonly hostHeaders?: string[];

  /**
   * Only requests from these source CIDRs reach this service (a source-ip condition on its
   * listener rule, counted in the rule's 5 condition values); requests from elsewhere go to the
   * load balancer's other routes, or its default action. The load balancer's own `allowedCidrs`
   * decide who may connect at all. With neither paths nor hosts the service takes every path
   * from these sources, as a rule ranked like `/*`, not as the default route.
   *
   * @default - any source the load balancer admits
   */
  readonly sourceCidrs?: string[];

  /**
   * The listener rule priority (1–50000, unique per load balancer; lower wins). 1–10000 never
   * collide with automatic priorities.
   *
   * @default - an automatic priority (10001–49900) from the route's specificity and a hash of the
   * service's unique id, unchanged when other services are added or removed
   */
  readonly priority?: number;

  /**
   * The load balancer's health check of the tasks.
   *
   * @default - GET / every 5 s, timeout 4 s, 2 passes to become healthy, 2 failures to become unhealthy, 200-399 healthy
   */
  readonly healthCheck?: TargetHealthCheck;

  /**
   * How long the load balancer lets in-flight requests finish on a task leaving service (every
   * deploy and scale-in); ECS then stops the task, so a longer request is cut. Each deploy takes
   * this long more. Shorter than the load balancer's idle timeout (60 s by default) warns when
   * you set either (`ecs-service-kit:drain-shorter-than-idle-timeout`): the load balancer would
   * wait for requests that a deploy cuts.
   *
   * @default Duration.seconds(20)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Time after a task starts during which failed load balancer health checks don't stop it.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * The container the load balancer sends requests (and health checks) to, on its
   * `containerPort`: a sidecar's `containerName`, such as a proxy in front of the app. The main
   * container keeps its own `containerPort` (Service Connect serves it).
   *
   * @default - the main container, on `containerPort`
   */
  readonly targetContainerName?: string;
}
