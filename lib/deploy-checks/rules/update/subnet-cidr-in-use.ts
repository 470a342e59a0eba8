import { updateRule } from '../../update-rule';

/**
 * ESK-UPD3: replaced or new subnets are created while the old ones still hold their addresses.
 * Source: AWS CloudFormation User Guide, "Update behaviors of stack resources" (cleanup after
 * creates); Amazon EC2 API reference, CreateSubnet (InvalidSubnet.Conflict for an overlapping CIDR).
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD3 = updateRule({
  id: 'ESK-UPD3',
  kinds: ['cidr-in-use'],
  reason: 'Update creates a subnet whose CIDR overlaps a subnet that exists until the update\'s cleanup phase: conflicts with another subnet',
  fix: 'Keep the subnets\' CIDRs (a network layout switch can re-carve them); add subnets in free ranges, or move to a new VPC',
});
