/**
 * How much of Copilot's documented manifest surface CopilotApplication maps, measured on the
 * fixture workspace test/copilot/fixtures/every-field (a workspace that writes every documented
 * field of the four workload types, the Environment manifest and sidecars).
 *
 * Synthesizes the fixture once, then per manifest kind: the documented fields
 * (lib/copilot/documented-fields.generated.ts), the ones the fixture writes, the ones in effect
 * in the synthesized environment, the ones reported as not mapped (a field counts as not mapped
 * when it or an ancestor is named in an `ecs-service-kit:copilot-unmapped:<path>` warning), and
 * mapped = in effect − not mapped. Fields the fixture writes only where synth does not read them
 * (another environment's manifest or `environments.<other>` overrides: the documented forms
 * CopilotApplication refuses with an error) are counted apart.
 *
 * Usage: node --import tsx scripts/copilot-coverage.ts [workspace] [environment]
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { parseDocument, isMap, isSeq, isScalar } from 'yaml';
import { COPILOT_UNDOCUMENTED_WARNING, COPILOT_UNMAPPED_WARNING, CopilotApplication } from '../lib/copilot/copilot-application';
import { COPILOT_DOCUMENTED_FIELDS, COPILOT_SIDECAR_FIELDS } from '../lib/copilot/documented-fields.generated';

/** The fixture this script measures by default. */
export const EVERY_FIELD_FIXTURE = path.join(__dirname, '..', 'test', 'copilot', 'fixtures', 'every-field');

/** The kinds measured: the four workload types, the environment, and sidecars (documented on their own page). */
export const COVERAGE_KINDS = ['Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job', 'Environment', 'Sidecars'] as const;

/** One warning of the synthesized fixture. */
export interface SynthWarning {
  /** The construct path it is attached to. */
  readonly construct: string;
  /** The acknowledgement id (`ecs-service-kit:copilot-unmapped:http.alb`), if it has one. */
  readonly id?: string;
  readonly text: string;
}

/** A field the fixture writes that a warning names below a documented field (the field itself is mapped, part of its value is not). */
export interface PartlyMapped {
  readonly field: string;
  readonly reported: string;
  readonly file: string;
}

/** The coverage of one manifest kind. */
export interface KindCoverage {
  readonly kind: string;
  readonly documented: readonly string[];
  /** Documented fields the fixture writes anywhere. */
  readonly present: readonly string[];
  /** Documented fields in what synth read (the synthesized environment's manifest, overrides applied). */
  readonly inEffect: readonly string[];
  /** In effect and named (or an ancestor named) in a copilot-unmapped warning. */
  readonly unmapped: readonly string[];
  /** In effect and not reported. */
  readonly mapped: readonly string[];
  /** Documented, not written anywhere in the fixture. */
  readonly absent: readonly string[];
  /** Written only where synth does not read them (another environment). */
  readonly notSynthesized: readonly string[];
  /** The paths the unmapped warnings name, as written (`sidecars`, `http.alias.hosted_zone`), with their file. */
  readonly reported: readonly { path: string; file: string }[];
  readonly partlyMapped: readonly PartlyMapped[];
}

export interface CopilotCoverage {
  readonly workspace: string;
  readonly environment: string;
  readonly kinds: readonly KindCoverage[];
  /** Every warning of the synthesized stack. */
  readonly warnings: readonly SynthWarning[];
  /** The synthesized stack's template, for spot checks of what was mapped. */
  readonly template: Record<string, any>;
}

/** Maps whose keys the user names; the docs write their values' forms without the key (`variables.from_cfn`). */
const USER_KEYED = new Set(['variables', 'secrets', 'sidecars.*.variables', 'sidecars.*.secrets']);

interface Tree {
  readonly scalar?: unknown;
  readonly entries?: Map<string, Tree>;
  readonly items?: Tree[];
}

function toTree(node: unknown): Tree {
  if (isMap(node)) {
    const entries = new Map<string, Tree>();
    for (const pair of node.items) entries.set(String(isScalar(pair.key) ? pair.key.value : pair.key), toTree(pair.value));
    return { entries };
  }
  if (isSeq(node)) return { items: node.items.map(toTree) };
  return { scalar: isScalar(node) ? node.value : null };
}

function readTree(file: string): Tree {
  const doc = parseDocument(fs.readFileSync(file, 'utf-8'));
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
  return toTree(doc.contents);
}

/** Matches concrete (normalized) segments against a documented path with `*`. */
function matches(pattern: string[], segments: string[]): boolean {
  return pattern.length === segments.length && pattern.every((p, i) => p === '*' || p === segments[i]);
}

/** Whether `prefix` (concrete segments) is an ancestor-or-self of the documented `pattern`. */
function isPrefixOf(prefix: string[], pattern: string[]): boolean {
  return prefix.length <= pattern.length && prefix.every((s, i) => pattern[i] === '*' || pattern[i] === s);
}

class Inventory {
  private readonly patterns: string[][];
  constructor(public readonly paths: readonly string[]) {
    this.patterns = paths.map((p) => p.split('.'));
  }
  public find(segments: string[]): string | undefined {
    const i = this.patterns.findIndex((p) => matches(p, segments));
    return i < 0 ? undefined : this.paths[i];
  }
  public hasChildren(segments: string[]): boolean {
    return this.patterns.some((p) => p.length > segments.length && isPrefixOf(segments, p));
  }
}

/**
 * The documented fields a manifest tree writes, as the docs name them. Descends into a field
 * only while the docs document something below it; a key of a user-keyed map adds no segment.
 */
function documentedFieldsOf(tree: Tree, inventory: Inventory): Set<string> {
  const out = new Set<string>();
  // keyed: the node is a user-keyed map (`variables`), whose keys are the user's names.
  const visit = (node: Tree, segments: string[], keyed: boolean) => {
    for (const item of node.items ?? []) visit(item, segments, false);
    for (const [key, child] of node.entries ?? []) {
      if (keyed) {
        visit(child, segments, false);
        continue;
      }
      const next = [...segments, key];
      const field = inventory.find(next);
      if (field !== undefined) out.add(field);
      if (inventory.hasChildren(next)) visit(child, next, USER_KEYED.has(field ?? ''));
    }
  };
  visit(tree, [], false);
  return out;
}

/** A reported path in the docs' notation: user keys dropped (`variables.FOO.from_cfn` → `variables.from_cfn`). */
function normalize(reported: string, inventory: Inventory): string[] {
  const out: string[] = [];
  let skipped = false;
  for (const segment of reported.split('.')) {
    if (!skipped && USER_KEYED.has(inventory.find(out) ?? '')) {
      skipped = true;
      continue;
    }
    skipped = false;
    out.push(segment);
  }
  return out;
}

interface ManifestFile {
  readonly file: string;
  readonly kind: string;
  /** Documented fields per coverage kind, written anywhere in the file. */
  readonly present: Map<string, Set<string>>;
  /** The same, in what synth read. */
  readonly inEffect: Map<string, Set<string>>;
}

function addTo(map: Map<string, Set<string>>, kind: string, fields: Iterable<string>): void {
  const set = map.get(kind) ?? new Set<string>();
  for (const f of fields) set.add(f);
  map.set(kind, set);
}

function inventoryFor(kind: string): Inventory {
  return kind === 'Environment'
    ? new Inventory(COPILOT_DOCUMENTED_FIELDS.Environment.map((f) => f.path))
    : new Inventory([...COPILOT_DOCUMENTED_FIELDS[kind].map((f) => f.path), ...COPILOT_SIDECAR_FIELDS.map((f) => f.path)]);
}

/** Splits a workload's fields between its kind and Sidecars. */
function splitSidecars(kind: string, fields: Set<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  addTo(out, kind, [...fields].filter((f) => !f.startsWith('sidecars.')));
  addTo(out, 'Sidecars', [...fields].filter((f) => f.startsWith('sidecars.')));
  return out;
}

function readManifests(workspace: string, environment: string): ManifestFile[] {
  const copilot = path.join(workspace, 'copilot');
  const out: ManifestFile[] = [];
  const envRoot = path.join(copilot, 'environments');
  for (const env of fs.existsSync(envRoot) ? fs.readdirSync(envRoot).sort() : []) {
    const file = path.join(envRoot, env, 'manifest.yml');
    if (!fs.existsSync(file)) continue;
    const fields = documentedFieldsOf(readTree(file), inventoryFor('Environment'));
    const present = new Map([['Environment', fields]]);
    out.push({ file: path.relative(workspace, file), kind: 'Environment', present, inEffect: env === environment ? present : new Map() });
  }
  for (const dir of fs.readdirSync(copilot).sort()) {
    const file = path.join(copilot, dir, 'manifest.yml');
    if (dir === 'environments' || !fs.existsSync(file)) continue;
    const tree = readTree(file);
    const kind = String(tree.entries?.get('type')?.scalar);
    if (!(kind in COPILOT_DOCUMENTED_FIELDS)) throw new Error(`${file}: type ${kind} is not a documented manifest kind`);
    const inventory = inventoryFor(kind);
    const base: Tree = { entries: new Map([...tree.entries ?? []].filter(([k]) => k !== 'environments')) };
    const present = documentedFieldsOf(base, inventory);
    const inEffect = new Set(present);
    const overrides = tree.entries?.get('environments');
    if (overrides !== undefined) {
      present.add('environments');
      inEffect.add('environments');
      for (const [env, override] of overrides.entries ?? []) {
        const fields = documentedFieldsOf(override, inventory);
        for (const f of fields) present.add(f);
        // The fixture's overrides of the synthesized environment add fields and clear none, so
        // what synth reads is the base plus the override.
        if (env === environment) for (const f of fields) inEffect.add(f);
      }
    }
    out.push({ file: path.relative(workspace, file), kind, present: splitSidecars(kind, present), inEffect: splitSidecars(kind, inEffect) });
  }
  return out;
}

/** Synthesizes the workspace once: its template and every warning. */
function synthesize(workspace: string, environment: string): { template: Record<string, any>; warnings: SynthWarning[] } {
  // Without aws-cdk-lib's built-in validation engine, like every unit test (test/util/test-app.ts):
  // coverage reads the template and the construct warnings, and the engine's findings are neither
  // (not strict here, they would only be printed). Its start was 5 of coverage.test.ts's 7 s of CPU;
  // the from-copilot example runs it, strict, in test/examples.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'X', { env: { account: '123456789012', region: 'us-east-1' } });
  new CopilotApplication(stack, 'App', { workspace, environment });
  const artifact = app.synth().getStackArtifact(stack.artifactId);
  const warnings = artifact.messages
    .filter((m) => String(m.level) === 'warning')
    .map((m) => {
      const text = String(m.entry.data);
      const id = /\[ack: ([^\]]+)\]$/.exec(text)?.[1];
      return { construct: m.id, id, text };
    });
  return { template: artifact.template, warnings };
}

/** The file and path an unmapped warning names (`copilot/web/manifest.yml:12: http.alb is not mapped…`). */
export function unmappedWarningTarget(warning: SynthWarning): { file: string; line: number; path: string } | undefined {
  if (!warning.id?.startsWith(`${COPILOT_UNMAPPED_WARNING}:`)) return undefined;
  const match = /^(\S+\.yml):(\d+): (\S+) is not mapped/.exec(warning.text);
  if (!match) return undefined;
  return { file: match[1], line: Number(match[2]), path: match[3] };
}

/** Synthesizes the fixture and measures the coverage, per kind. */
export function copilotCoverage(workspace: string = EVERY_FIELD_FIXTURE, environment = 'test'): CopilotCoverage {
  const manifests = readManifests(workspace, environment);
  const { template, warnings } = synthesize(workspace, environment);
  const reportedByFile = new Map<string, string[]>();
  for (const w of warnings) {
    const target = unmappedWarningTarget(w);
    if (target) reportedByFile.set(target.file, [...reportedByFile.get(target.file) ?? [], target.path]);
  }

  const kinds = COVERAGE_KINDS.map((kind): KindCoverage => {
    const documented = kind === 'Sidecars' ? COPILOT_SIDECAR_FIELDS.map((f) => f.path) : COPILOT_DOCUMENTED_FIELDS[kind].map((f) => f.path);
    const present = new Set<string>();
    const inEffect = new Set<string>();
    const unmapped = new Set<string>();
    const reported: { path: string; file: string }[] = [];
    const partlyMapped: PartlyMapped[] = [];
    for (const m of manifests) {
      const ofKind = kind === 'Sidecars' ? m.kind !== 'Environment' : m.kind === kind;
      if (!ofKind) continue;
      for (const f of m.present.get(kind) ?? []) present.add(f);
      const effective = m.inEffect.get(kind) ?? new Set<string>();
      for (const f of effective) inEffect.add(f);
      const inventory = inventoryFor(m.kind);
      for (const raw of reportedByFile.get(m.file) ?? []) {
        const segments = normalize(raw, inventory);
        const isSidecar = segments[0] === 'sidecars';
        if (isSidecar !== (kind === 'Sidecars')) continue;
        reported.push({ path: raw, file: m.file });
        const covered = [...effective].filter((f) => isPrefixOf(segments, f.split('.')));
        for (const f of covered) unmapped.add(f);
        if (covered.length === 0) {
          // Reported below a documented field: the deepest documented ancestor is mapped only in part.
          for (let n = segments.length - 1; n > 0; n--) {
            const field = inventory.find(segments.slice(0, n));
            if (field !== undefined) {
              partlyMapped.push({ field, reported: raw, file: m.file });
              break;
            }
          }
        }
      }
    }
    const order = (set: Set<string>) => documented.filter((f) => set.has(f));
    return {
      kind,
      documented,
      present: order(present),
      inEffect: order(inEffect),
      unmapped: order(unmapped),
      mapped: documented.filter((f) => inEffect.has(f) && !unmapped.has(f)),
      absent: documented.filter((f) => !present.has(f)),
      notSynthesized: documented.filter((f) => present.has(f) && !inEffect.has(f)),
      reported,
      partlyMapped,
    };
  });
  return { workspace, environment, kinds, warnings, template };
}

/** The coverage as markdown: the table, then per kind the fields not mapped, not synthesized and absent. */
export function coverageMarkdown(coverage: CopilotCoverage): string {
  const lines = [
    `Copilot manifest coverage of CopilotApplication, on ${path.relative(process.cwd(), coverage.workspace) || '.'} (environment ${coverage.environment})`,
    '',
    '| kind | documented | in the fixture | mapped | reported as not mapped | in the fixture, not synthesized (refused forms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const total = { documented: 0, present: 0, mapped: 0, unmapped: 0, notSynthesized: 0 };
  for (const k of coverage.kinds) {
    lines.push(`| ${k.kind} | ${k.documented.length} | ${k.present.length} | ${k.mapped.length} | ${k.unmapped.length} | ${k.notSynthesized.length} |`);
    total.documented += k.documented.length;
    total.present += k.present.length;
    total.mapped += k.mapped.length;
    total.unmapped += k.unmapped.length;
    total.notSynthesized += k.notSynthesized.length;
  }
  lines.push(`| **total** | ${total.documented} | ${total.present} | ${total.mapped} | ${total.unmapped} | ${total.notSynthesized} |`);
  for (const k of coverage.kinds) {
    lines.push('', `### ${k.kind}`, '');
    const warned = [...new Set(k.reported.map((r) => r.path))].sort();
    lines.push(`- reported as not mapped (${warned.length} warning paths, covering ${k.unmapped.length} documented fields): ${warned.map((p) => `\`${p}\``).join(', ') || 'none'}`);
    lines.push(`- documented fields not mapped: ${k.unmapped.map((p) => `\`${p}\``).join(', ') || 'none'}`);
    const partly = [...new Set(k.partlyMapped.map((p) => `\`${p.field}\` (not \`${p.reported}\`)`))];
    if (partly.length > 0) lines.push(`- mapped in part: ${partly.join(', ')}`);
    lines.push(`- in the fixture but not synthesized: ${k.notSynthesized.map((p) => `\`${p}\``).join(', ') || 'none'}`);
    lines.push(`- documented but absent from the fixture: ${k.absent.map((p) => `\`${p}\``).join(', ') || 'none'}`);
  }
  const undocumented = coverage.warnings.filter((w) => w.id?.startsWith(`${COPILOT_UNDOCUMENTED_WARNING}:`));
  if (undocumented.length > 0) {
    lines.push('', `### ${undocumented.length} copilot-undocumented warnings`, '');
    for (const w of undocumented) lines.push(`- ${w.construct}: ${w.id}`);
  }
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  const [workspace, environment] = process.argv.slice(2);
  process.stdout.write(coverageMarkdown(copilotCoverage(workspace ? path.resolve(workspace) : EVERY_FIELD_FIXTURE, environment ?? 'test')));
}
