/**
 * Synthesizes every example (examples/index.ts EXAMPLES) and every bin-app stage (BIN_APP_STAGES,
 * built with bin/app.ts buildApp) into its own cloud assembly under cdk.out/verify/<name>/, with
 * the context `cdk synth` would use (cdk.json context, cdk.context.json, the CLI's metadata
 * defaults, strict built-in validation), with cdk-nag AwsSolutions and the library's DeployChecks,
 * so the linters see the templates users deploy.
 *
 * Usage: node --import tsx scripts/synth-all.ts [options]
 *   --outdir DIR        root of the assemblies (default cdk.out/verify)
 *   --module FILE[#fn]  synth this app module instead of the examples and bin app (repeatable);
 *                       it must export fn, buildExample, buildApp or one build*App(app). Used for the
 *                       ecs-patterns baseline and for trying the pipeline on a scratch app.
 *   --only NAME         synth only the targets with this name (repeatable)
 *   --nist              also run cdk-nag's NIST 800-53 rev 5 pack and count its findings
 *                       (into <outdir>-nist/<name>/, so the plain templates stay untouched)
 *   -c, --context K=V   extra context for every target, as `cdk synth -c K=V` (repeatable)
 *   --no-fail           report validation failures but exit 0 (for baseline figures)
 *
 * Writes <outdir>/templates.txt (one template path a line) and <outdir>/summary.json.
 * Exit code 1 when any target fails to synthesize (including strict-validation findings and
 * cdk-nag AwsSolutions errors).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { STRICT_VALIDATION_CONTEXT } from '../test/util/test-app';
import { ALL_APPS, cdkJsonContext } from '../examples';
import { DeployChecks } from '../lib';

const ROOT = path.resolve(__dirname, '..');

/** What the CDK CLI adds to the app's context on `cdk synth` unless told otherwise. */
const CLI_DEFAULT_CONTEXT: Record<string, unknown> = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
};

type BuildFn = (app: App) => Stack[];

interface Target {
  readonly name: string;
  readonly build: BuildFn;
  readonly context: Record<string, unknown>;
}

interface TargetResult {
  name: string;
  ok: boolean;
  error?: string;
  templates: string[];
  awsSolutionsErrors: number;
  awsSolutionsWarnings: number;
  cdkWarnings: number;
  deployCheckFindings: number;
  deployCheckByRule: Record<string, number>;
  nistFindings?: number;
  nistByRule?: Record<string, number>;
}

interface Options {
  outdir: string;
  modules: string[];
  only: string[];
  nist: boolean;
  fail: boolean;
  context: Record<string, string>;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { outdir: path.join(ROOT, 'cdk.out', 'verify'), modules: [], only: [], nist: false, fail: true, context: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`synth-all: ${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--outdir': opts.outdir = path.resolve(value()); break;
      case '--module': opts.modules.push(path.resolve(value())); break; // FILE or FILE#exportName
      case '--only': opts.only.push(value()); break;
      case '--nist': opts.nist = true; break;
      case '--no-fail': opts.fail = false; break;
      case '--context':
      case '-c': {
        const [key, ...rest] = value().split('=');
        if (!key || rest.length === 0) throw new Error(`synth-all: ${arg} wants key=value`);
        opts.context[key] = rest.join('=');
        break;
      }
      default: throw new Error(`synth-all: unknown argument ${arg}`);
    }
  }
  if (process.env.VERIFY_NIST === '1') opts.nist = true;
  return opts;
}

function readJson(file: string): Record<string, unknown> {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

/** cdk.json's context plus cached lookups, exactly as the CLI merges them (cdk.context.json wins). */
function projectContext(): Record<string, unknown> {
  const cached = readJson(path.join(ROOT, 'cdk.context.json'));
  return { ...CLI_DEFAULT_CONTEXT, ...cdkJsonContext(), ...cached, ...STRICT_VALIDATION_CONTEXT };
}

/** The module an `--module FILE` option names. */
function loadModule(file: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}

function discoverTargets(opts: Options): Target[] {
  const targets: Target[] = [];
  if (opts.modules.length > 0) {
    for (const spec of opts.modules) {
      // FILE or FILE#exportName; without a name: buildExample, buildApp, or the one build*App export.
      const [file, exportName] = spec.split('#');
      const mod = loadModule(file);
      const guesses = exportName ? [exportName] : ['buildExample', 'buildApp', ...Object.keys(mod).filter((k) => /^build\w*App$/.test(k))];
      const build = guesses.map((k) => mod[k]).find((f) => typeof f === 'function') as BuildFn | undefined;
      if (!build) throw new Error(`synth-all: ${file} exports no ${guesses.join(' / ')} function`);
      const base = path.basename(file).replace(/\.[cm]?[tj]s$/, '');
      const name = base === 'app' || base === 'index' ? path.basename(path.dirname(file)) : base;
      targets.push({ name, build, context: {} });
    }
  } else {
    // Every example and bin-app stage, each with its context (e.g. the rehearsal's image tag), as the snapshots use.
    for (const entry of ALL_APPS) targets.push({ name: entry.name, build: entry.build, context: entry.context ?? {} });
  }
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new Error(`synth-all: two targets are named ${t.name}`);
    names.add(t.name);
  }
  if (opts.only.length === 0) return targets;
  const picked = targets.filter((t) => opts.only.includes(t.name));
  const unknown = opts.only.filter((n) => !names.has(n));
  if (unknown.length > 0) throw new Error(`synth-all: no target named ${unknown.join(', ')}; have ${[...names].join(', ')}`);
  return picked;
}

function listTemplates(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    // Nested assemblies (Stages) live in assembly-* folders; asset staging folders hold no templates we own.
    if (entry.isDirectory() && entry.name.startsWith('assembly-')) out.push(...listTemplates(p));
    else if (entry.isFile() && entry.name.endsWith('.template.json')) out.push(p);
  }
  return out.sort();
}

interface Violation {
  ruleName: string;
  severity?: string;
  violatingConstructs?: unknown[];
}
interface ValidationReport {
  pluginReports?: Array<{ pluginName: string; violations?: Violation[] }>;
}

/** Counts findings of the plugins whose name starts with `prefix`, per rule. */
function countFindings(report: ValidationReport, prefix: string, severity?: string): { total: number; byRule: Record<string, number> } {
  const byRule: Record<string, number> = {};
  let total = 0;
  for (const plugin of report.pluginReports ?? []) {
    if (!plugin.pluginName.startsWith(prefix)) continue;
    for (const v of plugin.violations ?? []) {
      if (severity && v.severity !== severity) continue;
      const n = Math.max(1, v.violatingConstructs?.length ?? 0);
      byRule[v.ruleName] = (byRule[v.ruleName] ?? 0) + n;
      total += n;
    }
  }
  return { total, byRule };
}

interface SynthOutcome {
  error?: string;
  report: ValidationReport;
}

function synthOnce(target: Target, outdir: string, nist: boolean, extraContext: Record<string, string>): SynthOutcome {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: { ...projectContext(), ...extraContext, ...target.context } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new DeployChecks());
  if (nist) Validations.of(app).addPlugins(new NIST80053R5Checks(app));
  let error: string | undefined;
  try {
    const stacks = target.build(app);
    if (stacks.length === 0) throw new Error('build returned no stacks');
    app.synth();
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const report = readJson(path.join(outdir, 'validation-report.json')) as ValidationReport;
  return { error, report };
}

/** Runs fn with stdout/stderr writes sent to logFile. */
function quietly<T>(logFile: string, fn: () => T): T {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const chunks: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = ((chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    fs.writeFileSync(logFile, chunks.join(''));
  }
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  // Keep the CDK's own checks quiet and offline: no notices, no version check, no telemetry.
  process.env.CDK_DISABLE_VERSION_CHECK = 'true';
  process.env.CDK_CLI_TELEMETRY_OPTOUT = 'true';
  // `cdk synth` sets these from the caller's AWS profile; verify runs without one, so use the
  // test account and region (test/util/test-app.ts TEST_ENV) unless the caller set them.
  process.env.CDK_DEFAULT_ACCOUNT = process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012';
  process.env.CDK_DEFAULT_REGION = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
  const targets = discoverTargets(opts);
  fs.mkdirSync(opts.outdir, { recursive: true });
  const results: TargetResult[] = [];
  for (const target of targets) {
    const started = Date.now();
    const dir = path.join(opts.outdir, target.name);
    const { error, report } = synthOnce(target, dir, false, opts.context);
    const templates = listTemplates(dir);
    const nagErrors = countFindings(report, 'AwsSolutions', 'error').total;
    const nagWarnings = countFindings(report, 'AwsSolutions', 'warning').total;
    const cdkWarnings = countFindings(report, 'Construct Annotations', 'warning').total;
    const deployChecks = countFindings(report, DeployChecks.PLUGIN_NAME);
    const result: TargetResult = {
      name: target.name,
      ok: !error && templates.length > 0,
      error,
      templates,
      awsSolutionsErrors: nagErrors,
      awsSolutionsWarnings: nagWarnings,
      cdkWarnings,
      deployCheckFindings: deployChecks.total,
      deployCheckByRule: deployChecks.byRule,
    };
    if (!error && templates.length === 0) result.error = 'no template synthesized';
    if (opts.nist) {
      // The NIST pack reports dozens of findings on purpose; keep its printed report in a log file.
      const nistDir = path.join(`${opts.outdir}-nist`, target.name);
      const nistOut = quietly(path.join(`${opts.outdir}-nist`, `${target.name}.log`), () => synthOnce(target, nistDir, true, opts.context));
      const nistCount = countFindings(nistOut.report, 'NIST');
      result.nistFindings = nistCount.total;
      result.nistByRule = nistCount.byRule;
    }
    results.push(result);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${target.name} (${secs}s, AwsSolutions errors ${nagErrors}, warnings ${nagWarnings}, CDK warnings ${cdkWarnings}, deploy checks ${deployChecks.total}${deployChecks.total > 0 ? ` (${Object.entries(deployChecks.byRule).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}${opts.nist ? `, NIST 800-53 R5 findings ${result.nistFindings}` : ''})`);
    if (result.error) console.log(`     ${result.error.split('\n').slice(0, 40).join('\n     ')}`);
    for (const t of templates) console.log(`     ${path.relative(ROOT, t)}`);
  }
  const allTemplates = results.flatMap((r) => r.templates);
  fs.writeFileSync(path.join(opts.outdir, 'templates.txt'), allTemplates.map((t) => `${t}\n`).join(''));
  fs.writeFileSync(path.join(opts.outdir, 'summary.json'), JSON.stringify(results, null, 1));
  if (opts.nist) {
    const total = results.reduce((s, r) => s + (r.nistFindings ?? 0), 0);
    console.log(`NIST 800-53 rev 5 findings: ${total} (${results.map((r) => `${r.name} ${r.nistFindings}`).join(', ')})`);
    const byRule: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.nistByRule ?? {})) byRule[k] = (byRule[k] ?? 0) + v;
    for (const [k, v] of Object.entries(byRule).sort((a, b) => b[1] - a[1])) console.log(`     ${v}\t${k}`);
  }
  const failed = results.filter((r) => !r.ok);
  console.log(`synth-all: ${results.length} targets, ${allTemplates.length} templates, ${failed.length} failed`);
  return failed.length > 0 && opts.fail ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
}
