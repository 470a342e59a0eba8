import { NetworkLayout } from './network-layout';

/**
 * us-east-1 list prices used by the network cost estimate (internal; the README quotes them).
 * 730 hours a month, as AWS's pricing calculator assumes.
 */
export const HOURS_PER_MONTH = 730;
/** NAT gateway hourly charge. */
export const NAT_GATEWAY_USD_PER_HOUR = 0.045;
/** Every public IPv4 address, including the Elastic IP each NAT gateway holds. */
export const PUBLIC_IPV4_USD_PER_HOUR = 0.005;
/** Interface VPC endpoint, per endpoint per AZ. */
export const INTERFACE_ENDPOINT_USD_PER_AZ_HOUR = 0.01;
/** Application Load Balancer hourly charge (LCUs, which depend on traffic, come on top). */
export const ALB_USD_PER_HOUR = 0.0225;

/** Monthly fixed cost of one NAT gateway with its Elastic IP: $36.50. */
export const NAT_GATEWAY_USD_PER_MONTH = (NAT_GATEWAY_USD_PER_HOUR + PUBLIC_IPV4_USD_PER_HOUR) * HOURS_PER_MONTH;
/** Monthly cost of one interface endpoint in one AZ: $7.30. */
export const INTERFACE_ENDPOINT_USD_PER_AZ_MONTH = INTERFACE_ENDPOINT_USD_PER_AZ_HOUR * HOURS_PER_MONTH;
/** Monthly cost of one public IPv4 address (a task in PUBLIC_ONLY): $3.65. */
export const PUBLIC_IPV4_USD_PER_MONTH = PUBLIC_IPV4_USD_PER_HOUR * HOURS_PER_MONTH;
/** Monthly hourly charge of one Application Load Balancer: $16.43. */
export const ALB_USD_PER_MONTH = ALB_USD_PER_HOUR * HOURS_PER_MONTH;

/** Interface endpoints every PRIVATE_WITH_ENDPOINTS network gets (ecr.api, ecr.dkr, logs, secretsmanager, ssm). */
export const BASE_INTERFACE_ENDPOINTS = 5;

/** NAT gateways a layout creates in a VPC spanning `azCount` AZs. */
export function natGatewaysFor(layout: NetworkLayout, azCount: number): number {
  switch (layout) {
    case NetworkLayout.SINGLE_NAT: return 1;
    case NetworkLayout.NAT_PER_AZ: return azCount;
    default: return 0;
  }
}

/**
 * Interface endpoints a layout creates (each is billed once per AZ); `extraEndpoints` are those
 * added on demand (the SQS endpoint a worker's queue needs).
 */
export function interfaceEndpointsFor(layout: NetworkLayout, ecsExecEndpoint: boolean, extraEndpoints = 0): number {
  if (layout !== NetworkLayout.PRIVATE_WITH_ENDPOINTS) return 0;
  return BASE_INTERFACE_ENDPOINTS + (ecsExecEndpoint ? 1 : 0) + extraEndpoints;
}

/** Rounds to cents, so figures compare exactly in tests and docs. */
export function toCents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/** Fixed monthly cost of a layout: NAT gateways (with their Elastic IPs) and interface endpoints. */
export function fixedMonthlyCostUsd(layout: NetworkLayout, azCount: number, ecsExecEndpoint: boolean, extraEndpoints = 0): number {
  return toCents(
    natGatewaysFor(layout, azCount) * NAT_GATEWAY_USD_PER_MONTH
    + interfaceEndpointsFor(layout, ecsExecEndpoint, extraEndpoints) * azCount * INTERFACE_ENDPOINT_USD_PER_AZ_MONTH,
  );
}

/** One line a person can read in a PR review or a README table. */
export function describeCost(layout: NetworkLayout, azCount: number, ecsExecEndpoint: boolean, extraEndpoints = 0): string {
  const total = fixedMonthlyCostUsd(layout, azCount, ecsExecEndpoint, extraEndpoints).toFixed(2);
  const excludes = 'excludes data processing and the load balancer';
  switch (layout) {
    case NetworkLayout.PUBLIC_ONLY:
      return `${layout}: $${total}/month fixed for the network, plus $${PUBLIC_IPV4_USD_PER_MONTH.toFixed(2)}/month per running task `
        + `for its public IPv4 address (${excludes})`;
    case NetworkLayout.SINGLE_NAT:
    case NetworkLayout.NAT_PER_AZ: {
      const nats = natGatewaysFor(layout, azCount);
      return `${layout}: $${total}/month for ${nats} NAT gateway${nats === 1 ? '' : 's'} at `
        + `$${NAT_GATEWAY_USD_PER_MONTH.toFixed(2)} each with its Elastic IP, plus $0.045/GB processed (${excludes})`;
    }
    case NetworkLayout.PRIVATE_WITH_ENDPOINTS: {
      const endpoints = interfaceEndpointsFor(layout, ecsExecEndpoint, extraEndpoints);
      return `${layout}: $${total}/month for ${endpoints} interface endpoints × ${azCount} AZs at `
        + `$${INTERFACE_ENDPOINT_USD_PER_AZ_MONTH.toFixed(2)} each, plus $0.01/GB processed; S3 gateway endpoint free (${excludes})`;
    }
    default:
      return `${layout}: unknown layout`;
  }
}
