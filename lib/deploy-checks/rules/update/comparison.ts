/**
 * What the update-hazard families share (update-hazards.ts composes them): the hazard vocabulary,
 * which resources an update replaces, and the comparison of one pair of versions that each family
 * reads and reports into.
 *
 * CloudFormation updates in two phases: first it creates new resources and updates changed ones (a
 * replacement is created here too), then, in the cleanup phase, it deletes removed resources and
 * the old copies of replaced ones. So a new, changed or replacement resource cannot take over
 * anything a removed or replaced resource still holds.
 */

import { CfnResource, CfnTemplate } from '../../rule';
import { schemaFacts, valueAt } from '../../schema-facts';
import { referencedIds } from '../../template';

type CfnResourceJson = CfnResource;

/** Templates of one version of an app, by stack name. */
export type TemplateSet = Record<string, CfnTemplate>;

export type HazardKind =
  | 'nlb-security-groups-added'
  | 'target-group-replaced'
  | 'default-route-to-rule'
  | 'protected-load-balancer-deleted'
  | 'priority-in-use'
  | 'priority-race'
  | 'name-in-use'
  | 'cidr-in-use'
  | 'named-replacement'
  | 'stateful-deleted'
  | 'stateful-replaced'
  | 'unretained'
  | 'retained-orphaned'
  | 'service-replaced'
  | 'service-connect-protocol'
  | 'service-connect-name-in-use'
  | 'shifted-rule-reset'
  | 'shifted-rule-removed'
  | 'identifier-in-use'
  | 'mount-target-in-use'
  | 'efs-directory-owner-kept'
  | 'account-setting-reset';

/** error: the update fails (or may fail), or data is lost; warning: it succeeds, with a cost worth knowing. */
export type HazardSeverity = 'error' | 'warning';

/** Every kind, its severity and what it means, in one line each. */
export const HAZARD_KINDS: Record<HazardKind, { readonly severity: HazardSeverity; readonly summary: string }> = {
  'priority-in-use': { severity: 'error', summary: 'a listener-rule priority held in N by a rule that is deleted or replaced is taken in N+1 by another rule: created/updated before the old rule goes, so PriorityInUse' },
  'priority-race': { severity: 'error', summary: 'a listener-rule priority moves between rules that both stay: their updates run in parallel, so one may take the priority before the other releases it (PriorityInUse)' },
  'name-in-use': { severity: 'error', summary: 'a physical name (or port) held in N by one logical id is held in N+1 by another: the new holder is created before the old one is deleted, so "already exists"' },
  'cidr-in-use': { severity: 'error', summary: 'a new or replacement subnet overlaps a subnet of N that still exists during the create phase: "The CIDR … conflicts with another subnet"' },
  'named-replacement': { severity: 'error', summary: 'a resource with an explicit physical name must be replaced under the same name: "cannot update a stack when a custom-named resource requires replacing"' },
  'stateful-deleted': { severity: 'error', summary: 'a stateful resource (repository, log group, bucket, key) is removed without DeletionPolicy Retain: its data is deleted' },
  'stateful-replaced': { severity: 'error', summary: 'a stateful resource is replaced: the new one starts empty and the old one (and its data) is deleted or orphaned' },
  'unretained': { severity: 'error', summary: 'DeletionPolicy Retain is dropped: a later removal deletes the data' },
  'retained-orphaned': { severity: 'warning', summary: 'a resource with DeletionPolicy Retain is removed: it stays in the account outside the stack; with an explicit name, adding it back fails ("already exists")' },
  'service-replaced': { severity: 'warning', summary: 'an ECS service is replaced (or removed and re-added under a new logical id): the new service starts beside the old one, doubling tasks until cleanup' },
  'shifted-rule-removed': { severity: 'error', summary: 'the listener rule ECS shifts traffic on is removed while its service stays (a default-route service leaving canary, linear or blue/green): CloudFormation deletes it only in cleanup, after the service rolls onto its primary target group, and until then the rule may send every request to the emptied alternate group' },
  'shifted-rule-reset': { severity: 'error', summary: 'the production or test listener rule of an ECS service deployed with a canary, linear or blue/green strategy changes: CloudFormation re-sends its actions, undoing the weights ECS set, so traffic may go to the target group ECS emptied (aws-cdk #36649)' },
  'service-connect-name-in-use': { severity: 'error', summary: 'a Service Connect discovery name or client alias held in N by one ECS service is published in N+1 by a service that is created or replaced (a toggled spot, ec2Capacity or managedInstancesCapacity, a rename): the new service is created while the old one still holds the name, which must be unique in the namespace, so "SC service is already used"' },
  'identifier-in-use': { severity: 'error', summary: 'a resource is replaced (a create-only property changed, or it moved to another logical id) while its primary identifier, set by the template, stays the same: the new one is created while the old one holds the identifier until cleanup, so its create fails AlreadyExists' },
  'mount-target-in-use': { severity: 'error', summary: 'an EFS mount target is created (new, or replaced by another subnet) in an Availability Zone where a mount target of the same file system exists until cleanup: EFS allows one per zone, so the create fails MountTargetConflict' },
  'efs-directory-owner-kept': { severity: 'warning', summary: 'an EFS access point gets another POSIX user while its root directory stays: EFS keeps the existing directory\'s owner and permissions, so the new user may not enter it and the new tasks fail to mount' },
  'account-setting-reset': { severity: 'warning', summary: 'a one-per-account-and-region resource (a registry\'s replication or policy, an account setting) is removed: its delete in cleanup resets the setting for the whole account and region, including what was set outside this stack' },
  'nlb-security-groups-added': { severity: 'error', summary: 'a Network Load Balancer created without security groups gets some while it stays: ELB refuses security groups on an NLB created without them (SetSecurityGroups), so the update fails' },
  'protected-load-balancer-deleted': { severity: 'error', summary: 'a load balancer with deletion protection on is replaced or removed: CloudFormation deletes the old one in cleanup, ELB refuses (OperationNotPermitted), and it stays in the account outside the stack, still billed' },
  'default-route-to-rule': { severity: 'warning', summary: 'a listener stops forwarding to a target group by default, and a new listener rule forwards to it: CloudFormation updates the listener before it creates the rule, so meanwhile requests get the new default action and the group serves no listener' },
  'target-group-replaced': { severity: 'warning', summary: 'a target group an ECS service registers in is replaced (a create-only property changed: protocol, port, target type): the listener forwards to the new, empty group before the service\'s new tasks are healthy in it, so traffic fails until they are' },
  'service-connect-protocol': { severity: 'error', summary: 'a port an ECS service keeps publishing through Service Connect changes its appProtocol (absent = tcp): ECS refuses to change it on a running Service Connect service, so the update fails' },
};

/** One hazard of updating N to N+1. */
export interface Hazard {
  readonly kind: HazardKind;
  readonly severity: HazardSeverity;
  readonly app: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** Why, in one line: the property, the priority or name, the other logical id. */
  readonly reason: string;
}

/**
 * Types that hold data: losing one loses images, logs, objects, files or the ability to decrypt.
 * An EFS file system is replaced by a change of Encrypted, KmsKeyId or PerformanceMode
 * (create-only), and the new one starts empty; its access points and mount targets hold no data.
 */
export const STATEFUL_TYPES = ['AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::EFS::FileSystem'];

export const RETAINING_POLICIES = ['Retain', 'RetainExceptOnCreate'];

/**
 * Changes that CloudFormation cannot make in place although the schemas list them as updatable,
 * kept from the stateful guard: they block the deploy just as a replacement of a stateful
 * resource would, so they count as one.
 * - S3 Bucket ObjectLockEnabled (create-only when the guard was written).
 * - KMS Key KeySpec, KeyUsage, Origin, MultiRegion: CloudFormation fails the update rather than
 *   replacing the key.
 */
const REPLACING_BEYOND_SCHEMAS: Record<string, string[]> = {
  'AWS::S3::Bucket': ['ObjectLockEnabled'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'Origin', 'MultiRegion'],
};

/**
 * conditionalCreateOnlyProperties that do replace in the common case. The schemas list 156
 * properties of 45 types as "may require replacement", many of which the service updates in
 * place (an RDS instance's BackupRetentionPeriod, an Auto Scaling group's VPCZoneIdentifier, a
 * classic load balancer's HealthCheck): counted as replacements they would be false errors, so
 * only the ones listed here count, each from the property's "Update requires: Replacement" in the
 * CloudFormation resource reference. A change of another conditional property is taken as in place.
 * - ECS Service LaunchType: a launch type cannot become a capacity provider strategy in place
 *   (UpdateService lists the transitions it allows); toggling Fargate Spot or moving to EC2 or
 *   Managed Instances capacity replaces the service.
 * - DynamoDB KeySchema (and a global table's local secondary indexes): a table's keys are fixed.
 * - RDS Engine, snapshot and source identifiers, a cluster's MasterUsername: a new database.
 */
const CONDITIONAL_THAT_REPLACE: Record<string, string[]> = {
  'AWS::ECS::Service': ['LaunchType'],
  'AWS::DynamoDB::Table': ['KeySchema'],
  'AWS::DynamoDB::GlobalTable': ['KeySchema', 'LocalSecondaryIndexes'],
  'AWS::RDS::DBInstance': ['Engine', 'DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier', 'SourceDBInstanceIdentifier', 'SourceDBClusterIdentifier'],
  'AWS::RDS::DBCluster': ['Engine', 'MasterUsername', 'GlobalClusterIdentifier'],
};

/** A property path whose change replaces a resource, and whether the schema says only "may". */
export interface ReplacingPath {
  readonly path: readonly string[];
  readonly conditional: boolean;
}

/**
 * The property paths whose change replaces a resource of `type` ("Update requires: Replacement"):
 * the createOnlyProperties of its CloudFormation registry schema (schema-facts.ts, generated from
 * the schemas the pinned cfn-lint bundles), the conditional ones of CONDITIONAL_THAT_REPLACE, and
 * REPLACING_BEYOND_SCHEMAS. A type the schemas do not know is replaced only when its Type changes.
 */
export function replacingPaths(type: string): ReplacingPath[] {
  const facts = schemaFacts(type);
  const paths: ReplacingPath[] = (facts?.createOnly ?? [])
    .map((path) => ({ path, conditional: facts!.conditional.has(path.join('/')) }))
    .filter((p) => !p.conditional || (CONDITIONAL_THAT_REPLACE[type] ?? []).includes(p.path.join('/')));
  for (const property of REPLACING_BEYOND_SCHEMAS[type] ?? []) {
    if (!paths.some((p) => p.path.length === 1 && p.path[0] === property)) paths.push({ path: [property], conditional: false });
  }
  return paths;
}

/** Stateful: one of STATEFUL_TYPES, or anything retained on delete. */
export function isStateful(resource: CfnResourceJson): boolean {
  return STATEFUL_TYPES.includes(resource.Type) || isRetained(resource);
}

/** Kept in the account when its logical id leaves the template (DeletionPolicy Retain or RetainExceptOnCreate). */
export function isRetained(resource: CfnResourceJson): boolean {
  return RETAINING_POLICIES.includes(resource.DeletionPolicy ?? '');
}

/** JSON with sorted keys, so equal values compare equal whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}

/** A template value as a hazard text shows it. */
export function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/**
 * `value` with its references made unique across stacks and versions: `{Ref: X}` becomes
 * `{Ref: "<stack>/X"}` (`"<stack>/X#new"` when X is replaced in this version, because the
 * reference then resolves to a new physical resource); AWS::StackName/StackId likewise per stack.
 */
export function qualify(value: unknown, stack: string, replaced: ReadonlySet<string> = new Set()): unknown {
  const id = (x: string): string => (x.startsWith('AWS::') && !/^AWS::Stack(Name|Id)$/.test(x) ? x : `${stack}/${x}${replaced.has(x) ? '#new' : ''}`);
  if (Array.isArray(value)) return value.map((v) => qualify(v, stack, replaced));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => {
      if (k === 'Ref' && typeof v === 'string') return [k, id(v)];
      if (k === 'Fn::GetAtt') {
        const [target, ...attr] = Array.isArray(v) ? v : String(v).split('.');
        return [k, [id(String(target)), ...attr]];
      }
      return [k, qualify(v, stack, replaced)];
    }));
  }
  return value;
}

/**
 * The resources of `before` that `after` keeps under the same logical id but replaces, each with
 * its reasons: the Type changed, a replacing property changed, or a replacing property refers to
 * a resource that is itself replaced (the reference then resolves to a new physical id).
 */
export function replacedResources(before: CfnTemplate, after: CfnTemplate): Map<string, string[]> {
  const b = before.Resources ?? {};
  const a = after.Resources ?? {};
  const replaced = new Map<string, string[]>();
  const kept = Object.keys(b).filter((id) => a[id] !== undefined);
  for (const id of kept) {
    const [old, now] = [b[id], a[id]];
    if (old.Type !== now.Type) {
      replaced.set(id, [`Type changed from ${old.Type} to ${now.Type}`]);
      continue;
    }
    const reasons: string[] = [];
    for (const { path, conditional } of replacingPaths(old.Type)) {
      const [x, y] = [valueAt(old.Properties, path), valueAt(now.Properties, path)];
      if (canonical(x) !== canonical(y)) reasons.push(`${path.join('/')} changed from ${show(x)} to ${show(y)} (update ${conditional ? 'may require' : 'requires'} replacement)`);
    }
    if (reasons.length > 0) replaced.set(id, reasons);
  }
  // A replacing property that refers to a replaced resource changes its value at deploy time.
  for (let changed = true; changed;) {
    changed = false;
    for (const id of kept) {
      if (replaced.has(id)) continue;
      const now = a[id];
      for (const { path, conditional } of replacingPaths(now.Type)) {
        const target = [...referencedIds(valueAt(now.Properties, path))].find((r) => replaced.has(r));
        if (target !== undefined) {
          replaced.set(id, [`${path.join('/')} refers to ${target}, which is replaced (update ${conditional ? 'may require' : 'requires'} replacement)`]);
          changed = true;
          break;
        }
      }
    }
  }
  return replaced;
}

/** A resource by stack and logical id: who holds a priority, a name or an identifier. */
export interface Holder { readonly stack: string; readonly id: string }

/** One pair of versions being compared: what every hazard family reads, and where it reports. */
export interface Comparison {
  readonly before: TemplateSet;
  readonly after: TemplateSet;
  /** Every stack of either version, those of N first. */
  readonly stacks: string[];
  /** Per stack, the logical ids N+1 keeps but replaces, each with its reasons (replacedResources). */
  readonly replacedBy: ReadonlyMap<string, ReadonlyMap<string, string[]>>;
  /** The hazards reported so far, in report order. */
  readonly hazards: readonly Hazard[];
  readonly push: (kind: HazardKind, stack: string, logicalId: string, type: string, reason: string) => void;
  readonly resourcesOf: (set: TemplateSet, stack: string) => Record<string, CfnResourceJson>;
  /** The account and region a stack deploys to; stacks whose environment is not known share one. */
  readonly environmentOf: (stack: string) => string;
  /** The holder's logical id is in N+1 with its type of N. */
  readonly stays: (h: Holder) => boolean;
  readonly isReplaced: (h: Holder) => boolean;
  readonly same: (x: Holder, y: Holder) => boolean;
  /** The holder as named from `stack`: its logical id, prefixed with its stack when that is another. */
  readonly where: (x: Holder, stack: string) => string;
}

/** The comparison of deploying `after` over `before`, with no hazard reported yet. */
export function newComparison(
  before: TemplateSet, after: TemplateSet, options: { app?: string; environments?: Readonly<Record<string, string | undefined>> },
): Comparison {
  const app = options.app ?? 'app';
  const hazards: Hazard[] = [];
  const stacks = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const replacedBy = new Map<string, Map<string, string[]>>();
  for (const stack of stacks) replacedBy.set(stack, replacedResources(before[stack] ?? {}, after[stack] ?? {}));
  const resourcesOf = (set: TemplateSet, stack: string): Record<string, CfnResourceJson> => set[stack]?.Resources ?? {};
  return {
    before, after, stacks, replacedBy, hazards, resourcesOf,
    push: (kind, stack, logicalId, type, reason) => {
      hazards.push({ kind, severity: HAZARD_KINDS[kind].severity, app, stack, logicalId, type, reason });
    },
    environmentOf: (stack) => options.environments?.[stack] ?? '<account>/<region>',
    stays: (h) => resourcesOf(after, h.stack)[h.id]?.Type === resourcesOf(before, h.stack)[h.id]?.Type,
    isReplaced: (h) => replacedBy.get(h.stack)!.has(h.id),
    same: (x, y) => x.stack === y.stack && x.id === y.id,
    where: (x, stack) => (x.stack === stack ? x.id : `${x.stack}/${x.id}`),
  };
}
