/**
 * The AWS Control Tower proactive-controls gate: runs the Control Tower rules that
 * @cdklabs/cdk-validator-cfnguard bundles (rules/control-tower/cfn-guard, the same Guard rules the
 * proactive controls' CloudFormation hooks evaluate) with its bundled cfn-guard binary over
 * synthesized templates, prints the findings by control (count, per target), and fails on any
 * finding that scripts/control-tower-exceptions.json does not list for the mode.
 *
 * Usage: node --import tsx scripts/control-tower.ts [options] TEMPLATES_TXT
 *   TEMPLATES_TXT       one template path a line (synth-all.ts writes <outdir>/templates.txt);
 *                       the target is the folder under the outdir (cdk.out/verify/<target>/…)
 *   --mode MODE         default | governed: which exceptions apply (default: default). Governed is
 *                       the synth with -c ecs-service-kit:governance=control-tower.
 *   --report-only       print the findings, exit 0 (the baseline; the governed mode until the lead
 *                       gates it)
 *   --label NAME        name printed in the summary line (default: the mode)
 *   --json FILE         also write the findings and counts as JSON (docs/figures.md is derived from it)
 *
 * Offline and fast: one cfn-guard process over every template, with only the rules whose resource
 * types occur in the templates (a rule skips every other type, so the result is the same; about
 * 90 of the 314 rule files for the examples).
 * Exit code: 0 clean (or --report-only), 1 a finding the exceptions list does not cover, 2 the
 * tool failed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const PLUGIN_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const RULES_DIR = path.join(PLUGIN_DIR, 'rules', 'control-tower', 'cfn-guard');
export const EXCEPTIONS_FILE = path.join(ROOT, 'scripts', 'control-tower-exceptions.json');

/** Findings outside the exceptions list printed one a line; the rest are counted (all of them are in --json). */
const MAX_LISTED = 40;

export type Mode = 'default' | 'governed';
export const MODES: Mode[] = ['default', 'governed'];

/** Who has to act on a finding the library leaves in place. */
export type Owner =
  /** The governance switch (context ecs-service-kit:governance=control-tower) fixes it: costs money or changes behaviour. */
  | 'switch'
  /** The user's own choice in this app (a layout, an instance type list, an HTTP-only listener). */
  | 'user-choice'
  /** A resource aws-cdk-lib creates that the library cannot change. */
  | 'aws-cdk-lib'
  /** An AWS service requirement makes the control impossible to pass for this resource. */
  | 'aws';

export interface ControlTowerException {
  /** The control, e.g. CT.CLOUDWATCH.PR.2. */
  readonly control: string;
  /** The CloudFormation type of the resource the finding names. */
  readonly resourceType: string;
  /** Regular expression (whole logical id) for the resources it covers; every resource of the type when absent. */
  readonly logicalId?: string;
  /** Only these targets (examples, bin-app stages); every target when absent. */
  readonly targets?: string[];
  /** The modes the exception applies to. */
  readonly modes: Mode[];
  readonly owner: Owner;
  /** Why the library does not fix it by default. */
  readonly reason: string;
  /** The AWS documentation of the control (and of what forces the decision). */
  readonly docs: string;
  /** What the user does to pass the control. */
  readonly userAction: string;
}

export interface Finding {
  readonly target: string;
  readonly template: string;
  readonly control: string;
  readonly title: string;
  readonly logicalId: string;
  readonly resourceType: string;
}

/** Reads and checks the exceptions list (a malformed entry is a gate failure, not a silent pass). */
export function loadExceptions(file: string = EXCEPTIONS_FILE): ControlTowerException[] {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { exceptions?: ControlTowerException[] };
  const list = data.exceptions ?? [];
  list.forEach((e, i) => {
    const where = `${path.relative(ROOT, file)} exceptions[${i}]`;
    for (const key of ['control', 'resourceType', 'owner', 'reason', 'docs', 'userAction'] as const) {
      if (typeof e[key] !== 'string' || e[key].trim() === '') throw new Error(`${where}: ${key} is missing`);
    }
    if (!/^CT\.[A-Z0-9]+\.PR\.\d+$/.test(e.control)) throw new Error(`${where}: control ${e.control} is not a Control Tower control id`);
    if (!['switch', 'user-choice', 'aws-cdk-lib', 'aws'].includes(e.owner)) throw new Error(`${where}: owner ${e.owner} is not switch, user-choice, aws-cdk-lib or aws`);
    if (!Array.isArray(e.modes) || e.modes.length === 0 || e.modes.some((m) => !MODES.includes(m))) throw new Error(`${where}: modes must list default and/or governed`);
    if (e.owner === 'switch' && e.modes.includes('governed')) throw new Error(`${where}: a finding left to the switch cannot be excepted in the governed mode`);
    if (!/^https:\/\/docs\.aws\.amazon\.com\//.test(e.docs)) throw new Error(`${where}: docs must be an AWS documentation URL`);
    if (e.logicalId !== undefined) new RegExp(e.logicalId);
  });
  return list;
}

/** The exception that covers a finding in a mode, if any. */
export function exceptionFor(finding: Finding, mode: Mode, exceptions: ControlTowerException[]): ControlTowerException | undefined {
  return exceptions.find((e) => e.control === finding.control
    && e.resourceType === finding.resourceType
    && e.modes.includes(mode)
    && (e.targets === undefined || e.targets.includes(finding.target))
    && (e.logicalId === undefined || new RegExp(`^(?:${e.logicalId})$`).test(finding.logicalId)));
}

function guardBinary(): string {
  const platform = os.platform() === 'linux' ? 'ubuntu' : os.platform() === 'darwin' ? 'macos' : undefined;
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : undefined;
  if (!platform || !arch) throw new Error(`control-tower: no cfn-guard binary for ${os.platform()}/${os.arch()}`);
  return path.join(PLUGIN_DIR, 'bin', platform, arch, 'cfn-guard');
}

function listRuleFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listRuleFiles(p) : e.name.endsWith('.guard') ? [p] : [];
  }).sort();
}

/**
 * The rule files that can match a resource of these types (a file naming no type is always kept),
 * and, when controls are given, only the files whose messages name one of them: a finding's control
 * is read from its rule's message (`[CT.….PR.n]: title`), so no other file can report it, and each
 * file is evaluated on its own.
 */
export function relevantRules(types: Set<string>, controls: readonly string[] = []): string[] {
  return listRuleFiles(RULES_DIR).filter((file) => {
    const text = fs.readFileSync(file, 'utf8');
    if (controls.length > 0 && !controls.some((c) => text.includes(`[${c}]`))) return false;
    const named = text.match(/"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+"/g);
    return !named || named.some((t) => types.has(t.slice(1, -1)));
  });
}

type Template = { Resources?: Record<string, { Type?: string }> };

/**
 * Runs cfn-guard over the templates and returns one finding per (template, control, resource); of
 * the given controls only, when any are given (the same findings of those controls as a run of
 * every rule, in a fraction of the time: one rule file per control instead of about 60).
 */
export function runGuard(templates: string[], targetOf: (template: string) => string, controls: readonly string[] = []): Finding[] {
  const parsed = new Map<string, Template>(templates.map((t) => [t, JSON.parse(fs.readFileSync(t, 'utf8')) as Template]));
  const types = new Set<string>();
  for (const t of parsed.values()) for (const r of Object.values(t.Resources ?? {})) if (r.Type) types.add(r.Type);
  const rules = relevantRules(types, controls);
  if (rules.length === 0) return []; // no rule applies to these templates (cfn-guard needs one)
  const args = ['validate', ...rules.flatMap((r) => ['--rules', r]), ...templates.flatMap((t) => ['--data', t]),
    '--output-format', 'json', '--show-summary', 'none', '--structured'];
  let stdout: string;
  try {
    stdout = execFileSync(guardBinary(), args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // cfn-guard exits 19 when a rule fails: the findings are on stdout all the same.
    const err = e as { status?: number; stdout?: string; stderr?: string };
    if (err.status !== 19 || !err.stdout) throw new Error(`control-tower: cfn-guard failed (exit ${err.status}): ${err.stderr ?? String(e)}`, { cause: e });
    stdout = err.stdout;
  }
  const results = JSON.parse(stdout) as Array<{ name: string; not_compliant?: unknown[] }>;
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const result of results) {
    const template = path.resolve(result.name);
    const resources = parsed.get(template)?.Resources ?? parsed.get(result.name)?.Resources ?? {};
    for (const rule of result.not_compliant ?? []) {
      const text = JSON.stringify(rule);
      // The control's id and title are in the rule's custom message; the failing resources in the traversed paths.
      const messages = [...text.matchAll(/\[(CT\.[A-Z0-9]+\.PR\.\d+)\]: ([^\\]*?)\\n/g)];
      const ids = [...new Set([...text.matchAll(/"path":"\/Resources\/([^/"]+)/g)].map((m) => m[1]))];
      for (const [, control, title] of messages) {
        for (const logicalId of ids) {
          const key = `${template}|${control}|${logicalId}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push({ target: targetOf(template), template: path.relative(ROOT, template), control, title: title.trim(), logicalId, resourceType: resources[logicalId]?.Type ?? '?' });
        }
      }
    }
  }
  return findings.sort((a, b) => a.control.localeCompare(b.control) || a.template.localeCompare(b.template) || a.logicalId.localeCompare(b.logicalId));
}

interface Options {
  templatesTxt: string;
  mode: Mode;
  reportOnly: boolean;
  label?: string;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  let templatesTxt: string | undefined;
  const opts: Partial<Options> = { mode: 'default', reportOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`control-tower: ${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--mode': {
        const m = value();
        if (!MODES.includes(m as Mode)) throw new Error(`control-tower: --mode ${m}: use default or governed`);
        opts.mode = m as Mode;
        break;
      }
      case '--report-only': opts.reportOnly = true; break;
      case '--label': opts.label = value(); break;
      case '--json': opts.json = path.resolve(value()); break;
      default:
        if (arg.startsWith('-') || templatesTxt) throw new Error(`control-tower: unknown argument ${arg}`);
        templatesTxt = path.resolve(arg);
    }
  }
  if (!templatesTxt) throw new Error('control-tower: give the templates.txt that synth-all.ts wrote');
  return { ...opts, templatesTxt } as Options;
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const outdir = path.dirname(opts.templatesTxt);
  const templates = fs.readFileSync(opts.templatesTxt, 'utf8').split('\n').filter(Boolean).map((t) => path.resolve(t));
  if (templates.length === 0) throw new Error(`control-tower: ${opts.templatesTxt} lists no template`);
  const exceptions = loadExceptions();
  const targetOf = (t: string): string => path.relative(outdir, t).split(path.sep)[0];
  const findings = runGuard(templates, targetOf);
  const label = opts.label ?? opts.mode;

  const byControl = new Map<string, Finding[]>();
  for (const f of findings) byControl.set(f.control, [...(byControl.get(f.control) ?? []), f]);
  const unexpected: Finding[] = [];
  const used = new Set<ControlTowerException>();
  console.log(`findings by control (${label}; count: per target; [owner] when the exceptions list covers them):`);
  for (const [control, list] of [...byControl.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    const perTarget = new Map<string, number>();
    for (const f of list) perTarget.set(f.target, (perTarget.get(f.target) ?? 0) + 1);
    const owners = new Set<string>();
    let open = 0;
    for (const f of list) {
      const e = exceptionFor(f, opts.mode, exceptions);
      if (e) { owners.add(e.owner); used.add(e); } else { open++; unexpected.push(f); }
    }
    const status = open === 0 ? `[${[...owners].join(', ')}]` : `NOT EXCEPTED ${open}${owners.size ? ` (rest [${[...owners].join(', ')}])` : ''}`;
    console.log(`  ${control} x${list.length} ${status} (${list[0].title}): ${[...perTarget.entries()].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  }
  if (unexpected.length > 0) {
    console.log(`findings the exceptions list (${path.relative(ROOT, EXCEPTIONS_FILE)}) does not cover in ${opts.mode} mode:`);
    const shown = unexpected.slice(0, MAX_LISTED);
    for (const f of shown) console.log(`  ${f.control} ${f.resourceType} ${f.logicalId} (${f.template})`);
    if (unexpected.length > shown.length) console.log(`  … and ${unexpected.length - shown.length} more${opts.json ? ` (every finding: ${path.relative(ROOT, opts.json)})` : ''}`);
  }
  const unused = exceptions.filter((e) => e.modes.includes(opts.mode) && !used.has(e));
  if (unused.length > 0) {
    console.log(`exceptions for ${opts.mode} mode that matched nothing here (fixed, or not in these templates): ${unused.map((e) => `${e.control} ${e.resourceType}`).join(', ')}`);
  }
  const perTarget: Record<string, number> = {};
  for (const t of templates) perTarget[targetOf(t)] = 0;
  for (const f of findings) perTarget[f.target] = (perTarget[f.target] ?? 0) + 1;
  const controls: Record<string, number> = {};
  for (const [c, l] of byControl) controls[c] = l.length;
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify({ mode: opts.mode, label, templates: templates.length, total: findings.length,
      unexpected: unexpected.length, byControl: controls, byTarget: perTarget, findings }, null, 1));
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`control-tower (${label}): ${findings.length} findings in ${byControl.size} controls over ${templates.length} templates, `
    + `${findings.length - unexpected.length} excepted, ${unexpected.length} not excepted (${secs}s)`);
  // The summary line verify.sh reads.
  console.log(`CT_SUMMARY ${findings.length} ${byControl.size} ${unexpected.length}`);
  return unexpected.length > 0 && !opts.reportOnly ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  }
}
