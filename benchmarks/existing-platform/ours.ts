// One service added to an existing cluster and an existing ALB listener, with ecs-service-kit.
// Counted by benchmarks/existing-platform/count.ts between the BEGIN and END lines.
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../../lib';
import { PlatformIds } from './platform';

export function addService(stack: Stack, vpc: ec2.IVpc, ids: PlatformIds): void {
  // BEGIN
  new WebService(stack, 'Orders', {
    cluster: ServiceCluster.fromClusterAttributes(stack, 'Cluster', { clusterName: ids.clusterName, vpc }),
    loadBalancer: ServiceLoadBalancer.fromListenerAttributes(stack, 'LoadBalancer', {
      listenerArn: ids.listenerArn,
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'AlbSg', ids.loadBalancerSecurityGroupId),
      vpc,
      url: ids.url,
    }),
    image: ServiceImage.fromAsset(ids.assetDirectory),
    pathPatterns: ['/orders/*'],
    healthCheck: { path: '/health' },
  });
  // END
}
