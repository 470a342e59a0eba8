/**
 * EFS mount targets (ESK-UPD12, kind mount-target-in-use): a file system has at most one mount
 * target per Availability Zone (EFS API reference, CreateMountTarget: MountTargetConflict). A
 * mount target created in N+1 (new, or replaced: SubnetId is create-only) while a mount target of
 * N of the same file system in the same zone is deleted only in cleanup fails the update. This
 * happens when the task subnets are re-carved (a subnet replaced in its zone) or a mount target
 * moves to another logical id. A replaced file system starts with no mount targets: no conflict.
 */
import { CfnResource } from '../../rule';
import { canonical, Comparison, qualify, TemplateSet } from './comparison';

/** The zone of a mount target's subnet, when the subnet is a resource of the same template. */
function zoneOf(mountTarget: CfnResource, resources: Record<string, CfnResource>): string | undefined {
  const subnet = mountTarget.Properties?.SubnetId as { Ref?: unknown } | undefined;
  const ref = subnet && typeof subnet === 'object' ? subnet.Ref : undefined;
  const zone = typeof ref === 'string' ? resources[ref]?.Properties?.AvailabilityZone : undefined;
  return zone === undefined ? undefined : canonical(zone);
}

/** mount-target-in-use: per stack, a created mount target whose file system and zone a mount target of N still holds. */
export function mountTargetHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    const replaced = replacedBy.get(stack)!;
    const key = (r: CfnResource, resources: Record<string, CfnResource>, set: TemplateSet) => {
      const zone = zoneOf(r, resources);
      const fs = set === before ? qualify(r.Properties?.FileSystemId, stack) : qualify(r.Properties?.FileSystemId, stack, new Set(replaced.keys()));
      return zone === undefined ? undefined : canonical([fs, zone]);
    };
    // Held until cleanup: mount targets of N that N+1 removes or replaces.
    const held = new Map<string, string>();
    for (const [id, r] of Object.entries(b)) {
      if (r.Type !== 'AWS::EFS::MountTarget' || (a[id]?.Type === r.Type && !replaced.has(id))) continue;
      const k = key(r, b, before);
      if (k !== undefined) held.set(k, id);
    }
    for (const [id, r] of Object.entries(a)) {
      if (r.Type !== 'AWS::EFS::MountTarget' || (b[id]?.Type === r.Type && !replaced.has(id))) continue;
      const k = key(r, a, after);
      const holder = k === undefined ? undefined : held.get(k);
      if (holder !== undefined) {
        push('mount-target-in-use', stack, id, r.Type, `${b[id] ? 'is replaced' : 'is new'} in the Availability Zone of ${holder === id ? 'its own old copy' : holder}, `
          + 'a mount target of the same file system that exists until cleanup → MountTargetConflict (one mount target per zone)');
      }
    }
  }
}

/**
 * efs-directory-owner-kept: an EFS access point is replaced with another POSIX user while its root
 * directory path stays on the same file system. EFS creates the root directory only when it is
 * missing and never changes the owner or permissions of one that exists (EFS user guide, access
 * points: "If the root directory already exists before mount time, the existing permissions
 * aren't overwritten"), so the new user meets a directory the old one owns: with the library's
 * mode 750 the new tasks cannot enter it, and the deployment rolls back.
 */
export function accessPointOwnerHazards(c: Comparison): void {
  const { before, after, stacks, push, resourcesOf } = c;
  const same = (x: unknown, y: unknown) => JSON.stringify(canonical(x)) === JSON.stringify(canonical(y));
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    for (const [id, now] of Object.entries(a)) {
      if (now.Type !== 'AWS::EFS::AccessPoint') continue;
      const path = (now.Properties?.RootDirectory as { Path?: unknown } | undefined)?.Path ?? '/';
      const user = now.Properties?.PosixUser as { Uid?: unknown; Gid?: unknown } | undefined;
      const previous = Object.entries(b).find(([, old]) => old.Type === 'AWS::EFS::AccessPoint'
        && same(old.Properties?.FileSystemId, now.Properties?.FileSystemId)
        && same((old.Properties?.RootDirectory as { Path?: unknown } | undefined)?.Path ?? '/', path));
      if (!previous) continue;
      const oldUser = previous[1].Properties?.PosixUser as { Uid?: unknown; Gid?: unknown } | undefined;
      if (same(oldUser?.Uid, user?.Uid) && same(oldUser?.Gid, user?.Gid)) continue;
      push('efs-directory-owner-kept', stack, id, now.Type,
        `serves the root directory ${JSON.stringify(path)} as POSIX user ${JSON.stringify(user?.Uid ?? 'root')}:${JSON.stringify(user?.Gid ?? 'root')}, which ${previous[0]} of the deployed version created for ${JSON.stringify(oldUser?.Uid ?? 'root')}:${JSON.stringify(oldUser?.Gid ?? 'root')}: EFS keeps an existing directory's owner and permissions, so the new tasks may not enter it`);
    }
  }
}
