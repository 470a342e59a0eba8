import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ContainerWebApp } from '../../lib/bundle';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { testApp, testStack } from '../util/test-app';

function vpc(stack: ReturnType<typeof testStack>, ipProtocol: ec2.IpProtocol): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0, ipProtocol,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
  });
}

describe('dualStack needs IPv6 on the VPC and the subnets', () => {
  test('an ec2.Vpc built IPv4-only is rejected at synth, naming dualStack and ipProtocol', () => {
    const stack = testStack(testApp());
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc: vpc(stack, ec2.IpProtocol.IPV4_ONLY), dualStack: true }))
      .toThrow(/^TestStack\/Lb: dualStack true needs IPv6, but vpc TestStack\/Vpc has no IPv6 CIDR block; give a vpc with IPv6 \(ec2\.Vpc with ipProtocol: ec2\.IpProtocol\.DUAL_STACK; ServiceNetwork's layouts are IPv4 only\), or leave dualStack out/);
  });

  test('ContainerWebApp with its own network (IPv4 only) is rejected, naming dualStack', () => {
    const stack = testStack(testApp());
    expect(() => new ContainerWebApp(stack, 'Web', { image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'), dualStack: true }))
      .toThrow(/^TestStack\/Web\/LoadBalancer: dualStack true needs IPv6, but vpc TestStack\/Web\/Cluster\/Network\/Vpc has no IPv6 CIDR block; give a vpc with IPv6/);
  });

  test('ContainerWebApp with a dual-stack vpc passes dualStack on', () => {
    const stack = testStack(testApp());
    new ContainerWebApp(stack, 'Web', {
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, ipProtocol: ec2.IpProtocol.DUAL_STACK, natGateways: 1 }),
      dualStack: true,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { IpAddressType: 'dualstack' });
  });

  test('subnets built without an IPv6 CIDR in a dual-stack VPC are rejected, naming them', () => {
    const stack = testStack(testApp());
    const v = vpc(stack, ec2.IpProtocol.DUAL_STACK);
    const subnets = v.availabilityZones.map((az, i) => new ec2.PublicSubnet(stack, `Extra${i}`, {
      vpcId: v.vpcId, availabilityZone: az, cidrBlock: `10.0.${200 + i}.0/24`,
    }));
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc: v, dualStack: true, vpcSubnets: { subnets } }))
      .toThrow(/^TestStack\/Lb: dualStack true needs IPv6 on every subnet of the load balancer, but TestStack\/Extra0, TestStack\/Extra1 have no IPv6 CIDR; .*or vpcSubnets with IPv6 CIDRs/);
  });

  test('an imported VPC cannot be inspected and is accepted', () => {
    const stack = testStack(testApp());
    const imported = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a', 'us-east-1b'], publicSubnetIds: ['subnet-1', 'subnet-2'],
    });
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc: imported, dualStack: true })).not.toThrow();
  });
});
