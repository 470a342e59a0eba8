/**
 * Update hazards: compares two versions of an app's templates (version N, deployed, and N+1, to
 * deploy) and names what would fail or lose data when CloudFormation updates N to N+1.
 *
 * CloudFormation updates in two phases: first it
 * creates new resources and updates changed ones (a replacement is created here too), then, in
 * the cleanup phase, it deletes removed resources and the old copies of replaced ones. So a new,
 * changed or replacement resource cannot take over anything a removed or replaced resource still
 * holds: a listener-rule priority, a physical name, a port, a subnet's addresses.
 *
 * One pure function, compareTemplates, serves the deploy checks' update rules (ESK-UPD*, with
 * DeployChecks' `previousVersion`), the update-sequence tests (test/update) and the
 * stateful-resource guard of the examples test (test/quality/stateful-guard.ts keeps its stateful
 * kinds). Internal: not exported from the package.
 */

import { CfnResource, CfnTemplate } from './rule';
import { physicalName } from './physical-names';
import { schemaFacts, valueAt } from './schema-facts';
import { referencedIds } from './template';

/** The template types every deploy check reads (rule.ts), under the names the tests know. */
export type { CfnTemplate };
export type CfnResourceJson = CfnResource;

/** Templates of one version of an app, by stack name. */
export type TemplateSet = Record<string, CfnTemplate>;

export type HazardKind =
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
  'account-setting-reset': { severity: 'warning', summary: 'a one-per-account-and-region resource (a registry\'s replication or policy, an account setting) is removed: its delete in cleanup resets the setting for the whole account and region, including what was set outside this stack' },
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

/** Types that hold data: losing one loses images, logs, objects or the ability to decrypt. */
export const STATEFUL_TYPES = ['AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key'];

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

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/**
 * `value` with its references made unique across stacks and versions: `{Ref: X}` becomes
 * `{Ref: "<stack>/X"}` (`"<stack>/X#new"` when X is replaced in this version, because the
 * reference then resolves to a new physical resource); AWS::StackName/StackId likewise per stack.
 */
function qualify(value: unknown, stack: string, replaced: ReadonlySet<string> = new Set()): unknown {
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

/** `value` with every reference replaced by a placeholder: the shape of a resource, whatever it points at. */
function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0] === 'Fn::GetAtt')) return '<ref>';
    return Object.fromEntries(entries.map(([k, v]) => [k, masked(v)]));
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

interface Holder { readonly stack: string; readonly id: string }

/** The physical name key of a resource ('' when it has no explicit name), with references qualified. */
function nameKey(resource: CfnResourceJson, stack: string, replaced: ReadonlySet<string>): string | undefined {
  const spec = physicalName(resource.Type);
  const name = spec && resource.Properties?.[spec.name];
  if (!spec || name === undefined) return undefined;
  const scope = (spec.scope ?? []).map((p) => qualify(resource.Properties?.[p] ?? spec.defaults?.[p], stack, replaced));
  return canonical([resource.Type, qualify(name, stack, replaced), scope]);
}

function nameLabel(resource: CfnResourceJson): string {
  const spec = physicalName(resource.Type);
  return `${spec?.what ?? 'name'} ${show(resource.Properties?.[spec?.name ?? ''])}`;
}

/**
 * The primary identifier of a resource as the template sets it (schema-facts.ts), with references
 * qualified; undefined when AWS generates a part of it, a part is absent (CloudFormation then
 * generates a name), or a part is not known before the deploy (a parameter, an import, a
 * condition). A one-per-account-and-region type is identified by the account and region its stack
 * deploys to (`environments`; stacks whose environment is not known are taken to share one).
 */
function identifierKey(resource: CfnResourceJson, stack: string, replaced: ReadonlySet<string>, template: CfnTemplate, environment: string): string | undefined {
  const facts = schemaFacts(resource.Type);
  if (facts === undefined || facts.primaryIdentifier.length === 0) return undefined;
  if (facts.accountSingleton) return canonical([resource.Type, `account and region ${environment}`]);
  if (facts.primaryIdentifier.some((p) => p.generated)) return undefined;
  const values = facts.primaryIdentifier.map((p) => valueAt(resource.Properties, p.property.split('/')));
  if (values.some((v) => v === undefined || !knownBeforeDeploy(v, template))) return undefined;
  return canonical([resource.Type, values.map((v) => qualify(v, stack, replaced))]);
}

/** Literals, pseudo parameters and references to the template's resources, joined or substituted: nothing a deploy chooses. */
function knownBeforeDeploy(value: unknown, template: CfnTemplate): boolean {
  if (Array.isArray(value)) return value.every((v) => knownBeforeDeploy(v, template));
  if (value === null || typeof value !== 'object') return true;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'Ref') {
    const target = entries[0][1];
    return typeof target === 'string' && target !== 'AWS::NoValue' && (target.startsWith('AWS::') || template.Resources?.[target] !== undefined);
  }
  if (entries.length === 1 && ['Fn::ImportValue', 'Fn::If', 'Fn::FindInMap', 'Fn::GetAZs', 'Fn::Transform'].includes(entries[0][0])) return false;
  const ids = referencedIds(value);
  return [...ids].every((id) => template.Resources?.[id] !== undefined) && entries.every(([, v]) => knownBeforeDeploy(v, template));
}

function identifierLabel(resource: CfnResourceJson): string {
  const facts = schemaFacts(resource.Type);
  if (facts?.accountSingleton) return '(the account: one per account and region)';
  return (facts?.primaryIdentifier ?? []).map((p) => `${p.property} ${show(valueAt(resource.Properties, p.property.split('/')))}`).join(', ');
}

/** Start and end of an IPv4 CIDR as numbers, or undefined for a token or IPv6. */
function cidrRange(value: unknown): [number, number] | undefined {
  const m = typeof value === 'string' ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(value) : null;
  if (!m) return undefined;
  const start = ((+m[1] * 256 + +m[2]) * 256 + +m[3]) * 256 + +m[4];
  const size = 2 ** (32 - +m[5]);
  const base = start - (start % size);
  return [base, base + size - 1];
}

/**
 * Every hazard of deploying `after` over `before` (templates by stack name). Errors: the update
 * fails or may fail, or data is lost; warnings: it succeeds with a cost worth a look.
 */
export function compareTemplates(
  before: TemplateSet, after: TemplateSet, options: { app?: string; environments?: Readonly<Record<string, string | undefined>> } = {},
): Hazard[] {
  const app = options.app ?? 'app';
  const environmentOf = (stack: string): string => options.environments?.[stack] ?? '<account>/<region>';
  const hazards: Hazard[] = [];
  const push = (kind: HazardKind, stack: string, logicalId: string, type: string, reason: string): void => {
    hazards.push({ kind, severity: HAZARD_KINDS[kind].severity, app, stack, logicalId, type, reason });
  };
  const stacks = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const replacedBy = new Map<string, Map<string, string[]>>();
  for (const stack of stacks) replacedBy.set(stack, replacedResources(before[stack] ?? {}, after[stack] ?? {}));
  const resourcesOf = (set: TemplateSet, stack: string): Record<string, CfnResourceJson> => set[stack]?.Resources ?? {};
  const stays = (h: Holder): boolean => resourcesOf(after, h.stack)[h.id]?.Type === resourcesOf(before, h.stack)[h.id]?.Type;
  const isReplaced = (h: Holder): boolean => replacedBy.get(h.stack)!.has(h.id);
  const same = (x: Holder, y: Holder): boolean => x.stack === y.stack && x.id === y.id;
  const where = (x: Holder, stack: string): string => (x.stack === stack ? x.id : `${x.stack}/${x.id}`);

  // 1. Per resource of N: deleted, orphaned, replaced, no longer retained.
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    const replaced = replacedBy.get(stack)!;
    for (const [id, old] of Object.entries(b)) {
      const now = a[id];
      if (now === undefined) {
        if (isRetained(old)) {
          const named = nameKey(old, stack, new Set()) !== undefined;
          push('retained-orphaned', stack, id, old.Type, `the logical id is gone (renamed, moved or removed): DeletionPolicy ${old.DeletionPolicy} leaves it in the account, `
            + `outside the stack${named ? `; its ${nameLabel(old)} stays taken, so adding it back fails ("already exists")` : ''}`);
        } else if (STATEFUL_TYPES.includes(old.Type)) {
          push('stateful-deleted', stack, id, old.Type, 'the logical id is gone (renamed, moved or removed): CloudFormation deletes the old resource and its data');
        } else if (schemaFacts(old.Type)?.deleteResets && !Object.values(a).some((r) => r.Type === old.Type)) {
          // (Moved to another logical id of this stack: identifier-in-use names that.)
          push('account-setting-reset', stack, id, old.Type, `the logical id is gone: CloudFormation deletes it in cleanup, and a ${old.Type} is one per account and region, `
            + 'so its delete handler resets the setting for the whole account and region (an ECR replication configuration is emptied, a registry policy removed), '
            + 'whoever set it; keep it with DeletionPolicy Retain. To give it to another stack, retain it, remove it here and import it there (cdk import): '
            + 'a create in another stack fails AlreadyExists while it exists');
        }
        continue;
      }
      for (const reason of replaced.get(id) ?? []) {
        if (isStateful(old)) push('stateful-replaced', stack, id, old.Type, reason);
      }
      if (replaced.has(id)) {
        const spec = physicalName(now.Type);
        const name = spec ? now.Properties?.[spec.name] : undefined;
        if (spec !== undefined && name !== undefined && replacingPaths(now.Type).some((p) => p.path.length === 1 && p.path[0] === spec.name)
          // A name that refers to a replaced resource (an association's Cluster) resolves to a new value.
          && canonical(qualify(old.Properties?.[spec.name], stack)) === canonical(qualify(name, stack, new Set(replaced.keys())))) {
          push('named-replacement', stack, id, now.Type, `${replaced.get(id)![0]}, and it keeps its explicit ${nameLabel(now)}: CloudFormation refuses `
            + '("cannot update a stack when a custom-named resource requires replacing"); rename it in the same change, or drop the explicit name');
        }
        if (now.Type === 'AWS::ECS::Service') {
          push('service-replaced', stack, id, now.Type, `${replaced.get(id)![0]}: the new service is created (and starts its tasks) before the old one is deleted in cleanup`);
        }
      }
      if (isRetained(old) && !isRetained(now)) {
        push('unretained', stack, id, old.Type, `DeletionPolicy changed from ${old.DeletionPolicy} to ${now.DeletionPolicy ?? 'Delete (absent)'}`);
      }
    }
  }

  // 2. ECS services removed under one logical id and added under another with the same shape: a rename or move.
  // Deployment alarm names derived from the construct path (lib/deployment) move with it, like logical ids.
  const shape = (r: CfnResourceJson): string => {
    const properties: Record<string, any> = { ...r.Properties, ServiceName: undefined };
    const config = properties.DeploymentConfiguration as Record<string, any> | undefined;
    if (config?.Alarms) properties.DeploymentConfiguration = { ...config, Alarms: { ...config.Alarms, AlarmNames: undefined } };
    return canonical(masked(properties));
  };
  const removedServices = stacks.flatMap((stack) => Object.entries(resourcesOf(before, stack))
    .filter(([id, r]) => r.Type === 'AWS::ECS::Service' && resourcesOf(after, stack)[id] === undefined).map(([id, r]) => ({ stack, id, shape: shape(r) })));
  for (const stack of stacks) {
    for (const [id, r] of Object.entries(resourcesOf(after, stack))) {
      if (r.Type !== 'AWS::ECS::Service' || resourcesOf(before, stack)[id] !== undefined) continue;
      const index = removedServices.findIndex((s) => s.shape === shape(r));
      if (index < 0) continue;
      const [old] = removedServices.splice(index, 1);
      push('service-replaced', stack, id, r.Type, `looks like ${where(old, stack)} renamed or moved (same settings, new logical id): CloudFormation creates ${id} `
        + `with its own tasks${r.Properties?.LoadBalancers ? ' and target group' : ''} before it deletes ${old.id} in cleanup, so tasks double for a while; `
        + 'its logs and other stateful parts move too (see the stateful findings)');
    }
  }

  // 3. Listener-rule priorities, per listener (a replaced listener is a new listener).
  const priorities = (set: TemplateSet, replacedIn: boolean): Map<string, Holder> => {
    const out = new Map<string, Holder>();
    for (const stack of Object.keys(set)) {
      const replaced = replacedIn ? new Set(replacedBy.get(stack)!.keys()) : new Set<string>();
      for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
        if (r.Type !== 'AWS::ElasticLoadBalancingV2::ListenerRule' || r.Properties?.Priority === undefined) continue;
        out.set(canonical([qualify(r.Properties.ListenerArn, stack, replaced), r.Properties.Priority]), { stack, id });
      }
    }
    return out;
  };
  const heldBefore = priorities(before, false);
  for (const [key, y] of priorities(after, true)) {
    const x = heldBefore.get(key);
    if (x === undefined) continue;
    const priority = JSON.parse(key)[1];
    const rule = resourcesOf(after, y.stack)[y.id];
    if (same(x, y)) {
      if (isReplaced(y)) push('priority-in-use', y.stack, y.id, rule.Type, `is replaced with the same priority ${priority}: the new rule is created while the old one still holds it → PriorityInUse`);
      continue;
    }
    const old = where(x, y.stack);
    if (!stays(x)) {
      push('priority-in-use', y.stack, y.id, rule.Type, `takes priority ${priority} from ${old}, which is deleted only in the cleanup phase, after ${y.id} is created or updated → PriorityInUse`);
    } else if (isReplaced(x)) {
      push('priority-in-use', y.stack, y.id, rule.Type, `takes priority ${priority} from ${old}, which is replaced: its old copy holds the priority until cleanup → PriorityInUse`);
    } else {
      push('priority-race', y.stack, y.id, rule.Type, `takes priority ${priority} from ${old}, which stays and moves: the two updates run in parallel, so ${y.id} may ask for it first → PriorityInUse`);
    }
  }

  // 4. Physical names and ports.
  const names = (set: TemplateSet, replacedIn: boolean): Map<string, Holder> => {
    const out = new Map<string, Holder>();
    for (const stack of Object.keys(set)) {
      const replaced = replacedIn ? new Set(replacedBy.get(stack)!.keys()) : new Set<string>();
      for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
        const key = nameKey(r, stack, replaced);
        if (key !== undefined) out.set(key, { stack, id });
      }
    }
    return out;
  };
  const namedBefore = names(before, false);
  for (const [key, y] of names(after, true)) {
    const x = namedBefore.get(key);
    if (x === undefined || same(x, y)) continue;
    const r = resourcesOf(after, y.stack)[y.id];
    const old = where(x, y.stack);
    const oldResource = resourcesOf(before, x.stack)[x.id];
    const why = !stays(x)
      ? (isRetained(oldResource) ? `${old} is removed but retained, so it keeps the ${physicalName(r.Type)?.what ?? 'name'} for good`
        : `${old} is deleted only in the cleanup phase, after ${y.id} is created`)
      : isReplaced(x) ? `${old} is replaced, and its old copy keeps it until cleanup`
        : `${old} is updated to another one in parallel, so ${y.id} may ask for it first`;
    push('name-in-use', y.stack, y.id, r.Type, `takes ${nameLabel(r)} from ${old}: ${why} → "already exists"`);
  }

  // 8. Primary identifiers: the registry contract has a create fail AlreadyExists when a resource
  // with its identifier exists ("contract_create_create", CloudFormation CLI contract tests); an
  // identifier the template sets in full and keeps across a replacement or a move is held by the
  // old resource until cleanup. Names (4, and named-replacement in 1) already say it for theirs.
  const told = new Set(hazards.filter((h) => h.kind === 'named-replacement' || h.kind === 'name-in-use').map((h) => `${h.stack}/${h.logicalId}`));
  const identified = (set: TemplateSet, replacedIn: boolean): Map<string, Holder> => {
    const out = new Map<string, Holder>();
    for (const stack of Object.keys(set)) {
      const replaced = replacedIn ? new Set(replacedBy.get(stack)!.keys()) : new Set<string>();
      for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
        const key = identifierKey(r, stack, replaced, set[stack], environmentOf(stack));
        if (key !== undefined) out.set(key, { stack, id });
      }
    }
    return out;
  };
  const identifiedBefore = identified(before, false);
  for (const [key, y] of identified(after, true)) {
    const x = identifiedBefore.get(key);
    if (x === undefined || told.has(`${y.stack}/${y.id}`)) continue;
    const r = resourcesOf(after, y.stack)[y.id];
    if (same(x, y)) {
      if (!isReplaced(y)) continue;
      push('identifier-in-use', y.stack, y.id, r.Type, `${replacedBy.get(y.stack)!.get(y.id)![0]}, and it keeps its primary identifier ${identifierLabel(r)}: `
        + 'the new one is created while the old one still holds it (deleted only in cleanup), so the create fails AlreadyExists; change the identifier in the same deploy, or replace it in two deploys');
      continue;
    }
    // Both hold it in N+1: not an update hazard but a duplicate (ESK-NAME1, ESK-ACCT1).
    if (stays(x) && !isReplaced(x)) continue;
    const old = where(x, y.stack);
    const why = !stays(x) ? `${old} is deleted only in the cleanup phase, after ${y.id} is created` : `${old} is replaced, and its old copy keeps it until cleanup`;
    push('identifier-in-use', y.stack, y.id, r.Type, `takes the primary identifier ${identifierLabel(r)} from ${old}: ${why} → AlreadyExists; `
      + 'keep the logical id (the construct id and its path), or remove the old one in one deploy and add the new one in the next');
  }

  // 5. Service Connect: ECS cannot change the appProtocol of a port a running service publishes
  // ("The following config cannot be changed for a SC service", aws/containers-roadmap#2378).
  // A replaced service is a new one, free to choose.
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    for (const [id, now] of Object.entries(a)) {
      const old = b[id];
      if (now.Type !== 'AWS::ECS::Service' || old?.Type !== 'AWS::ECS::Service' || replacedBy.get(stack)!.has(id)) continue;
      const was = publishedProtocols(old, b);
      for (const [portName, protocol] of publishedProtocols(now, a)) {
        const previous = was.get(portName);
        if (previous === undefined || previous === protocol) continue;
        push('service-connect-protocol', stack, id, now.Type, `publishes port mapping ${JSON.stringify(portName)} through Service Connect with appProtocol ${protocol}, `
          + `deployed as ${previous}: ECS refuses to change the appProtocol of a running Service Connect service ("The following config cannot be changed for a SC service"), so the update fails`);
      }
    }
  }

  // 8. Service Connect names: a discovery name (the Cloud Map service ECS creates) and a client
  // alias (name and port) are unique in the namespace (ECS API reference,
  // ServiceConnectServiceResource and ServiceConnectClientAlias). A new or replacement service is
  // created while the service that held the name in N still exists (it goes in cleanup), so its
  // CreateService fails: "SC service is already used by <namespace>" (aws/copilot-cli#4337).
  const publishedBefore = serviceConnectNames(before, resourcesOf, stacks, () => new Set());
  const taken = new Map<string, { holder: Holder; labels: string[]; why: string }>();
  for (const [key, { holder: y, label }] of serviceConnectNames(after, resourcesOf, stacks, (stack) => new Set(replacedBy.get(stack)!.keys()))) {
    const x = publishedBefore.get(key)?.holder;
    if (x === undefined) continue;
    const created = resourcesOf(before, y.stack)[y.id]?.Type !== 'AWS::ECS::Service' || isReplaced(y);
    if (same(x, y) && !created) continue;
    const old = where(x, y.stack);
    const why = same(x, y) ? `${y.id} is replaced (${replacedBy.get(y.stack)!.get(y.id)![0]}): the new service is created while the old one still publishes them, until cleanup`
      : !stays(x) ? `${old} publishes them until it is deleted in the cleanup phase, after ${y.id} is ${created ? 'created' : 'updated'}`
        : isReplaced(x) ? `${old} is replaced, and its old copy publishes them until cleanup`
          : `${old} is updated to drop them in parallel, so ${y.id} may ask first`;
    const entry = taken.get(`${y.stack}/${y.id}`) ?? { holder: y, labels: [], why };
    entry.labels.push(label);
    taken.set(`${y.stack}/${y.id}`, entry);
  }
  for (const { holder, labels, why } of taken.values()) {
    push('service-connect-name-in-use', holder.stack, holder.id, 'AWS::ECS::Service', `publishes the Service Connect ${labels.join(', ')}: ${why} → "SC service is already used" `
      + '(unique in the namespace). Deploy this change with a new serviceConnect.name (callers switch to it), '
      + 'or first deploy the service without its name (serviceConnect clientOnly; callers cannot reach it meanwhile), then this change with the name back');
  }

  // 7. ECS-native canary, linear and blue/green: ECS sets the weights of the service's production
  // and test listener rules. An update that changes such a rule (or the listener it is on)
  // re-sends its actions: the weights go back to the template's, and traffic may land on the
  // target group ECS emptied at the end of the last deployment (aws-cdk #36649).
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    const shifted = new Set<string>();
    for (const r of Object.values(b)) {
      if (r.Type !== 'AWS::ECS::Service' || !['CANARY', 'LINEAR', 'BLUE_GREEN'].includes(r.Properties?.DeploymentConfiguration?.Strategy)) continue;
      for (const lb of (r.Properties?.LoadBalancers ?? []) as Array<Record<string, any>>) {
        for (const rule of [lb.AdvancedConfiguration?.ProductionListenerRule, lb.AdvancedConfiguration?.TestListenerRule]) {
          if (rule && typeof rule === 'object' && typeof rule.Ref === 'string') shifted.add(rule.Ref);
        }
      }
    }
    const replaced = replacedBy.get(stack)!;
    for (const id of shifted) {
      const [old, now] = [b[id], a[id]];
      if (old?.Type !== 'AWS::ElasticLoadBalancingV2::ListenerRule') continue;
      if (now === undefined) {
        const owners = Object.entries(b).filter(([sid, r]) => r.Type === 'AWS::ECS::Service' && a[sid]?.Type === 'AWS::ECS::Service' && !replaced.has(sid)
          && JSON.stringify(r.Properties?.LoadBalancers ?? []).includes(`"Ref":"${id}"`));
        if (owners.length === 0) continue;
        push('shifted-rule-removed', stack, id, old.Type, `is removed while the service ${owners.map(([sid]) => sid).join(', ')} stays: it is deleted only in the cleanup phase, after the service `
          + 'has rolled onto its primary target group, and if the last canary, linear or blue/green deployment left its weights on the alternate group, every request it takes until then fails. '
          + 'Before this deploy, check the rule\'s weights (aws elbv2 describe-rules) and, if the alternate group has the traffic, put it back on the primary group (aws elbv2 modify-rule)');
        continue;
      }
      // A replaced target group gets a new ARN: the rule's actions are re-sent although their Ref text is the same.
      const replacedGroups = [...replaced.keys()].filter((g) => JSON.stringify(now.Properties?.Actions ?? []).includes(`"Ref":"${g}"`));
      // Tags too: a tags-only change runs the same update handler, whose permissions include
      // ModifyRule (the resource schema); whether it then re-sends the actions is not documented,
      // so it counts as if it does.
      const changed = ['Actions', 'Conditions', 'Priority', 'ListenerArn', 'Tags'].filter((k) => canonical(old.Properties?.[k]) !== canonical(now.Properties?.[k]))
        .concat(replacedGroups.length > 0 ? [`the target group${replacedGroups.length > 1 ? 's' : ''} ${replacedGroups.join(', ')} (replaced)`] : []);
      if (changed.length === 0) continue;
      push('shifted-rule-reset', stack, id, now.Type, `changes ${changed.join(', ')} of the listener rule whose weights ECS sets for a canary, linear or blue/green service: `
        + 'CloudFormation re-sends its actions with the template\'s weights, so traffic can move to the target group ECS emptied after the last deployment (aws-cdk #36649)');
    }
  }

  // 6. Subnet addresses: a new or replacement subnet is created while every subnet of N still exists.
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
  return hazards;
}

/**
 * The Service Connect names every ECS service of `set` publishes, each keyed by its namespace
 * (with references qualified; `replacedIn` marks the replaced resources of a stack, so a replaced
 * namespace is another namespace) and held by the service: a discovery name (absent: the port
 * name) and each client alias with a DNS name, with its port.
 */
function serviceConnectNames(
  set: TemplateSet, resourcesOf: (set: TemplateSet, stack: string) => Record<string, CfnResourceJson>,
  stacks: string[], replacedIn: (stack: string) => ReadonlySet<string>,
): Map<string, { holder: Holder; label: string }> {
  const out = new Map<string, { holder: Holder; label: string }>();
  for (const stack of stacks) {
    const replaced = replacedIn(stack);
    for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
      if (r.Type !== 'AWS::ECS::Service') continue;
      const config = r.Properties?.ServiceConnectConfiguration as { Enabled?: unknown; Namespace?: unknown; Services?: unknown } | undefined;
      if (!config || (config.Enabled !== true && config.Enabled !== 'true') || !Array.isArray(config.Services)) continue;
      // No Namespace: the cluster's default Service Connect namespace.
      const namespace = qualify(config.Namespace ?? { clusterDefault: r.Properties?.Cluster ?? 'default' }, stack, replaced);
      for (const published of config.Services as { PortName?: unknown; DiscoveryName?: unknown; ClientAliases?: unknown }[]) {
        const discovery = published?.DiscoveryName ?? published?.PortName;
        if (discovery !== undefined) out.set(canonical(['discovery', namespace, discovery]), { holder: { stack, id }, label: `discovery name ${show(discovery)}` });
        for (const alias of (Array.isArray(published?.ClientAliases) ? published.ClientAliases : []) as { DnsName?: unknown; Port?: unknown }[]) {
          if (alias?.DnsName === undefined) continue;
          out.set(canonical(['alias', namespace, alias.DnsName, alias.Port]), { holder: { stack, id }, label: `client alias ${show(alias.DnsName)} port ${show(alias.Port)}` });
        }
      }
    }
  }
  return out;
}

/**
 * The ports an ECS service publishes through Service Connect, by port-mapping name, with the
 * appProtocol of that mapping in its task definition (`TaskDefinition: {Ref: X}` in the same
 * template; absent = tcp). A port whose mapping cannot be found is left out.
 */
function publishedProtocols(service: CfnResourceJson, resources: Record<string, CfnResourceJson>): Map<string, string> {
  const out = new Map<string, string>();
  const config = service.Properties?.ServiceConnectConfiguration as { Enabled?: unknown; Services?: unknown } | undefined;
  if (!config || (config.Enabled !== true && config.Enabled !== 'true') || !Array.isArray(config.Services)) return out;
  const ref = (service.Properties?.TaskDefinition as { Ref?: unknown } | undefined)?.Ref;
  const taskDefinition = typeof ref === 'string' ? resources[ref] : undefined;
  if (taskDefinition?.Type !== 'AWS::ECS::TaskDefinition') return out;
  const containers = taskDefinition.Properties?.ContainerDefinitions;
  const mappings = (Array.isArray(containers) ? containers : [])
    .flatMap((c: { PortMappings?: unknown }) => (Array.isArray(c?.PortMappings) ? c.PortMappings : [])) as { Name?: unknown; AppProtocol?: unknown }[];
  for (const published of config.Services as { PortName?: unknown }[]) {
    const portName = published?.PortName;
    if (typeof portName !== 'string') continue;
    const mapping = mappings.find((m) => m?.Name === portName);
    if (mapping === undefined) continue;
    out.set(portName, typeof mapping.AppProtocol === 'string' ? mapping.AppProtocol.toLowerCase() : 'tcp');
  }
  return out;
}

/** `<severity> <kind>: <app> <stack> <logicalId> (<type>): <reason>` */
export function describeHazard(h: Hazard): string {
  return `${h.severity} ${h.kind}: ${h.app} ${h.stack} ${h.logicalId} (${h.type}): ${h.reason}`;
}

/** Errors only (what fails the update or loses data). */
export function errorsOf(hazards: Hazard[]): Hazard[] {
  return hazards.filter((h) => h.severity === 'error');
}
