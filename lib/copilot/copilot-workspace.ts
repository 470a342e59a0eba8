import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { failWithText } from '../validation/checks';
import { COPILOT_DOCUMENTED_FIELDS, COPILOT_SIDECAR_FIELDS, CopilotDocumentedField } from './documented-fields.generated';
import { ManifestReader } from './manifest-reader';
import { isEmptyNode, locationOf, ManifestNode, mergeOverride, readManifestFile } from './manifest-tree';

/** The workload types this library builds, as a manifest's `type` names them. */
export const WORKLOAD_TYPES = ['Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job'] as const;
export type WorkloadType = typeof WORKLOAD_TYPES[number];

/** Copilot's types this library does not build, and what to use instead. */
const REFUSED_TYPES: Record<string, string> = {
  'Request-Driven Web Service': 'it runs on AWS App Runner, not ECS; write it as a Load Balanced Web Service (a WebService here), or keep it on App Runner with aws-cdk-lib\'s aws-apprunner',
  'Static Site': 'it is an S3 bucket behind CloudFront, not a container; build it with aws-cdk-lib\'s aws-s3-deployment and aws-cloudfront',
};

/** One workload's manifest, with its environment's overrides applied. */
export interface LoadedWorkload {
  readonly name: string;
  readonly type: WorkloadType;
  /** The directory `copilot/<name>`, relative to the workspace (where `image.build` paths start from the workspace root). */
  readonly reader: ManifestReader;
  /** Fields the manifest writes that Copilot's docs do not document (after stripping `environments.<env>.`). */
  readonly undocumented: readonly { path: string; node: ManifestNode }[];
}

/** The workspace: its application name, its environment's manifest (if any) and its workloads. */
export interface LoadedWorkspace {
  /** The environments the workspace has manifests for. */
  readonly environmentNames: readonly string[];
  /** Directories of CloudFormation addons and Copilot overrides that CopilotApplication does not deploy, relative to the workspace, by workload (`` for the environment). */
  readonly notDeployed: readonly { workload: string; directory: string }[];
  readonly application: string;
  readonly root: string;
  readonly environment?: ManifestReader;
  readonly environmentUndocumented: readonly { path: string; node: ManifestNode }[];
  readonly workloads: readonly LoadedWorkload[];
}

/** Directories under `copilot/` that hold no workload manifest. */
const NOT_WORKLOADS = new Set(['environments', 'pipelines', '.workspace']);

/**
 * Reads a Copilot workspace as Copilot does: `copilot/.workspace` names the application, each
 * `copilot/<name>/manifest.yml` is a workload, `copilot/environments/<env>/manifest.yml` is the
 * environment. Applies the workloads' `environments.<env>` overrides. Internal.
 */
export function loadWorkspace(scope: IConstruct, workspace: string, environment: string): LoadedWorkspace {
  const root = path.resolve(workspace);
  const copilotDir = path.join(root, 'copilot');
  const relative = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const workspaceFile = path.join(copilotDir, '.workspace');
  if (!fs.existsSync(workspaceFile)) {
    failWithText(scope, 'workspace', JSON.stringify(workspace), `has no copilot/.workspace (looked for ${workspaceFile})`,
      'give the directory that holds the copilot/ folder `copilot app init` created');
  }
  const workspaceNode = readManifestFile(scope, workspaceFile, 'copilot/.workspace');
  const application = workspaceNode.entries?.get('application')?.scalar;
  if (typeof application !== 'string' || application === '') {
    failWithText(scope, `${locationOf(workspaceNode)} application`, formatText(application), 'is not an application name',
      'write `application: <name>` as `copilot app init` does');
  }

  const variables = { COPILOT_APPLICATION_NAME: application, COPILOT_ENVIRONMENT_NAME: environment };
  let environmentReader: ManifestReader | undefined;
  let environmentUndocumented: { path: string; node: ManifestNode }[] = [];
  const envFile = path.join(copilotDir, 'environments', environment, 'manifest.yml');
  if (fs.existsSync(envFile)) {
    const envNode = readManifestFile(scope, envFile, relative(envFile), variables);
    checkType(scope, envNode, ['Environment']);
    const envName = envNode.entries?.get('name');
    if (envName?.scalar !== environment) {
      failWithText(scope, `${locationOf(envName ?? envNode)} name`, formatText(envName?.scalar), `differs from its directory copilot/environments/${environment}`,
        'write the environment\'s name (Copilot refuses a manifest whose name is not its directory\'s)');
    }
    environmentReader = new ManifestReader(scope, envNode);
    environmentUndocumented = undocumentedFields(envNode, COPILOT_DOCUMENTED_FIELDS.Environment);
  }

  const workloads: LoadedWorkload[] = [];
  const dirs = fs.existsSync(copilotDir) ? fs.readdirSync(copilotDir, { withFileTypes: true }) : [];
  for (const dir of dirs.filter((d) => d.isDirectory() && !NOT_WORKLOADS.has(d.name)).map((d) => d.name).sort()) {
    const file = path.join(copilotDir, dir, 'manifest.yml');
    if (!fs.existsSync(file)) continue;
    const base = readManifestFile(scope, file, relative(file), variables);
    const type = checkType(scope, base, [...WORKLOAD_TYPES]) as WorkloadType;
    const name = base.entries?.get('name')?.scalar;
    if (typeof name !== 'string' || name === '') {
      failWithText(scope, `${locationOf(base)} name`, formatText(name), 'is not a workload name', `write the workload's name (the directory's name, ${dir})`);
    }
    if (name !== dir) {
      failWithText(scope, `${locationOf(base.entries!.get('name')!)} name`, JSON.stringify(name), `differs from its directory copilot/${dir}`,
        `rename one of them: Copilot refuses a workspace whose manifest name is not its directory's`);
    }
    const documented = [...COPILOT_DOCUMENTED_FIELDS[type], ...COPILOT_SIDECAR_FIELDS];
    const undocumented = undocumentedFields(withoutEnvironments(base), documented);
    const overrides = base.entries?.get('environments');
    for (const [env, override] of overrides?.entries ?? []) {
      undocumented.push(...undocumentedFields(override, documented).map((u) => ({ ...u, path: `environments.${env}.${u.path}` })));
    }
    const override = overrides?.entries?.get(environment);
    if (override && !isEmptyNode(override) && !override.entries) {
      failWithText(scope, `${locationOf(override)} environments.${environment}`, formatText(override.scalar ?? '(a list)'), 'is not a map of fields',
        'write the fields this environment changes under it, as in the manifest');
    }
    const merged = override && !isEmptyNode(override) ? mergeOverride(withoutEnvironments(base), override) : withoutEnvironments(base);
    const reader = new ManifestReader(scope, merged);
    reader.take('name');
    reader.take('type');
    workloads.push({ name, type, reader, undocumented });
  }
  const notDeployed: { workload: string; directory: string }[] = [];
  for (const [workload, dir] of [...workloads.map((w) => [w.name, w.name]), ['', 'environments']]) {
    for (const extra of ['addons', 'overrides']) {
      if (fs.existsSync(path.join(copilotDir, dir, extra))) notDeployed.push({ workload, directory: `copilot/${dir}/${extra}` });
    }
  }
  const envDir = path.join(copilotDir, 'environments');
  const environmentNames = fs.existsSync(envDir)
    ? fs.readdirSync(envDir, { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(path.join(envDir, d.name, 'manifest.yml'))).map((d) => d.name).sort()
    : [];
  return { application, root, environment: environmentReader, environmentUndocumented, workloads, notDeployed, environmentNames };
}

function formatText(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function checkType(scope: IConstruct, manifest: ManifestNode, allowed: string[]): string {
  const typeNode = manifest.entries?.get('type');
  const type = typeNode?.scalar;
  if (typeof type === 'string' && REFUSED_TYPES[type]) {
    failWithText(scope, `${locationOf(typeNode!)} type`, JSON.stringify(type), `is not built by CopilotApplication: ${REFUSED_TYPES[type]}`,
      'move the workload out of the workspace, or change its type');
  }
  if (typeof type !== 'string' || !allowed.includes(type)) {
    failWithText(scope, `${locationOf(typeNode ?? manifest)} type`, formatText(type), 'is not a Copilot manifest type this construct reads',
      `use one of ${allowed.map((t) => JSON.stringify(t)).join(', ')}`);
  }
  return type;
}

function withoutEnvironments(manifest: ManifestNode): ManifestNode {
  if (!manifest.entries?.has('environments')) return manifest;
  const entries = new Map(manifest.entries);
  entries.delete('environments');
  return { ...manifest, entries };
}

/** Maps whose keys are the user's own names; the docs document their values' forms under a placeholder-less path (`variables.from_cfn`). */
const USER_KEYED_MAPS = new Set(['variables', 'secrets', 'tags', 'image.labels', 'image.depends_on', 'image.build.args',
  'logging.destination', 'logging.secretOptions', 'subscribe.topics.filter_policy', 'sidecars.*.variables', 'sidecars.*.secrets']);

/**
 * The fields of a manifest that Copilot's docs do not document. A key under a field the docs
 * document as a map without listing its keys (`variables`, `count.cpu_percentage`) is that
 * field's own data; list items add no segment to a path, as in the docs.
 */
export function undocumentedFields(manifest: ManifestNode, documented: readonly CopilotDocumentedField[]): { path: string; node: ManifestNode }[] {
  const out: { path: string; node: ManifestNode }[] = [];
  const matches = (pattern: string, segments: string[]) => {
    const parts = pattern.split('.');
    return parts.length === segments.length && parts.every((p, i) => p === '*' || p === segments[i]);
  };
  const isDocumented = (segments: string[]) => documented.some((f) => matches(f.path, segments));
  const hasDocumentedChildren = (segments: string[]) => documented.some((f) => {
    const parts = f.path.split('.');
    return parts.length > segments.length && segments.every((s, i) => parts[i] === '*' || parts[i] === s);
  });
  const visit = (node: ManifestNode, segments: string[]) => {
    // Maps keyed by the user's names (variables, secrets…): whatever is under them is their data.
    if (USER_KEYED_MAPS.has(segments.join('.'))) return;
    // A parent the docs leave out but whose fields they document (subscribe.queue.dead_letter).
    if (segments.length > 0 && !isDocumented(segments) && hasDocumentedChildren(segments)) {
      for (const [key, child] of node.entries ?? []) visit(child, [...segments, key]);
      return;
    }
    if (segments.length > 0 && !isDocumented(segments)) {
      // a key inside a free-form map the docs document as a whole
      const parent = segments.slice(0, -1);
      if (parent.length > 0 && isDocumented(parent) && !hasDocumentedChildren(parent)) return;
      out.push({ path: segments.join('.'), node });
      return;
    }
    if (segments.length > 0 && !hasDocumentedChildren(segments)) return;
    for (const item of node.items ?? []) visit(item, segments);
    for (const [key, child] of node.entries ?? []) visit(child, [...segments, key]);
  };
  visit(manifest, []);
  return out;
}
