/**
 * Subnet addresses (ESK-UPD3): a new or replacement subnet is created while every subnet of N
 * still exists, so an overlapping CIDR fails (EC2 CreateSubnet: InvalidSubnet.Conflict).
 */
import { canonical, Comparison, qualify } from './comparison';

/** Start and end of an IPv4 CIDR as numbers, or undefined for a token or IPv6. */
function cidrRange(value: unknown): [number, number] | undefined {
  const m = typeof value === 'string' ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(value) : null;
  if (!m) return undefined;
  const start = ((+m[1] * 256 + +m[2]) * 256 + +m[3]) * 256 + +m[4];
  const size = 2 ** (32 - +m[5]);
  const base = start - (start % size);
  return [base, base + size - 1];
}

/** cidr-in-use: a new or replacement subnet overlapping a subnet of N in its VPC. */
export function subnetHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    const replaced = replacedBy.get(stack)!;
    const oldSubnets = Object.entries(b).filter(([, r]) => r.Type === 'AWS::EC2::Subnet');
    for (const [id, r] of Object.entries(a)) {
      if (r.Type !== 'AWS::EC2::Subnet' || (b[id] !== undefined && !replaced.has(id))) continue;
      const range = cidrRange(r.Properties?.CidrBlock);
      if (!range) continue;
      const vpc = canonical(qualify(r.Properties?.VpcId, stack, new Set(replaced.keys())));
      const clash = oldSubnets.find(([, o]) => {
        const other = cidrRange(o.Properties?.CidrBlock);
        return other !== undefined && canonical(qualify(o.Properties?.VpcId, stack)) === vpc && other[0] <= range[1] && range[0] <= other[1];
      });
      if (clash) {
        push('cidr-in-use', stack, id, r.Type, `${b[id] ? 'is replaced with' : 'is new with'} CidrBlock ${r.Properties?.CidrBlock}, which overlaps ${clash[1].Properties?.CidrBlock} `
          + `of ${clash[0] === id ? 'its own old copy' : clash[0]}, still there until cleanup → "The CIDR conflicts with another subnet"`);
      }
    }
  }
}
