import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

/**
 * The ports and the default action the listeners of a ServiceLoadBalancer share. Internal: not
 * exported from index.ts.
 */

/** What a request that matches no route gets: a plain 404, not a random service. */
const NO_ROUTE_STATUS = 404;
const NO_ROUTE_BODY = 'no route';

export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;

/** The default action of a listener before any default route replaces it. */
export function noRouteAction(): elbv2.ListenerAction {
  return elbv2.ListenerAction.fixedResponse(NO_ROUTE_STATUS, { contentType: 'text/plain', messageBody: NO_ROUTE_BODY });
}
