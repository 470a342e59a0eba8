import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DependencyGroup, IDependable } from 'constructs';
import type { ServiceNetwork } from './service-network';

/**
 * What a task needs before it can start, for the ECS services and schedules that start tasks to
 * depend on. Internal: not exported from any index.ts.
 *
 * On the first create nothing else orders them: ECS starts a service's tasks as soon as the
 * service exists, and a task whose image pull or log stream fails stops (CannotPullContainerError,
 * ResourceInitializationError) and counts toward the deployment circuit breaker, which then rolls
 * back or fails a first deploy that would have succeeded a minute later. The dependency also keeps
 * the order right on `cdk destroy`: the services and schedules go first, the routes, endpoints and
 * role policies after them, so a service's tasks keep their network and permissions while they
 * drain. A scheduled run still going when its schedule is deleted is not waited for: it may lose
 * them.
 *
 * - the default routes of the task subnets (to the NAT gateways on SINGLE_NAT and NAT_PER_AZ, to
 *   the internet gateway on PUBLIC_ONLY; aws-cdk-lib's `internetConnectivityEstablished`, empty for
 *   isolated subnets and imported VPCs);
 * - on PRIVATE_WITH_ENDPOINTS, the endpoints the layout creates: ECR (api, dkr) and the S3
 *   gateway for the image, Logs for the log stream, Secrets Manager and SSM for `secrets`;
 * - the task definition's execution role and its policy (the image pull, the logs and the
 *   secrets' grants land in its `DefaultPolicy`, which nothing else makes the service wait for;
 *   aws-cdk-lib orders the service only after the task role), and the task role.
 */
export function taskStartDependencies(
  placement: { readonly vpc: ec2.IVpc; readonly taskSubnets: ec2.SubnetSelection },
  taskDefinition: ecs.TaskDefinition,
): IDependable {
  const group = new DependencyGroup(placement.vpc.selectSubnets(placement.taskSubnets).internetConnectivityEstablished);
  // By VPC: a cluster given a ServiceNetwork's vpc (rather than its layout) waits for them too.
  group.add(...(TASK_START_ENDPOINTS.get(placement.vpc) ?? []));
  // The roles as constructs: their policies are resolved at synth, so grants added later count too.
  if (taskDefinition.executionRole) group.add(taskDefinition.executionRole);
  group.add(taskDefinition.taskRole);
  return group;
}

/**
 * The endpoints tasks in each network start through: on PRIVATE_WITH_ENDPOINTS the interface
 * endpoints the layout creates (ECR api and dkr, Logs, Secrets Manager, SSM, and ssmmessages when
 * asked for) and the S3 gateway endpoint. Not the on-demand ones (SQS): only the services that
 * need those wait for them.
 */
const TASK_START_ENDPOINTS = new WeakMap<ec2.IVpc, readonly ec2.IVpcEndpoint[]>();

/** Called by ServiceNetwork once its layout's endpoints exist. */
export function recordTaskStartEndpoints(network: ServiceNetwork, endpoints: readonly ec2.IVpcEndpoint[]): void {
  TASK_START_ENDPOINTS.set(network.vpc, endpoints);
}
