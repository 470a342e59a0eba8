import { updateRule } from '../../update-rule';

/**
 * ESK-UPD1: CloudFormation creates and updates before it deletes (cleanup), and ELB refuses a priority another rule of the listener holds at that moment.
 * Source: AWS CloudFormation User Guide, "Update behaviors of stack resources" (replacements and
 * removals are cleaned up after every create and update succeeds); ELB API reference, CreateRule
 * and SetRulePriorities (PriorityInUse: a listener's priorities are unique).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD1 = updateRule({
  id: 'ESK-UPD1',
  kinds: ['priority-in-use', 'priority-race'],
  reason: 'Update takes a listener-rule priority that another rule holds until the update\'s cleanup phase: PriorityInUse',
  fix: 'Keep each rule\'s priority when others are added or removed (ServiceLoadBalancer derives it from the route), or move a priority in two deploys',
});
