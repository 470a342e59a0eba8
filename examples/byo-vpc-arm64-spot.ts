/**
 * Bring your own VPC (a platform team's, imported by id) and run on ARM64 (Graviton) with most
 * tasks on Fargate Spot. The architecture is set once: it drives the task's runtime platform
 * and the platform the image asset is built for.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Architecture, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'ByoVpcArm64Spot', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'PlatformVpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0aa0000000000001a', 'subnet-0aa0000000000001b'],
    privateSubnetIds: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'],
    publicSubnetRouteTableIds: ['rtb-0cc0000000000003a', 'rtb-0cc0000000000003a'],
    privateSubnetRouteTableIds: ['rtb-0dd0000000000004a', 'rtb-0dd0000000000004b'],
  });
  const cluster = new ServiceCluster(stack, 'Cluster', { vpc, clusterName: 'platform-shared' });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', {
    vpc,
    allowedCidrs: ['203.0.113.0/24'],
  });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'Reachable only from the office range 203.0.113.0/24; the platform team terminates TLS in front of it.',
  });
  new WebService(stack, 'Service', {
    cluster,
    loadBalancer,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    architecture: Architecture.ARM64,
    cpu: 512,
    memoryMiB: 1024,
    healthCheck: { path: '/health' },
    spot: { spotWeight: 3, onDemandWeight: 1, onDemandBase: 1 },
    scaling: { minCapacity: 2, maxCapacity: 12, targetCpuPercent: 60 },
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
