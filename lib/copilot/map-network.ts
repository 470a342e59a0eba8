import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ManifestReader } from './manifest-reader';
import { WorkloadContext } from './map-task';

/**
 * `network.vpc` of a workload: the security groups its tasks join besides their own, and the
 * placement where it is this library's (`private`: the cluster's private subnets behind a NAT
 * gateway). `public` placement and subnets by id or tag are left unread, so synth names them.
 */
export function taskNetwork(reader: ManifestReader, ctx: WorkloadContext): { additionalSecurityGroups?: ec2.ISecurityGroup[] } {
  const placement = reader.peek('network.vpc.placement');
  if (placement?.scalar !== undefined && String(placement.scalar).toLowerCase() === 'private') reader.take('network.vpc.placement');
  return { additionalSecurityGroups: securityGroups(reader, ctx) };
}

/**
 * `network.vpc.security_groups`: a list of ids and `{from_cfn: <export>}`, or `{groups: [...],
 * deny_default}`. `deny_default` keeps the tasks out of Copilot's environment security group;
 * this library has no such group (each service has its own), so it is read and changes nothing.
 * The groups are imported immutable: this app adds no rule to them.
 */
function securityGroups(reader: ManifestReader, ctx: WorkloadContext): ec2.ISecurityGroup[] | undefined {
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
  const groups = list.items.map((item, i) => {
    const exportName = item.entries?.get('from_cfn')?.scalar;
    const id = typeof exportName === 'string' ? Fn.importValue(exportName) : item.scalar;
    if (typeof id !== 'string' || (typeof exportName !== 'string' && !/^sg-[0-9a-f]{8,17}$/.test(id))) {
      reader.fail(`${field}[${i}]`, item, 'is not a security group id', 'write an id such as sg-0123456789abcdef0, or {from_cfn: <export name>}');
    }
    return ec2.SecurityGroup.fromSecurityGroupId(ctx.scope, `SecurityGroup${i}`, id, { mutable: false });
  });
  reader.take(field);
  reader.take(`${field}.from_cfn`);
  return groups;
}
