import { updateRule } from '../../update-rule';

/**
 * ESK-UPD10: a Service Connect discovery name and client alias are unique in the namespace (ECS API
 * reference, ServiceConnectServiceResource and ServiceConnectClientAlias). A service that is
 * replaced (spot, ec2Capacity or managedInstancesCapacity toggled: LaunchType is create-only; a
 * renamed or moved construct) is created while the old service still publishes its names, so the
 * create fails: "SC service is already used by <namespace>" (aws/copilot-cli#4337).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD10 = updateRule({
  id: 'ESK-UPD10',
  kinds: ['service-connect-name-in-use'],
  reason: 'Update creates or replaces an ECS service that publishes a Service Connect name another service (or its own old copy) holds until cleanup: "SC service is already used"',
  fix: 'Deploy the replacement with a new serviceConnect.name (callers switch to the new name), or deploy in two steps: first the service without its name (serviceConnect: { clientOnly: true }; callers cannot reach it meanwhile), then the replacement with the name',
});
