/**
 * A web service on EC2 container instances instead of Fargate: Graviton (t4g.medium) instances
 * with the ECS-optimized Amazon Linux 2023 AMI in an Auto Scaling group that ECS scales for the
 * tasks (managed scaling and managed draining; without managed termination protection, so
 * `cdk destroy` does not wait on scale-in-protected instances), and ARM64 tasks in awsvpc mode
 * behind the shared load balancer. The image asset is built for ARM64.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Architecture, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'Ec2Capacity', { env: { region: 'us-east-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster');
  const capacity = cluster.addEc2Capacity('Graviton', {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
    minInstances: 1,
    maxInstances: 4,
    // Keep ~10 % spare so a scale-out task usually starts without waiting for an instance.
    targetCapacityPercent: 90,
  });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows EC2 capacity without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  new WebService(stack, 'Web', {
    cluster,
    loadBalancer,
    ec2Capacity: capacity,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    architecture: Architecture.ARM64,
    cpu: 512,
    memoryMiB: 1024,
    healthCheck: { path: '/health' },
    scaling: { minCapacity: 2, maxCapacity: 6, targetCpuPercent: 60 },
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
