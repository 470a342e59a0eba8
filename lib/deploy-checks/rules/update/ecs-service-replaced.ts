import { updateRule } from '../../update-rule';

/**
 * ESK-UPD7: a renamed construct is a new logical id: create first, delete in cleanup.
 * Source: AWS CloudFormation User Guide, "Update behaviors of stack resources"; the
 * AWS::ECS::Service schema (createOnlyProperties Cluster, ServiceName, SchedulingStrategy, Role;
 * LaunchType conditionally).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD7 = updateRule({
  id: 'ESK-UPD7',
  kinds: ['service-replaced'],
  reason: 'Update replaces an ECS service (a replacing property changed, or the construct was renamed or moved): the new service starts beside the old one and tasks double until cleanup',
  fix: 'Keep the service\'s construct id and its cluster, launch type (spot, ec2Capacity, managedInstancesCapacity) and name; if the replacement is intended, plan for the double capacity. '
    + 'A service that publishes a Service Connect name cannot keep it through a replacement (ESK-UPD10)',
});
