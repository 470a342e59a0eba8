import { updateRule } from '../../update-rule';

/**
 * ESK-UPD13: security groups added to a Network Load Balancer created without any. ELB refuses
 * them (SetSecurityGroups), so the update fails. Source: ELB API reference, SetSecurityGroups.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD13 = updateRule({
  id: 'ESK-UPD13',
  kinds: ['nlb-security-groups-added'],
  reason: 'Update adds security groups to a Network Load Balancer created without any: ELB refuses them, so the update fails',
  fix: 'Replace the load balancer (a new logical id, or change its Name or Scheme) to create it with security groups, or leave SecurityGroups out; ServiceNetworkLoadBalancer always creates its load balancer with one',
});

/**
 * ESK-UPD14: a target group an ECS service registers in is replaced in place of the old one: the
 * listener switches to the new, empty group before the service's new tasks are healthy in it.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD14 = updateRule({
  id: 'ESK-UPD14',
  kinds: ['target-group-replaced'],
  reason: 'Update replaces a target group an ECS service registers in: the listener forwards to the new, empty group until the service\'s new tasks pass their health checks, so traffic fails meanwhile',
  fix: 'Keep the target group\'s create-only properties (Protocol, Port, TargetType, Name, VpcId, IpAddressType, ProtocolVersion), or move traffic in two deploys: add a second service (or listener) on the new target group, then remove the old one',
});

/**
 * ESK-UPD15: a load balancer with deletion protection on (as under
 * `ecs-service-kit:governance=control-tower`) is replaced or removed: ELB refuses the delete in
 * cleanup and the old one stays outside the stack. Source: ELB API reference, DeleteLoadBalancer.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD15 = updateRule({
  id: 'ESK-UPD15',
  kinds: ['protected-load-balancer-deleted'],
  reason: 'Update replaces or removes a load balancer whose deletion protection is on: ELB refuses the delete in cleanup (OperationNotPermitted), and the old load balancer stays in the account outside the stack, still billed',
  fix: 'Deploy deletionProtection: false for that load balancer first (where the Control Tower control is enforced, turn it off with aws elbv2 modify-load-balancer-attributes --attributes Key=deletion_protection.enabled,Value=false), then the change; or keep its Name, Type and Scheme and its logical id',
});

/**
 * ESK-UPD17: the service the listener forwarded to by default moves to a new listener rule (a
 * WebService that gets `sourceCidrs`, paths or hosts): between the listener's update and the
 * rule's creation, requests get the new default action. Needs DeployChecks' `previousVersion`.
 */
export const ESK_UPD17 = updateRule({
  id: 'ESK-UPD17',
  kinds: ['default-route-to-rule'],
  reason: 'Update moves the target group a listener forwarded to by default onto a new listener rule: CloudFormation updates the listener first and creates the rule after, so meanwhile every request gets the new default action (a 404 from this library\'s load balancer), and the group\'s targets pass their health checks again once the rule exists',
  fix: 'Deploy it when a minute of 404s is acceptable, or in two steps: first add a second service (or route) with the new conditions next to the default one, then remove the default one; then acknowledge this warning',
});
