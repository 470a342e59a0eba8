import { Annotations, Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import type { ServiceLoadBalancer } from './service-load-balancer';
import type { IServiceLoadBalancer } from './service-load-balancer-ref';

/**
 * How long a task leaving service keeps its requests, against how long the load balancer waits
 * for one. Internal: not exported from any index.ts.
 *
 * On every deploy and scale-in ECS deregisters a task from its target group, the load balancer
 * drains it for the deregistration delay (no new requests; in-flight ones may finish), then ECS
 * stops the task (SIGTERM, SIGKILL `stopTimeout` later). A request still running when the delay
 * ends is no longer waited for: it is cut when the task exits. The load balancer itself waits up to its
 * idle timeout for a response that sends nothing: with a longer idle timeout than the delay, it
 * serves requests that every deploy then cuts.
 */

/** The warning on a web service whose deregistration delay is shorter than its load balancer's idle timeout. */
export const DRAIN_SHORTER_THAN_IDLE_TIMEOUT_WARNING = 'ecs-service-kit:drain-shorter-than-idle-timeout';

const IDLE_TIMEOUTS = new WeakMap<IServiceLoadBalancer, { readonly timeout: Duration; readonly given: boolean }>();

/** Called by ServiceLoadBalancer with its idle timeout, and whether its props set it. */
export function recordIdleTimeout(loadBalancer: ServiceLoadBalancer, timeout: Duration, given: boolean): void {
  IDLE_TIMEOUTS.set(loadBalancer, { timeout, given });
}

/**
 * Warns on `scope` (a web service) when its deregistration delay is shorter than the idle timeout
 * of its load balancer (one of this app; an imported one's is unknown) and the user set either
 * of them: the library's defaults (20 s against 60 s) are stated in the docs instead.
 * `deregistrationDelay` is the prop as given.
 */
export function warnDrainShorterThanIdleTimeout(scope: IConstruct, loadBalancer: IServiceLoadBalancer, deregistrationDelay: Duration | undefined): void {
  const idle = IDLE_TIMEOUTS.get(loadBalancer);
  if (!idle || (!idle.given && deregistrationDelay === undefined)) return;
  const delay = deregistrationDelay ?? Defaults.deregistrationDelay;
  if (delay.isUnresolved() || idle.timeout.isUnresolved()) return;
  const [delaySeconds, idleSeconds] = [delay.toSeconds(), idle.timeout.toSeconds()];
  if (delaySeconds >= idleSeconds) return;
  Annotations.of(scope).addWarningV2(DRAIN_SHORTER_THAN_IDLE_TIMEOUT_WARNING,
    `deregistrationDelay ${delaySeconds} s${deregistrationDelay === undefined ? ' (the default)' : ''} is shorter than the idle timeout of ${loadBalancer.node.path} `
    + `(${idleSeconds} s${idle.given ? '' : ', the default'}): on every deploy and scale-in the load balancer drains a task for ${delaySeconds} s, then ECS stops it `
    + '(SIGTERM, then SIGKILL after stopTimeout), so a request still running then is cut when the task exits, while the load balancer '
    + `would wait ${idleSeconds} s for it. Set deregistrationDelay to at least your longest request (each deploy then takes that much longer), or lower the `
    + `load balancer's idleTimeout; then acknowledge: Validations.of(<this service>).acknowledge({ id: 'Annotation::${DRAIN_SHORTER_THAN_IDLE_TIMEOUT_WARNING}', reason }).`);
}
