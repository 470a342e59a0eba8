import { Stack } from 'aws-cdk-lib';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer, ServiceLoadBalancerProps } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { WebService, WebServiceOptions } from '../../lib/service';
import { testApp, testStack } from '../util/test-app';

export const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

export interface Fixture {
  stack: Stack;
  cluster: ServiceCluster;
  loadBalancer: ServiceLoadBalancer;
}

/** A stack with a cluster (no default-SG custom resource: faster) and a shared load balancer. */
export function fixture(lbProps: Partial<ServiceLoadBalancerProps> = {}, stack: Stack = testStack(testApp())): Fixture {
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  // Blue/green test listeners of an internet-facing load balancer need their callers' CIDRs (a CI runner range here).
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc, testListenerAllowedCidrs: ['198.51.100.0/24'], ...lbProps });
  return { stack, cluster, loadBalancer };
}

export function webService(f: Fixture, id: string, options: Partial<WebServiceOptions> = {}): WebService {
  return new WebService(f.stack, id, { cluster: f.cluster, loadBalancer: f.loadBalancer, image: NGINX, ...options });
}

/** The template's resources of one type, by logical id. */
export function resourcesOf(template: { toJSON(): any }, type: string): Record<string, any> {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
}
