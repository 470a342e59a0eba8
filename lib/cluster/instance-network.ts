import { IConstruct } from 'constructs';
import { NetworkLayout } from '../network/network-layout';
import { fail } from '../validation/checks';
import { IServiceCluster } from './service-cluster-ref';

/**
 * Instances (EC2 capacity, Managed Instances) need what Fargate does not: a way out for awsvpc
 * tasks without a public IP, and the ecs, ecs-agent and ecs-telemetry endpoints to register.
 * Internal: not exported from index.ts.
 *
 * @param where how tasks on these instances are named in the message ('EC2', 'Managed Instances')
 * @param instances how the instances are named ('container instances', 'Managed Instances')
 */
export function checkInstanceNetwork(scope: IConstruct, cluster: IServiceCluster, where: string, instances: string): void {
  if (cluster.assignPublicIp) {
    fail(scope, 'cluster', cluster.node.path, `runs tasks in public subnets with public IPs; tasks on ${where} get no public IP and could not reach the internet there`,
      'use a cluster whose tasks run in private subnets with a NAT gateway (NetworkLayout.SINGLE_NAT or NAT_PER_AZ, or your VPC\'s private subnets)');
  }
  if (cluster.layout === NetworkLayout.PRIVATE_WITH_ENDPOINTS) {
    fail(scope, 'cluster', cluster.node.path, `uses NetworkLayout.PRIVATE_WITH_ENDPOINTS, which has no ecs, ecs-agent and ecs-telemetry endpoints; ${instances} could not register`,
      'use NetworkLayout.SINGLE_NAT or NAT_PER_AZ, or your own VPC with those endpoints');
  }
}
