/**
 * Side-by-side measurements of our bin app and the same workload built with aws-ecs-patterns
 * defaults (benchmarks/ecs-patterns/app.ts), for DESIGN.md's "Figures to beat".
 *
 *   node --import tsx benchmarks/compare.ts [--runs 5] [--no-cli] [--no-direct] [--no-nag]
 *        [--ours bin/app.ts] [--out benchmarks/results.md]
 *
 * Formulas and caveats: benchmarks/README.md.
 */
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cdkJsonContext } from '../examples';
import { ALB_USD_PER_MONTH, HOURS_PER_MONTH, INTERFACE_ENDPOINT_USD_PER_AZ_MONTH, NAT_GATEWAY_USD_PER_HOUR, PUBLIC_IPV4_USD_PER_MONTH } from '../lib/network/layout-pricing';

// ---------------------------------------------------------------- prices and ALB defaults
// us-east-1 list prices from lib/network/layout-pricing.ts (the design's $96.73 ecs-patterns figure uses the same basis).
const NAT_USD = NAT_GATEWAY_USD_PER_HOUR * HOURS_PER_MONTH; // 32.85; its Elastic IP counts among the IPv4 addresses
const ALB_USD = ALB_USD_PER_MONTH; // 16.43 (hourly charge only; LCUs depend on traffic)
const IPV4_USD = PUBLIC_IPV4_USD_PER_MONTH; // 3.65 per public IPv4 address
const ENDPOINT_AZ_USD = INTERFACE_ENDPOINT_USD_PER_AZ_MONTH; // 7.30 per interface endpoint per AZ

// What an ALB target group uses when the template leaves the property out.
const TG_DEFAULT_INTERVAL_S = 30;
const TG_DEFAULT_HEALTHY_THRESHOLD = 5;
const TG_DEFAULT_DEREGISTRATION_S = 300;
/** Time for a Fargate task to be placed, pull and start: the same assumption DESIGN.md uses. */
const TASK_START_S = 30;

const STRICT_KEY = '@aws-cdk/core:strictCfnValidateErrors';
const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------- arguments
interface Options {
  readonly runs: number;
  readonly direct: boolean;
  readonly cli: boolean;
  readonly nag: boolean;
  readonly extraService: boolean;
  readonly compile: boolean;
  readonly ours: string;
  readonly out: string;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('--runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs ${value('--runs')} is not a positive integer`);
  }
  return {
    runs,
    direct: !argv.includes('--no-direct'),
    cli: !argv.includes('--no-cli'),
    nag: !argv.includes('--no-nag'),
    extraService: !argv.includes('--no-extra-service'),
    compile: !argv.includes('--no-compile'),
    ours: path.resolve(ROOT, value('--ours') ?? 'bin/app.ts'),
    out: path.resolve(ROOT, value('--out') ?? 'benchmarks/results.md'),
  };
}

// ---------------------------------------------------------------- the two apps
type Context = Record<string, unknown>;

interface Side {
  readonly name: string;
  /** argv for the app process, as cdk.json / the CLI's --app would run it. */
  readonly command: string[];
  /** Adds the app's stacks to an App (for the in-process cdk-nag and extra-service synths). */
  build: (app: App, services: number) => Stack[];
  /** Whether `build` honours `services` (else the extra-service figure is n/a). */
  canAddServices: boolean;
  /** Context used for every synth: cdk.json's, with strict validation turned off if the app fails it. */
  context: Context;
  strict?: StrictResult;
}

interface StrictResult {
  readonly passes: boolean;
  readonly findings: Finding[];
  readonly acknowledged: Finding[];
}

interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `esk-bench-${label}-`));
}

// ---------------------------------------------------------------- running synths
interface RunResult {
  readonly ok: boolean;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly outdir: string;
  readonly output: string;
}

/** The env the CDK CLI gives an app: context and output directory. */
function appEnv(context: Context, outdir: string): NodeJS.ProcessEnv {
  return { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir };
}

function timed(argv: string[], env: NodeJS.ProcessEnv, outdir: string): RunResult {
  const cpuBefore = childCpuSeconds();
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSeconds = childCpuSeconds() - cpuBefore;
  return { ok: r.status === 0, seconds, cpuSeconds, outdir, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

let clockTicks: number | undefined;

/**
 * CPU time (user + sys) of this process's finished children, all threads and descendants
 * (Linux: /proc/self/stat cutime + cstime). Less sensitive to other people's load than wall time.
 */
function childCpuSeconds(): number {
  try {
    clockTicks ??= Number(execSync('getconf CLK_TCK', { encoding: 'utf-8' }).trim()) || 100;
    const stat = fs.readFileSync('/proc/self/stat', 'utf-8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 (cutime) and 17 (cstime) of proc(5); `fields` starts at field 3.
    return (Number(fields[13]) + Number(fields[14])) / clockTicks;
  } catch {
    return NaN;
  }
}

/** `node <app>` with CDK_CONTEXT_JSON and CDK_OUTDIR, exactly what the CLI hands the app. */
function synthDirect(side: Side, context: Context = side.context): RunResult {
  const outdir = tmpDir('direct');
  return timed(side.command, appEnv(context, outdir), outdir);
}

/** `cdk synth -q -o <dir> --app <cmd>`: adds the CLI's own start-up and its reading of cdk.json. */
function synthCli(side: Side): RunResult {
  const outdir = tmpDir('cli');
  const cdk = path.join(ROOT, 'node_modules/aws-cdk/bin/cdk');
  const argv = [process.execPath, cdk, 'synth', '-q', '-o', outdir, '--app', side.command.map(quote).join(' ')];
  if (side.strict && !side.strict.passes) {
    argv.push('-c', `${STRICT_KEY}=false`);
  }
  const env = {
    ...process.env,
    // Offline machine: skip the telemetry upload, version check and the EC2 metadata credential probe.
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return timed(argv, env, outdir);
}

function quote(s: string): string {
  return /^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function readReport(outdir: string): Finding[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf-8'));
  const findings: Finding[] = [];
  for (const p of report.pluginReports ?? []) {
    for (const v of p.violations ?? []) {
      for (const c of v.violatingConstructs ?? [{ constructPath: '?' }]) {
        findings.push({ plugin: p.pluginName, rule: v.ruleName, severity: v.severity, path: c.constructPath });
      }
    }
  }
  return findings;
}

/** Findings acknowledged with Validations.of(scope).acknowledge(), per plugin. */
function readSuppressed(outdir: string): Finding[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf-8'));
  const findings: Finding[] = [];
  for (const p of report.pluginReports ?? []) {
    for (const v of p.suppressedViolations ?? []) {
      for (const c of v.violatingConstructs ?? [{ constructPath: '?' }]) {
        findings.push({ plugin: p.pluginName, rule: v.ruleName, severity: v.severity, path: c.constructPath });
      }
    }
  }
  return findings;
}

/**
 * First synth of each app, with cdk.json's strict validation. An app that fails it is measured
 * from then on with validation on but not strict, and its findings are reported as a figure.
 * Also warms the file cache, so the timed rounds start even.
 */
function probeStrict(side: Side): RunResult {
  const strict = synthDirect(side);
  const findings = readReport(strict.outdir);
  const acknowledged = readSuppressed(strict.outdir);
  if (strict.ok) {
    side.strict = { passes: true, findings, acknowledged };
    return strict;
  }
  if (findings.length === 0) {
    throw new Error(`${side.name}: synth failed without a validation report:\n${strict.output}`);
  }
  side.strict = { passes: false, findings, acknowledged };
  side.context = { ...side.context, [STRICT_KEY]: false };
  fs.rmSync(strict.outdir, { recursive: true, force: true });
  const lenient = synthDirect(side);
  if (!lenient.ok) {
    throw new Error(`${side.name}: synth fails even without strict validation:\n${lenient.output}`);
  }
  return lenient;
}

// ---------------------------------------------------------------- template figures
type Template = { Resources?: Record<string, { Type: string; Properties?: any }> };

function stackTemplates(outdir: string): Template[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
  return Object.values<any>(manifest.artifacts ?? {})
    .filter((a) => a.type === 'aws:cloudformation:stack')
    .map((a) => JSON.parse(fs.readFileSync(path.join(outdir, a.properties.templateFile), 'utf-8')));
}

function resources(templates: Template[]): Array<{ id: string; Type: string; Properties: any }> {
  return templates.flatMap((t) => Object.entries(t.Resources ?? {}).map(([id, r]) => ({ id, Type: r.Type, Properties: r.Properties ?? {} })));
}

function ofType(templates: Template[], type: string) {
  return resources(templates).filter((r) => r.Type === type);
}

interface TemplateFigures {
  resourceCount: number;
  natGateways: number;
  albs: number;
  logGroupsWithoutRetention: number;
  implicitLambdaLogGroups: number;
  deploy: { seconds: number; formula: string };
  circuitBreaker: string;
  cost: { usd: number; formula: string };
}

function analyze(templates: Template[]): TemplateFigures {
  const all = resources(templates).filter((r) => r.Type !== 'AWS::CDK::Metadata');
  const byId = new Map(all.map((r) => [r.id, r]));
  const services = ofType(templates, 'AWS::ECS::Service');

  // Rolling deploy: the slowest load-balanced service decides.
  let deploy = { seconds: 0, formula: 'no load-balanced service' };
  for (const svc of services) {
    for (const lb of svc.Properties.LoadBalancers ?? []) {
      const tg = byId.get(lb.TargetGroupArn?.Ref);
      if (!tg) continue;
      const p = tg.Properties;
      const interval = Number(p.HealthCheckIntervalSeconds ?? TG_DEFAULT_INTERVAL_S);
      const healthy = Number(p.HealthyThresholdCount ?? TG_DEFAULT_HEALTHY_THRESHOLD);
      const dereg = Number((p.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds')?.Value
        ?? TG_DEFAULT_DEREGISTRATION_S);
      const seconds = TASK_START_S + interval * healthy + dereg;
      if (seconds > deploy.seconds) {
        deploy = { seconds, formula: `${TASK_START_S} + ${interval}×${healthy} + ${dereg}` };
      }
    }
  }

  const breakers = services.map((s) => s.Properties.DeploymentConfiguration?.DeploymentCircuitBreaker);
  const circuitBreaker = breakers.length === 0 ? 'no service'
    : breakers.every((b) => b?.Enable === true && b?.Rollback === true) ? 'yes, with rollback'
      : breakers.every((b) => b?.Enable === true) ? 'yes, no rollback'
        : 'no (a failing deploy can take up to 3 h)';

  // Fixed monthly cost: NAT gateways, ALBs, public IPv4 addresses, interface endpoints.
  const nat = ofType(templates, 'AWS::EC2::NatGateway').length;
  const albs = ofType(templates, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter((r) => (r.Properties.Type ?? 'application') === 'application');
  const eips = ofType(templates, 'AWS::EC2::EIP').length;
  let albIps = 0;
  for (const alb of albs) {
    if (alb.Properties.Scheme === 'internal' || alb.Properties.IpAddressType === 'dualstack-without-public-ipv4') continue;
    const subnets = alb.Properties.Subnets ?? alb.Properties.SubnetMappings;
    albIps += Array.isArray(subnets) ? subnets.length : 2;
  }
  const minCapacity = Math.min(...ofType(templates, 'AWS::ApplicationAutoScaling::ScalableTarget')
    .filter((t) => t.Properties.ScalableDimension === 'ecs:service:DesiredCount')
    .map((t) => Number(t.Properties.MinCapacity)), Infinity);
  let taskIps = 0;
  for (const svc of services) {
    if (svc.Properties.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp !== 'ENABLED') continue;
    taskIps += Number(svc.Properties.DesiredCount ?? (Number.isFinite(minCapacity) ? minCapacity : 1));
  }
  let endpointAzs = 0;
  let endpoints = 0;
  for (const ep of ofType(templates, 'AWS::EC2::VPCEndpoint')) {
    if (ep.Properties.VpcEndpointType !== 'Interface') continue;
    endpoints++;
    endpointAzs += Array.isArray(ep.Properties.SubnetIds) ? ep.Properties.SubnetIds.length : 2;
  }
  const ips = eips + albIps + taskIps;
  const usd = nat * NAT_USD + albs.length * ALB_USD + ips * IPV4_USD + endpointAzs * ENDPOINT_AZ_USD;
  const parts = [`${nat} NAT`, `${albs.length} ALB`, `${ips} IPv4 (${eips} EIP + ${albIps} ALB + ${taskIps} task)`];
  if (endpoints > 0) parts.push(`${endpoints} endpoints × AZ = ${endpointAzs}`);

  const logGroups = ofType(templates, 'AWS::Logs::LogGroup');
  const logGroupNames = new Set(logGroups.map((g) => JSON.stringify(g.Properties.LogGroupName)));
  const implicitLambdaLogGroups = ofType(templates, 'AWS::Lambda::Function')
    .filter((f) => !f.Properties.LoggingConfig?.LogGroup && !logGroupNames.has(JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: f.id }]] })))
    .length;

  return {
    resourceCount: all.length,
    natGateways: nat,
    albs: albs.length,
    logGroupsWithoutRetention: logGroups.filter((g) => g.Properties.RetentionInDays === undefined).length,
    implicitLambdaLogGroups,
    deploy,
    circuitBreaker,
    cost: { usd: Math.round(usd * 100) / 100, formula: parts.join(' + ') },
  };
}

// ---------------------------------------------------------------- in-process synths (cdk-nag, extra service)
function synthInProcess(side: Side, services: number, nag: boolean): string {
  const outdir = tmpDir('inproc');
  const app = new App({ context: side.context, outdir });
  side.build(app, services);
  if (nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  const [out, err] = [process.stdout.write, process.stderr.write];
  // The app prints its validation report; the table carries the counts.
  process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
  try {
    app.synth();
  } catch (e) {
    // cdk-nag errors fail the synth after the report is written; anything else is a real failure.
    if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) throw e;
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
  return outdir;
}

interface NagFigures {
  errors: Finding[];
  warnings: Finding[];
  acknowledged: Finding[];
  cdkWarnings: Finding[];
}

function runNag(side: Side): NagFigures {
  const outdir = synthInProcess(side, 1, true);
  const findings = readReport(outdir);
  const acknowledged = readSuppressed(outdir).filter((f) => f.plugin.startsWith('AwsSolutions'));
  fs.rmSync(outdir, { recursive: true, force: true });
  const nag = findings.filter((f) => f.plugin.startsWith('AwsSolutions'));
  return {
    errors: nag.filter((f) => f.severity === 'error' || f.severity === 'fatal'),
    warnings: nag.filter((f) => f.severity === 'warning'),
    acknowledged,
    cdkWarnings: findings.filter((f) => !f.plugin.startsWith('AwsSolutions')),
  };
}

function extraServiceFigures(side: Side, base: TemplateFigures, baseTypes: Map<string, number>): { cell: string; added: string } {
  if (!side.canAddServices) return { cell: 'n/a', added: '' };
  const outdir = synthInProcess(side, 2, false);
  const templates = stackTemplates(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  const two = analyze(templates);
  const albs = two.albs - base.albs;
  const added = [...typeCounts(templates)]
    .map(([type, n]) => [type, n - (baseTypes.get(type) ?? 0)] as const)
    .filter(([, n]) => n !== 0)
    .map(([type, n]) => `${type.replace(/^AWS::/, '')}${n === 1 ? '' : ` ×${n}`}`)
    .join(', ');
  return {
    cell: `${two.resourceCount - base.resourceCount}, ${albs === 0 ? 'no new ALB' : `${albs} new ALB (+$${(albs * (ALB_USD + 2 * IPV4_USD)).toFixed(2)}/month)`}`,
    added,
  };
}

function typeCounts(templates: Template[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources(templates)) {
    if (r.Type !== 'AWS::CDK::Metadata') counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  }
  return counts;
}

// ---------------------------------------------------------------- stats and output
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timing(xs: number[]): string {
  if (xs.length === 0) return 'n/a';
  return `${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)})`;
}

function ruleList(fs_: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of fs_) {
    const id = f.rule.replace(/^AwsSolutions-/, '').replace(/^Annotation::/, '');
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].map(([id, n]) => (n > 1 ? `${id}×${n}` : id)).join(', ');
}

function count(fs_: Finding[]): string {
  return fs_.length === 0 ? '0' : `${fs_.length} (${ruleList(fs_)})`;
}

interface Column {
  side: Side;
  available: boolean;
  reason?: string;
  direct: number[];
  cli: number[];
  directCpu: number[];
  cliCpu: number[];
  figures?: TemplateFigures;
  nag?: NagFigures;
  extra?: string;
  extraAdded?: string;
}

function table(cols: Column[], opts: Options): string {
  const row = (figure: string, f: (c: Column) => string) =>
    `| ${figure} | ${cols.map((c) => (c.available ? f(c) : `n/a (${c.reason})`).replace(/\|/g, '\\|')).join(' | ')} |`;
  const lines = [
    `| figure | ${cols.map((c) => c.side.name).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
  ];
  if (opts.direct) {
    lines.push(row(`synth time, app process (median of ${opts.runs}, min)`, (c) => timing(c.direct)));
    lines.push(row('  CPU time (user+sys) of that process', (c) => timing(c.directCpu)));
  }
  if (opts.cli) {
    lines.push(row(`synth time, \`cdk synth -q\` (median of ${opts.runs}, min)`, (c) => timing(c.cli)));
    lines.push(row('  CPU time (user+sys), CLI and app', (c) => timing(c.cliCpu)));
  }
  lines.push(
    row('built-in validation, strict (cdk.json)', (c) => (c.side.strict!.passes ? `passes, ${count(c.side.strict!.findings)} findings`
      : `FAILS: ${count(c.side.strict!.findings)}; measured with strict off`)
      + (c.side.strict!.acknowledged.length ? `; acknowledged: ${count(c.side.strict!.acknowledged)}` : '')),
    row('resources in the template', (c) => String(c.figures!.resourceCount)),
    row('NAT gateways', (c) => String(c.figures!.natGateways)),
    row('log groups without RetentionInDays', (c) => `${c.figures!.logGroupsWithoutRetention}`
      + (c.figures!.implicitLambdaLogGroups ? ` (+${c.figures!.implicitLambdaLogGroups} implicit Lambda log group)` : '')),
    row('rolling-deploy estimate (30 + interval×healthy + dereg)', (c) => `${c.figures!.deploy.seconds} s (${c.figures!.deploy.formula})`),
    row('deployment circuit breaker', (c) => c.figures!.circuitBreaker),
    row('fixed monthly cost, us-east-1', (c) => `$${c.figures!.cost.usd.toFixed(2)} (${c.figures!.cost.formula})`),
  );
  if (opts.extraService) lines.push(row('resources added per extra service', (c) => c.extra ?? 'n/a'));
  if (opts.nag) {
    lines.push(
      row('cdk-nag AwsSolutions errors', (c) => count(c.nag!.errors)),
      row('cdk-nag AwsSolutions warnings', (c) => count(c.nag!.warnings)),
      row('cdk-nag acknowledgements (with reasons)', (c) => count(c.nag!.acknowledged)),
      row('CDK annotation warnings (in the nag synth)', (c) => count(c.nag!.cdkWarnings)),
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const context = cdkJsonContext();
  const loadBefore = os.loadavg()[0].toFixed(1);

  if (opts.compile) {
    process.stderr.write('compiling benchmarks/ecs-patterns (tsc)…\n');
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'benchmarks/ecs-patterns'], { cwd: ROOT, encoding: 'utf-8' });
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  if (path.relative(ROOT, opts.ours) === 'bin/app.ts') {
    const build = spawnSync(process.execPath, ['scripts/build-app.mjs'], { cwd: ROOT, encoding: 'utf-8' });
    if (build.status !== 0) throw new Error(`scripts/build-app.mjs failed:\n${build.stdout}${build.stderr}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const patterns = require('./ecs-patterns/app');
  const patternsSide: Side = {
    name: 'ecs-patterns defaults',
    command: [process.execPath, 'benchmarks/.out/ecs-patterns/app.js'],
    build: (app, services) => patterns.buildPatternsApp(app, { services }),
    canAddServices: true,
    context: { ...context },
  };
  const imageSource: string = patterns.imageSource(new App({ context }));

  const oursExists = fs.existsSync(opts.ours);
  const oursRel = path.relative(ROOT, opts.ours);
  const oursSide: Side = {
    name: 'ours (bin app)',
    // As cdk.json runs it: `build` (esbuild, scripts/build-app.mjs) once, then plain JavaScript.
    command: oursRel === 'bin/app.ts' ? [process.execPath, 'build/app/app.js'] : [process.execPath, '--import', 'tsx', oursRel],
    build: (app) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(opts.ours);
      return mod.buildApp(app);
    },
    // The bin app has one service; benchmarks/extra-service.ts adds more (see benchmarkHook).
    canAddServices: false,
    context: { ...context },
  };
  if (oursExists) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(opts.ours);
    if (typeof mod.buildApp !== 'function') throw new Error(`${oursRel} does not export buildApp(app)`);
    const addSecondService = benchmarkHook();
    if (addSecondService) {
      oursSide.canAddServices = true;
      oursSide.build = (app, services) => {
        const stacks: Stack[] = mod.buildApp(app);
        for (let i = 1; i < services; i++) addSecondService(stacks[0], i + 1);
        return stacks;
      };
    }
  }

  const cols: Column[] = [
    { side: patternsSide, available: true, direct: [], cli: [], directCpu: [], cliCpu: [] },
    { side: oursSide, available: oursExists, reason: `${oursRel} not there yet`, direct: [], cli: [], directCpu: [], cliCpu: [] },
  ];

  // Probe (strict validation, warm-up), then the timed rounds, alternating A B A B…
  const probes = new Map<Column, RunResult>();
  for (const c of cols.filter((col) => col.available)) {
    process.stderr.write(`probe ${c.side.name}…\n`);
    try {
      probes.set(c, probeStrict(c.side));
    } catch (e) {
      // A half-written app must not cost the other column: report it and go on.
      const message = e instanceof Error ? e.message : String(e);
      process.stderr.write(`${message}\n`);
      c.available = false;
      c.reason = `synth fails: ${message.split('\n').find((l) => l.includes('«'))?.trim() ?? message.split('\n')[0]}`;
    }
  }
  const live = cols.filter((c) => c.available);
  for (let i = 0; i < opts.runs; i++) {
    for (const c of live) {
      for (const [enabled, run, into, cpuInto] of [[opts.direct, synthDirect, c.direct, c.directCpu], [opts.cli, synthCli, c.cli, c.cliCpu]] as const) {
        if (!enabled) continue;
        const r = run(c.side);
        if (!r.ok) throw new Error(`${c.side.name}: timed synth failed:\n${r.output}`);
        into.push(r.seconds);
        if (Number.isFinite(r.cpuSeconds)) cpuInto.push(r.cpuSeconds);
        fs.rmSync(r.outdir, { recursive: true, force: true });
      }
    }
    process.stderr.write(`round ${i + 1}/${opts.runs}: ${live.map((c) => `${c.side.name} ${[...c.direct.slice(-1), ...c.cli.slice(-1)].map((s) => s.toFixed(2)).join('/')}`).join(', ')}\n`);
  }

  for (const c of live) {
    const templates = stackTemplates(probes.get(c)!.outdir);
    c.figures = analyze(templates);
    if (opts.extraService) {
      const extra = extraServiceFigures(c.side, c.figures, typeCounts(templates));
      c.extra = extra.cell;
      c.extraAdded = extra.added;
    }
    if (opts.nag) {
      process.stderr.write(`cdk-nag ${c.side.name}…\n`);
      c.nag = runNag(c.side);
    }
  }

  const md = [
    '# Benchmark: ecs-service-kit bin app vs aws-ecs-patterns defaults',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}, load average ${loadBefore} before, `
      + `${os.loadavg()[0].toFixed(1)} after), Node ${process.version}, `
      + `${opts.runs} alternating runs per timing. Both apps get cdk.json's context (feature flags, strict built-in validation). `
      + `Image: ${imageSource} for ecs-patterns${oursExists ? ', the bin app\'s own default for ours' : ''}. `
      + 'Formulas: benchmarks/README.md.',
    '',
    table(cols, opts),
    '',
    ...(opts.extraService ? [
      'Resources the extra service adds:',
      '',
      ...live.filter((c) => c.extraAdded).map((c) => `- ${c.side.name}: ${c.extraAdded}`),
      '',
    ] : []),
  ].join('\n');
  process.stdout.write(md);
  fs.writeFileSync(opts.out, md);
  process.stderr.write(`written to ${path.relative(ROOT, opts.out)}\n`);
  for (const r of probes.values()) fs.rmSync(r.outdir, { recursive: true, force: true });
}

/**
 * benchmarks/extra-service.ts, when present, exports `addBenchmarkService(stack, n)`: it adds
 * service number `n` to the stack buildApp made, the way a user would (same cluster and ALB).
 */
function benchmarkHook(): ((stack: Stack, n: number) => void) | undefined {
  const file = path.join(__dirname, 'extra-service.ts');
  if (!fs.existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hook = require(file);
  return typeof hook.addBenchmarkService === 'function' ? hook.addBenchmarkService : undefined;
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
