import { updateRule } from '../update-rule';

/**
 * ESK-UPD9: ECS sets the weights of a canary, linear or blue/green service's production and test
 * listener rules during a deployment. An update that changes such a rule re-sends its actions
 * with the template's weights (aws-cdk #36649): after an odd number of deployments the template's
 * 100 % points at the target group ECS emptied, and the service stops answering.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD9 = updateRule({
  id: 'ESK-UPD9',
  kinds: ['shifted-rule-reset'],
  reason: 'Update changes a listener rule whose weights ECS sets for a canary, linear or blue/green service: CloudFormation re-sends the template\'s weights, undoing ECS\'s traffic shift',
  fix: 'Keep the route (paths, hosts, priority) unchanged; to change it, first check which target group serves (aws elbv2 describe-rules), or switch the service to rolling, deploy, then change the route',
});
