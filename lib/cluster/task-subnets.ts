import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { describeSubnetSelection, fail } from '../validation/checks';

/** Where tasks run in a VPC the user gave, unless they say otherwise. */
export const DEFAULT_TASK_SUBNETS: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

/**
 * A given VPC must have subnets for `taskSubnets`, and `assignPublicIp` must match their type:
 * tasks in public subnets need a public IP to reach ECR; in private subnets one is paid for and unused.
 */
export function checkTaskSubnets(
  scope: IConstruct, vpc: ec2.IVpc, taskSubnets: ec2.SubnetSelection, given: ec2.SubnetSelection | undefined, assignPublicIp: boolean,
): void {
  const prop = 'taskSubnets';
  // When the user left taskSubnets out, say the value was our default, not theirs.
  const whose = given !== undefined ? '' : '(the default) ';
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(taskSubnets);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    fail(scope, prop, describeSubnetSelection(taskSubnets), `${whose}selects no subnets of vpc (${reason})`,
      'select subnets the VPC has, e.g. { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or { subnets: [...] }');
  }
  if (selected.subnets.length === 0) {
    fail(scope, prop, describeSubnetSelection(taskSubnets), `${whose}selects no subnets of vpc`,
      'select subnets the VPC has, e.g. { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or { subnets: [...] }');
  }

  const subnetType = taskSubnets.subnetType;
  if (subnetType === ec2.SubnetType.PUBLIC && !assignPublicIp) {
    fail(scope, 'assignPublicIp', assignPublicIp, 'with public taskSubnets leaves tasks unable to pull images',
      'set assignPublicIp: true, or run tasks in private subnets with a NAT gateway or VPC endpoints');
  }
  if (assignPublicIp && subnetType !== undefined && subnetType !== ec2.SubnetType.PUBLIC) {
    fail(scope, 'assignPublicIp', assignPublicIp, `with ${subnetType} taskSubnets adds a public IPv4 address ($3.65/month per task) that cannot be reached`,
      'set taskSubnets to { subnetType: ec2.SubnetType.PUBLIC }, or leave assignPublicIp false');
  }
}

/** ECS takes at most five security groups per task (awsvpcConfiguration, ECS API Reference). */
export const MAX_TASK_SECURITY_GROUPS = 5;

/**
 * `additionalSecurityGroups`: a list of groups, none twice, that fits in ECS's five per task
 * beside the groups the construct adds itself (`own`, described by `ownWhat`).
 */
export function checkAdditionalSecurityGroups(scope: IConstruct, groups: ec2.ISecurityGroup[] | undefined, own: number, ownWhat: string): void {
  if (groups === undefined) return;
  const prop = 'additionalSecurityGroups';
  if (!Array.isArray(groups)) fail(scope, prop, groups, 'is not a list', 'give a list of security groups (ec2.SecurityGroup.fromSecurityGroupId(...))');
  const seen = new Set<ec2.ISecurityGroup>();
  groups.forEach((group, i) => {
    if (!group || typeof group.securityGroupId !== 'string') fail(scope, `${prop}[${i}]`, group, 'is not a security group', 'give ec2.ISecurityGroup values');
    if (seen.has(group)) fail(scope, `${prop}[${i}]`, group.node.path, 'is in the list twice', 'give each group once');
    seen.add(group);
  });
  if (groups.length + own > MAX_TASK_SECURITY_GROUPS) {
    fail(scope, prop, groups.length, `groups with ${ownWhat} are more than the ${MAX_TASK_SECURITY_GROUPS} ECS takes per task`,
      `give at most ${MAX_TASK_SECURITY_GROUPS - own}`);
  }
}
