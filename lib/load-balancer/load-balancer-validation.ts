import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { describeSubnetSelection, fail } from '../validation/checks';
import { cidrKind, isDomainName } from './route-validation';
import { ServiceLoadBalancerProps } from './service-load-balancer-props';

/**
 * Synth checks of a ServiceLoadBalancer's domain, subnets, dual stack and CIDRs; errors name the
 * load balancer (`scope`). Internal: not exported from index.ts.
 */

export function validateDomain(scope: Construct, props: ServiceLoadBalancerProps): void {
  const { domainName, hostedZone, certificate } = props;
  if (hostedZone && domainName === undefined) {
    fail(scope, 'hostedZone', hostedZone.node.path, 'needs a domainName', 'give domainName (a name inside the zone), or leave hostedZone out');
  }
  if (domainName === undefined) return;
  if (!certificate && !hostedZone) {
    fail(scope, 'domainName', domainName, 'needs a certificate or a hostedZone',
      'give hostedZone to create a DNS-validated certificate and an alias record, or give certificate');
  }
  if (Token.isUnresolved(domainName)) return;
  if (!isDomainName(domainName)) {
    fail(scope, 'domainName', domainName, 'is not a valid domain name',
      'use a fully qualified name such as "app.example.com": labels of 1–63 letters, digits or hyphens, at most 253 characters');
  }
  if (hostedZone && !Token.isUnresolved(hostedZone.zoneName)) {
    const zone = hostedZone.zoneName.toLowerCase().replace(/\.$/, '');
    const name = domainName.toLowerCase();
    if (name !== zone && !name.endsWith(`.${zone}`)) {
      fail(scope, 'domainName', domainName, `is not inside hostedZone ${zone}`, `use ${zone} or a name ending in .${zone}`);
    }
  }
}

/**
 * The subnets the load balancer would get must exist in the VPC and span two AZs, or
 * aws-cdk-lib throws from deep inside (no such subnet group) or the deploy fails (one AZ).
 */
export function validateSubnets(scope: Construct, props: ServiceLoadBalancerProps): void {
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
    return fail(scope, prop, value, `${given ? '' : '(default subnets) '}selects no subnets of vpc (${reason})`,
      'an internet-facing load balancer needs public subnets: give a vpc that has them, or vpcSubnets the VPC has, or set internetFacing: false to use its private subnets');
  }
  const azs = subnets.map(s => s.availabilityZone);
  if (azs.some(az => Token.isUnresolved(az))) return;
  const distinct = new Set(azs).size;
  if (distinct < 2) {
    fail(scope, prop, value, `${given ? '' : '(default subnets) '}places the load balancer in ${distinct} Availability Zone${distinct === 1 ? '' : 's'}`,
      'an Application Load Balancer needs subnets in at least two Availability Zones: give a vpc with subnets in two or more (ec2.Vpc or ServiceNetwork with maxAzs of 2 or more), or vpcSubnets that span them');
  }
}

/**
 * A dual-stack load balancer needs IPv6 on its VPC and subnets, or the deploy fails. Checked for
 * what the app builds; an imported VPC or subnet cannot be inspected.
 */
export function validateDualStack(scope: Construct, props: ServiceLoadBalancerProps): void {
  const advice = 'give a vpc with IPv6 (ec2.Vpc with ipProtocol: ec2.IpProtocol.DUAL_STACK; ServiceNetwork\'s layouts are IPv4 only), or leave dualStack out';
  if (props.vpc instanceof ec2.Vpc && !hasIpv6CidrBlock(props.vpc)) {
    fail(scope, 'dualStack', true, `needs IPv6, but vpc ${props.vpc.node.path} has no IPv6 CIDR block`, advice);
  }
  const selection = props.vpcSubnets ?? ((props.internetFacing ?? true) ? { subnetType: ec2.SubnetType.PUBLIC } : {});
  const withoutIpv6 = props.vpc.selectSubnets(selection).subnets.filter(subnet => {
    const cfn = subnet instanceof ec2.Subnet ? subnet.node.defaultChild : undefined;
    return cfn instanceof ec2.CfnSubnet && cfn.ipv6CidrBlock === undefined && cfn.ipv6IpamPoolId === undefined && cfn.ipv6Native === undefined;
  });
  if (withoutIpv6.length > 0) {
    fail(scope, 'dualStack', true, `needs IPv6 on every subnet of the load balancer, but ${withoutIpv6.map(s => s.node.path).join(', ')} ${withoutIpv6.length === 1 ? 'has' : 'have'} no IPv6 CIDR`,
      `${advice}${props.vpcSubnets ? ', or vpcSubnets with IPv6 CIDRs' : ''}`);
  }
}

/** Every CIDR of `allowedCidrs` and `testListenerAllowedCidrs` is a CIDR block of an IP version the load balancer serves. */
export function validateCidrs(scope: Construct, props: ServiceLoadBalancerProps): void {
  for (const prop of ['allowedCidrs', 'testListenerAllowedCidrs'] as const) {
    (props[prop] ?? []).forEach((cidr, i) => {
      if (Token.isUnresolved(cidr)) return;
      const kind = cidrKind(cidr);
      if (kind === undefined) {
        fail(scope, `${prop}[${i}]`, cidr, 'is not a CIDR block', 'use an IPv4 CIDR such as "203.0.113.0/24" or an IPv6 CIDR such as "2001:db8::/32"');
      }
      if (kind === 'ipv6' && !(props.dualStack ?? false)) {
        fail(scope, `${prop}[${i}]`, cidr, 'is an IPv6 CIDR but the load balancer is IPv4 only', 'set dualStack: true, or allow IPv4 CIDRs only');
      }
    });
  }
}

/** Whether a VPC built in the app has an IPv6 CIDR block associated (ec2.Vpc with DUAL_STACK adds one). */
function hasIpv6CidrBlock(vpc: ec2.Vpc): boolean {
  return Stack.of(vpc).node.findAll().some(c => c instanceof ec2.CfnVPCCidrBlock
    && (c.node.scope === vpc || c.vpcId === vpc.vpcId)
    && (c.amazonProvidedIpv6CidrBlock !== undefined || c.ipv6CidrBlock !== undefined || c.ipv6IpamPoolId !== undefined || c.ipv6Pool !== undefined));
}
