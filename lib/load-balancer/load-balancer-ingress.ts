import { Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { skipCheckov } from '../validation/checkov';
import { HTTP_PORT, HTTPS_PORT } from './listener-defaults';
import { cidrKind } from './route-validation';
import { ServiceLoadBalancerProps } from './service-load-balancer-props';

/**
 * Ingress to a ServiceLoadBalancer's security group: the listener ports from the allowed CIDRs.
 * Internal: not exported from index.ts.
 */

export function addIngress(securityGroup: ec2.SecurityGroup, props: ServiceLoadBalancerProps, internetFacing: boolean, dualStack: boolean, ports: number[]): void {
  const peers: ec2.IPeer[] = [];
  if (props.allowedCidrs !== undefined) {
    for (const cidr of props.allowedCidrs) {
      peers.push(!Token.isUnresolved(cidr) && cidrKind(cidr) === 'ipv6' ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr));
    }
  } else if (internetFacing) {
    peers.push(ec2.Peer.anyIpv4());
    if (dualStack) peers.push(ec2.Peer.anyIpv6());
  } else {
    peers.push(ec2.Peer.ipv4(literalVpcCidr(props.vpc)));
  }
  for (const peer of peers) {
    for (const port of ports) {
      const what = port === HTTPS_PORT ? 'HTTPS' : port === HTTP_PORT ? 'HTTP' : `Test listener ${port}`;
      securityGroup.addIngressRule(peer, ec2.Port.tcp(port), `${what} from ${peer.uniqueId}`);
    }
  }
  const openToWorld = peers.some(p => !Token.isUnresolved(p.uniqueId) && /\/0$/.test(p.uniqueId));
  if (openToWorld && ports.includes(HTTP_PORT)) {
    skipCheckov(securityGroup, 'CKV_AWS_260', ports.includes(HTTPS_PORT)
      ? 'Port 80 is open to the allowed CIDRs only to redirect to HTTPS on 443.'
      : 'HTTP-only load balancer (no certificate given) that the allowed CIDRs must reach on port 80; flagged at synth by ecs-service-kit:http-only.');
  }
  if (openToWorld) {
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason: 'An internet-facing load balancer must accept traffic from anywhere; ingress is limited to the listener ports (HTTPS 443, HTTP 80 only redirecting or when no certificate is given).',
    });
  }
}

/**
 * The VPC's primary CIDR as a literal when we can see it (a Vpc built in this app with a fixed
 * CIDR), so the ingress rule and cdk-nag read a value rather than a GetAtt; else the token.
 */
export function literalVpcCidr(vpc: ec2.IVpc): string {
  if (!Token.isUnresolved(vpc.vpcCidrBlock)) return vpc.vpcCidrBlock;
  const cfnVpc = vpc.node.defaultChild;
  if (cfnVpc instanceof ec2.CfnVPC && typeof cfnVpc.cidrBlock === 'string' && !Token.isUnresolved(cfnVpc.cidrBlock)) {
    return cfnVpc.cidrBlock;
  }
  return vpc.vpcCidrBlock;
}
