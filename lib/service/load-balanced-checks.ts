import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { checkDurationSeconds, fail } from '../validation/checks';
import { validateServiceOptions } from './service-base';
import { ServiceOptions } from './service-options';

/**
 * Checks what a service behind a load balancer adds to the options every service takes: the load
 * balancer in the cluster's VPC (a target group in another VPC than its load balancer synthesizes
 * but fails at deploy time), then the service options with its main port. The target group's own
 * limits follow the caller's health-check checks (`checkTargetGroupTimes`).
 */
export function validateLoadBalancedService(
  scope: IConstruct, props: ServiceOptions & { readonly containerPort?: number },
  cluster: IServiceCluster, loadBalancer: { readonly vpc?: ec2.IVpc; readonly node: { readonly path: string } },
  // null: the main container has no port (the load balancer reaches a sidecar).
  mainPort: number | null = props.containerPort ?? Defaults.containerPort,
): void {
  const lbVpc = loadBalancer.vpc;
  const resolve = (vpc: ec2.IVpc) => JSON.stringify(Stack.of(scope).resolve(vpc.vpcId));
  if (lbVpc && lbVpc !== cluster.vpc && resolve(lbVpc) !== resolve(cluster.vpc)) {
    fail(scope, 'loadBalancer', loadBalancer.node.path, `is in VPC ${lbVpc.node.path}, not in the cluster's VPC ${cluster.vpc.node.path}`,
      'give a load balancer and a cluster in the same VPC');
  }
  validateServiceOptions(scope, props, cluster, {
    containerPort: mainPort ?? undefined,
    hasLoadBalancer: true,
  });
}

/** The target group's limits on a load-balanced service's drain and health-check grace. */
export function checkTargetGroupTimes(scope: IConstruct, props: { readonly deregistrationDelay?: Duration; readonly healthCheckGracePeriod?: Duration }): void {
  checkDurationSeconds(scope, 'deregistrationDelay', props.deregistrationDelay, 0, 3600);
  checkDurationSeconds(scope, 'healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2_147_483_647);
}
