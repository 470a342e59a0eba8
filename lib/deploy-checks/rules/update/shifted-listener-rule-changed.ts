import { updateRule } from '../../update-rule';

/**
 * ESK-UPD9: ECS sets the weights of a canary, linear or blue/green service's production and test
 * listener rules during a deployment. An update that changes such a rule re-sends its actions
 * with the template's weights (aws-cdk #36649): after an odd number of deployments the template's
 * 100 % points at the target group ECS emptied, and the service stops answering. Removing such
 * a rule while its service stays (a default-route service going back to rolling) is as bad: the
 * rule lives until cleanup and may send every request to the emptied group meanwhile.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD9 = updateRule({
  id: 'ESK-UPD9',
  kinds: ['shifted-rule-reset', 'shifted-rule-removed'],
  reason: 'Update changes or removes a listener rule whose weights ECS sets for a canary, linear or blue/green service: CloudFormation re-sends the template\'s weights (or keeps the old rule until cleanup), undoing ECS\'s traffic shift',
  fix: 'Keep the route (paths, hosts, priority, tags) and its target groups unchanged. When the change is needed, no order of deploys avoids this finding (going back to rolling changes or removes the rule too): check the rule\'s weights (aws elbv2 describe-rules), put all traffic on the group the template weights 100 (aws elbv2 modify-rule), then deploy with this finding acknowledged for that one deploy',
});
