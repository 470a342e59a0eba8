import { Annotations, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ManifestReader } from './manifest-reader';
import { WorkloadContext } from './map-task';

/**
 * `network.vpc` of a workload: the security groups its tasks join besides their own, and the
 * placement where it is this library's (`private`: the cluster's private subnets behind a NAT
 * gateway). `public` placement and subnets by id or tag are left unread, so synth names them.
 */
export function taskNetwork(reader: ManifestReader, ctx: WorkloadContext, ownGroups: number): { additionalSecurityGroups?: ec2.ISecurityGroup[] } {
  const placement = reader.peek('network.vpc.placement');
  if (placement?.scalar !== undefined && String(placement.scalar).toLowerCase() === 'private') reader.take('network.vpc.placement');
  return { additionalSecurityGroups: securityGroups(reader, ctx, ownGroups) };
}

/** The warning for a group of a CloudFormation export next to a VPC this application builds. */
export const COPILOT_SECURITY_GROUP_VPC_WARNING = 'ecs-service-kit:copilot-security-group-vpc';

/** Whether the workload keeps out of the environment's shared group (`network.vpc.security_groups.deny_default`). */
export function deniesDefaultGroup(reader: ManifestReader): boolean {
  return reader.peek('network.vpc.security_groups.deny_default')?.scalar === true;
}

/**
 * `network.vpc.security_groups`: a list of ids and `{from_cfn: <export>}`, or `{groups: [...],
 * deny_default}`. `deny_default` kept the tasks out of Copilot's environment security group,
 * through which the environment's services reached each other: such a workload is left out of
 * the Service Connect rules between connected services (deniesDefaultGroup).
 * The groups are imported immutable: this app adds no rule to them.
 */
function securityGroups(reader: ManifestReader, ctx: WorkloadContext, ownGroups: number): ec2.ISecurityGroup[] | undefined {
  const node = reader.peek('network.vpc.security_groups');
  if (node === undefined) {
    // Taken though absent: an unmapped sibling (placement: public) is then named by its own path.
    reader.take('network.vpc.security_groups');
    return undefined;
  }
  const field = node.entries ? 'network.vpc.security_groups.groups' : 'network.vpc.security_groups';
  if (node.entries) reader.boolean('network.vpc.security_groups.deny_default');
  const list = reader.peek(field);
  if (list === undefined) return undefined;
  if (!list.items) reader.fail(field, list, 'is not a list', 'write a list of security group ids or {from_cfn: <export name>}');
  // ECS takes five groups per task; the task's own (and a load balancer's target group) come first.
  const most = 5 - ownGroups;
  if (list.items.length > most) {
    reader.fail(field, list, `lists ${list.items.length} groups, and with the task's own ${ownGroups === 2 ? 'and the load balancer\'s target group ' : ''}ECS takes five per task`, `list at most ${most}`);
  }
  const exported: string[] = [];
  const groups = list.items.map((item, i) => {
    const exportName = item.entries?.get('from_cfn')?.scalar;
    const id = typeof exportName === 'string' ? Fn.importValue(exportName) : item.scalar;
    if (typeof id !== 'string' || (typeof exportName !== 'string' && !/^sg-[0-9a-f]{8,17}$/.test(id))) {
      reader.fail(`${field}[${i}]`, item, 'is not a security group id', 'write an id such as sg-0123456789abcdef0, or {from_cfn: <export name>}');
    }
    // A task's groups must be in its VPC (ECS AwsVpcConfiguration): an existing group cannot be in the VPC this app creates.
    if (!ctx.vpcImported && typeof exportName !== 'string') {
      reader.fail(`${field}[${i}]`, item, `is an existing group, so in another VPC than the one this application creates (ECS refuses a task whose groups and subnets are in different VPCs)`,
        'pass the environment\'s VPC as the vpc prop (ec2.Vpc.fromLookup), or remove the group and allow the new service where the group was allowed');
    }
    if (typeof exportName === 'string') exported.push(exportName);
    return ec2.SecurityGroup.fromSecurityGroupId(ctx.scope, `SecurityGroup${i}`, id, { mutable: false });
  });
  if (exported.length > 0 && !ctx.vpcImported) {
    Annotations.of(ctx.scope).addWarningV2(COPILOT_SECURITY_GROUP_VPC_WARNING,
      `${reader.file}: ${field} imports the groups of the exports ${exported.join(', ')}; this application creates its own VPC, and ECS refuses a task whose groups are in another VPC. ` +
      'An export of Copilot\'s stacks names a group of Copilot\'s VPC: pass that VPC as the vpc prop, or remove the groups. While this app imports an export, the stack that exports it cannot be deleted. ' +
      `Then acknowledge: Validations.of(<this construct>).acknowledge({ id: 'Annotation::${COPILOT_SECURITY_GROUP_VPC_WARNING}', reason }).`);
  }
  reader.take(field);
  reader.take(`${field}.from_cfn`);
  return groups;
}
