/**
 * Services added to a platform this library did not create: an ECS cluster and an HTTPS
 * listener of an Application Load Balancer that already exist (made by a platform team with
 * Terraform, the console or another CDK app). Two stacks, each owned by its own team, add a
 * service to them; neither creates a cluster, a load balancer or a network.
 *
 * - Orders reads the platform's ids from context (`-c platform=…` or cdk.json), as a team would
 *   paste them once.
 * - Payments reads the cluster ARN and listener ARN from Parameter Store, where the platform
 *   publishes them: the values are resolved at deploy time, so this app never needs them.
 *
 * Each service gets its own listener rule (in its own stack, with a priority that depends only
 * on its route) and target group; the tasks join one security group per importing stack that
 * admits the load balancer's group on their port. `cdk destroy` of either stack removes its
 * service, rule and target group and leaves the cluster, the load balancer and the other team's
 * service untouched.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';

/** What the platform team hands over. Override with `-c platform='{"vpcId": …}'`. */
interface PlatformIds {
  readonly vpcId: string;
  readonly availabilityZones: string[];
  readonly privateSubnetIds: string[];
  readonly privateSubnetRouteTableIds: string[];
  readonly clusterName: string;
  readonly listenerArn: string;
  readonly loadBalancerSecurityGroupId: string;
  readonly url: string;
}

const EXAMPLE_PLATFORM: PlatformIds = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'],
  privateSubnetRouteTableIds: ['rtb-0dd0000000000004a', 'rtb-0dd0000000000004b'],
  clusterName: 'platform-shared',
  listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/50dc6c495c0c9188/f2f7dc8efc522ab2',
  loadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
  url: 'https://shop.example.com',
};

const ENV = { account: '123456789012', region: 'eu-west-1' };

function platformVpc(stack: Stack, ids: PlatformIds): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'PlatformVpc', {
    vpcId: ids.vpcId,
    availabilityZones: ids.availabilityZones,
    privateSubnetIds: ids.privateSubnetIds,
    privateSubnetRouteTableIds: ids.privateSubnetRouteTableIds,
  });
}

export function buildExample(app: App): Stack[] {
  const ids = { ...EXAMPLE_PLATFORM, ...(app.node.tryGetContext('platform') as Partial<PlatformIds> | undefined) };
  const image = ServiceImage.fromAsset(path.join(__dirname, 'app'));

  // Orders: the platform's ids as literals.
  const orders = new Stack(app, 'ExistingPlatformOrders', { env: ENV });
  const ordersVpc = platformVpc(orders, ids);
  const ordersService = new WebService(orders, 'Orders', {
    cluster: ServiceCluster.fromClusterAttributes(orders, 'Cluster', {
      clusterName: ids.clusterName,
      vpc: ordersVpc,
      // The platform cluster has Container Insights on and both Fargate capacity providers.
      containerInsights: true,
      fargateCapacityProviders: true,
    }),
    loadBalancer: ServiceLoadBalancer.fromListenerAttributes(orders, 'LoadBalancer', {
      listenerArn: ids.listenerArn,
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(orders, 'LoadBalancerSecurityGroup', ids.loadBalancerSecurityGroupId),
      vpc: ordersVpc,
      url: ids.url,
    }),
    image,
    pathPatterns: ['/orders', '/orders/*'],
    environment: { BASE_PATH: '/orders' },
    healthCheck: { path: '/orders/health' },
    spot: { spotWeight: 1 },
    scaling: { minCapacity: 2, maxCapacity: 8 },
  });

  // Payments: the cluster and listener ARNs from Parameter Store, resolved at deploy time.
  const payments = new Stack(app, 'ExistingPlatformPayments', { env: ENV });
  const paymentsVpc = platformVpc(payments, ids);
  const paymentsService = new WebService(payments, 'Payments', {
    cluster: ServiceCluster.fromClusterAttributes(payments, 'Cluster', {
      clusterArn: ssm.StringParameter.valueForStringParameter(payments, '/platform/cluster-arn'),
      vpc: paymentsVpc,
      containerInsights: true,
    }),
    loadBalancer: ServiceLoadBalancer.fromListenerAttributes(payments, 'LoadBalancer', {
      listenerArn: ssm.StringParameter.valueForStringParameter(payments, '/platform/listener-arn'),
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(payments, 'LoadBalancerSecurityGroup',
        ssm.StringParameter.valueForStringParameter(payments, '/platform/alb-security-group-id')),
      vpc: paymentsVpc,
      url: ids.url,
    }),
    image,
    pathPatterns: ['/payments', '/payments/*'],
    environment: { BASE_PATH: '/payments' },
    healthCheck: { path: '/payments/health' },
    scaling: { minCapacity: 2, maxCapacity: 4 },
  });
  for (const service of [ordersService, paymentsService]) {
    Validations.of(service.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: 'BASE_PATH is the route prefix on the shared listener, not a secret; credentials go through `secrets`.',
    });
  }
  return [orders, payments];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
