import { DeployCheckRule, Finding } from '../../rule';
import { asArray, refResource, refTarget, resources } from '../../template';

/**
 * ESK-ELB4: a dual-stack load balancer needs an IPv6 CIDR block on every subnet it uses; a subnet
 * of the app without one fails the create ("subnet ... does not have an IPv6 CIDR block").
 *
 * Sources: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#ip-address-type
 * ("you must associate an IPv6 CIDR block with the VPC and subnets"); AWS::EC2::SubnetCidrBlock.
 */
export const ESK_ELB4: DeployCheckRule = {
  id: 'ESK-ELB4',
  severity: 'error',
  reason: 'Dual-stack load balancer uses a subnet without an IPv6 CIDR block: the create fails',
  fix: 'Give the subnets IPv6 CIDRs (Ipv6CidrBlock or AWS::EC2::SubnetCidrBlock; CDK: ipProtocol: DUAL_STACK on the Vpc) or use IpAddressType ipv4.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const cidrBlocks = resources(stack.template, 'AWS::EC2::SubnetCidrBlock').map(([, r]) => refTarget(r.Properties?.SubnetId));
      for (const [id, lb] of resources(stack.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
        const type = lb.Properties?.IpAddressType;
        if (typeof type !== 'string' || !type.startsWith('dualstack')) continue;
        const subnets = [...asArray(lb.Properties?.Subnets), ...asArray(lb.Properties?.SubnetMappings).map((m: any) => m?.SubnetId)];
        const without = subnets
          .map((s) => refResource(stack.template, s, 'AWS::EC2::Subnet'))
          .filter((s): s is NonNullable<typeof s> => s !== undefined)
          .filter(([subnetId, subnet]) => subnet.Properties?.Ipv6CidrBlock === undefined && subnet.Properties?.Ipv6Native !== true
            && subnet.Properties?.Ipv6IpamPoolId === undefined && !cidrBlocks.includes(subnetId))
          .map(([subnetId]) => subnetId);
        if (without.length > 0) {
          findings.push({ templatePath: stack.templatePath, logicalId: id, locations: ['Properties/IpAddressType', 'Properties/Subnets'], detail: `subnets without IPv6: ${without.join(', ')}` });
        }
      }
    }
    return findings;
  },
};
