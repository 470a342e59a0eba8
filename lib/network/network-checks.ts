import { Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { checkOneOf, checkRange, fail, LOG_RETENTION_DAYS } from '../validation/checks';
import { NetworkLayout } from './network-layout';

/**
 * Checks shared by ServiceNetwork and ServiceCluster (which forwards its network props), so an
 * error names the construct the user created and the prop as they wrote it (`layout` on a
 * ServiceNetwork, `network` on a ServiceCluster). Internal: not exported from index.ts.
 */

/** AWS accepts VPC CIDR blocks from /16 to /28. */
const MIN_VPC_PREFIX = 16;
const MAX_VPC_PREFIX = 28;
/** An Application Load Balancer needs subnets of at least /27 (with 8 free addresses) in 2 AZs. */
const MAX_SUBNET_PREFIX = 27;
/** Same as ec2.Vpc.DEFAULT_CIDR_RANGE: 65,536 addresses, split evenly between the subnets. */
export const DEFAULT_CIDR = Defaults.vpcCidr;

/** The network props both constructs accept. */
export interface NetworkPropsToCheck {
  readonly layout?: NetworkLayout;
  readonly maxAzs?: number;
  readonly cidr?: string;
  readonly flowLogRetention?: logs.RetentionDays;
  readonly ecsExecEndpoint?: boolean;
}

/** The AZs the VPC will really span: no more than the stack offers (2 tokens when env-agnostic). */
export function plannedAzCount(scope: IConstruct, maxAzs: number): number {
  return Math.min(maxAzs, Stack.of(scope).availabilityZones.length);
}

/** Validates the network props; `layoutProp` is the name the user gave the layout. */
export function checkNetworkProps(scope: IConstruct, props: NetworkPropsToCheck, layoutProp: string): void {
  checkOneOf(scope, layoutProp, props.layout, Object.values(NetworkLayout));
  checkRange(scope, 'maxAzs', props.maxAzs, 2, 6);
  checkOneOf(scope, 'flowLogRetention', props.flowLogRetention, LOG_RETENTION_DAYS);

  const layout = props.layout ?? NetworkLayout.SINGLE_NAT;
  if (props.ecsExecEndpoint === true && layout !== NetworkLayout.PRIVATE_WITH_ENDPOINTS) {
    fail(scope, 'ecsExecEndpoint', props.ecsExecEndpoint, `has no effect with ${layoutProp} ${layout}`,
      `set it only with ${layoutProp} NetworkLayout.PRIVATE_WITH_ENDPOINTS (the other layouts reach ssmmessages without an endpoint)`);
  }
  const subnetGroups = layout === NetworkLayout.PUBLIC_ONLY ? 1 : 2;
  const azCount = plannedAzCount(scope, props.maxAzs ?? Defaults.maxAzs);
  checkCidr(scope, props.cidr ?? DEFAULT_CIDR, azCount * subnetGroups);
}

/**
 * A concrete IPv4 CIDR, /16 to /28, without host bits, that leaves every one of `subnetCount`
 * evenly split subnets at least a /27.
 */
function checkCidr(scope: IConstruct, cidr: string, subnetCount: number): void {
  if (Token.isUnresolved(cidr)) {
    fail(scope, 'cidr', cidr, 'is a token', 'give a concrete CIDR string such as "10.0.0.0/16"; CDK splits it into subnets at synth time');
  }
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  if (!match || octets.some((o) => o > 255)) {
    fail(scope, 'cidr', cidr, 'is not an IPv4 CIDR block', 'use the form "10.0.0.0/16"');
  }
  const prefix = Number(match[5]);
  if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    fail(scope, 'cidr', cidr, `has prefix /${prefix}, outside what AWS allows for a VPC`,
      `use a prefix from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}`);
  }
  const address = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const hostBits = 2 ** (32 - prefix) - 1;
  if (address % (hostBits + 1) !== 0) {
    const network = address - (address % (hostBits + 1));
    const base = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
    fail(scope, 'cidr', cidr, 'has host bits set', `use the network address "${base}/${prefix}"`);
  }
  // Same arithmetic as aws-cdk-lib's NetworkBuilder.maskForRemainingSubnets.
  const subnetPrefix = 32 - Math.floor(Math.log2(Math.floor(2 ** (32 - prefix) / subnetCount)));
  if (subnetPrefix > MAX_SUBNET_PREFIX) {
    // The largest VPC prefix whose even split still gives /27 subnets.
    const largestPrefix = MAX_SUBNET_PREFIX - Math.ceil(Math.log2(subnetCount));
    fail(scope, 'cidr', cidr, `is too small for ${subnetCount} subnets (each would be /${subnetPrefix})`,
      `an Application Load Balancer needs /${MAX_SUBNET_PREFIX} subnets or larger; use a prefix from /${MIN_VPC_PREFIX} to /${largestPrefix}`);
  }
}
