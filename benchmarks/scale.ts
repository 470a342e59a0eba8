/**
 * Scale benchmark: N services in one stack, ours against aws-ecs-patterns' defaults.
 *
 *   node --import tsx benchmarks/scale.ts [--runs 3] [--sizes 1,10,40] [--out benchmarks/scale-results.md]
 *
 * - ours: one ServiceCluster (default layout), one ServiceLoadBalancer, N WebServices each routed
 *   by a path rule `/svc-<i>/*` (the way DESIGN.md means services to share an ALB).
 * - ecs-patterns: N ApplicationLoadBalancedFargateService with their defaults, on the stack's
 *   default cluster and VPC (shared), each bringing its own ALB (the pattern's default).
 * Both use the same registry image (no asset: the figures are about the services, not image
 * staging), cpu 256 / 512 MiB, container port 8080, and cdk.json's context (feature flags and
 * built-in validation). ecs-patterns fails strict validation on two CDK warnings of its own
 * (see benchmarks/results.md), so it is synthesized with validation on but not strict, as in
 * compare.ts; both sides pay for validation. The CDK's own 500-resource check is lifted for the
 * counts (it stops ecs-patterns at 40 services before validation would run) and confirmed once.
 *
 * Synth time is in-process (construct tree + app.synth(), fresh App each run), after one untimed
 * warm-up round (every N, both sides), median of `--runs` runs with the two sides alternating.
 * Module loading (seconds, the same for any N) is not in it: the app-process figures are in
 * compare.ts. It needs no AWS account, no Docker and no network.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import { ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';
import { cdkJsonContext } from '../examples';
import { ALB_USD_PER_MONTH, PUBLIC_IPV4_USD_PER_MONTH } from '../lib/network/layout-pricing';
import { ALB_MAX_RULES, ALB_MAX_TARGET_GROUPS, ALBS_PER_REGION, CFN_MAX_RESOURCES, CFN_MAX_TEMPLATE_BYTES, SG_MAX_RULES } from '../test/util/aws-limits';

// ---------------------------------------------------------------- prices
// us-east-1 list prices, 730 h/month: the same basis as compare.ts and DESIGN.md.
const ALB_USD = ALB_USD_PER_MONTH; // 16.43 (hourly charge only; LCUs depend on traffic)
const IPV4_USD = PUBLIC_IPV4_USD_PER_MONTH; // 3.65 per public IPv4 address (one per subnet of an internet-facing ALB)

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const CONTAINER_PORT = 8080;
const STRICT_KEY = '@aws-cdk/core:strictCfnValidateErrors';
/**
 * The CDK refuses to synthesize a stack over 500 resources (TooManyResourcesInStack). 0 lifts
 * that check so the table can show how far over a stack is; `synth(..., { cdkLimit: true })`
 * keeps it to confirm the refusal.
 */
const RESOURCE_LIMIT_KEY = '@aws-cdk/core:stackResourceLimit';
const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------- arguments
interface Options {
  readonly runs: number;
  readonly sizes: number[];
  readonly out: string;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${value('--runs')} is not a positive integer`);
  const sizes = (value('--sizes') ?? '1,10,40').split(',').map(Number);
  if (!sizes.every((n) => Number.isInteger(n) && n >= 1) || !sizes.includes(1)) {
    throw new Error(`--sizes ${value('--sizes')}: give positive integers including 1 (the base for "per added service")`);
  }
  return { runs, sizes: [...new Set(sizes)].sort((a, b) => a - b), out: path.resolve(ROOT, value('--out') ?? 'benchmarks/scale-results.md') };
}

// ---------------------------------------------------------------- the two sides
type Context = Record<string, unknown>;

interface Side {
  readonly name: string;
  readonly context: Context;
  build(app: App, services: number): Stack;
}

const ENV = { account: '123456789012', region: 'us-east-1' };

function ours(context: Context): Side {
  return {
    name: 'ecs-service-kit',
    context,
    build(app, services) {
      const stack = new Stack(app, `ScaleOurs${services}`, { env: ENV });
      const cluster = new ServiceCluster(stack, 'Cluster');
      const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
      // Plain HTTP like the ecs-patterns side; a certificate would add one listener and one ingress rule, not per service.
      Validations.of(loadBalancer).acknowledge({
        id: 'Annotation::ecs-service-kit:http-only',
        reason: 'Benchmark: HTTP on port 80 like the ecs-patterns default it is compared with; no deploy.',
      });
      const image = ServiceImage.fromRegistry(IMAGE);
      for (let i = 0; i < services; i++) {
        new WebService(stack, `Svc${i}`, { cluster, loadBalancer, image, pathPatterns: [`/svc-${i}/*`] });
      }
      return stack;
    },
  };
}

function patterns(context: Context): Side {
  return {
    name: 'ecs-patterns',
    // Strict mode fails on the pattern's own CDK warnings (no circuit breaker, minHealthyPercent).
    context: { ...context, [STRICT_KEY]: false },
    build(app, services) {
      const stack = new Stack(app, `ScalePatterns${services}`, { env: ENV });
      const image = ecs.ContainerImage.fromRegistry(IMAGE);
      for (let i = 0; i < services; i++) {
        // No vpc/cluster: the stack's default cluster and VPC, shared; each service its own ALB.
        new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Svc${i}`, {
          cpu: 256,
          memoryLimitMiB: 512,
          desiredCount: 1,
          taskImageOptions: { image, containerPort: CONTAINER_PORT },
        });
      }
      return stack;
    },
  };
}

// ---------------------------------------------------------------- one synth
interface Synth {
  readonly resources: number;
  readonly byType: Map<string, number>;
  readonly albs: number;
  readonly albPublicIps: number;
  readonly listenerRules: number;
  readonly targetGroups: number;
  readonly maxSgEgressRules: number;
  readonly templateBytes: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** Rule ids of validation findings that failed the synth (empty: it passed). */
  readonly failedRules: string[];
}

/** Synthesizes with the CDK's resource limit on; returns the error's first line, or undefined when it passes. */
function cdkRefusal(side: Side, services: number): string | undefined {
  const app = new App({ context: side.context, treeMetadata: false, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'esk-scale-')) });
  side.build(app, services);
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
  try {
    app.synth();
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const tooMany = /(\d+) is greater than allowed maximum of (\d+)/.exec(message);
    return tooMany ? `TooManyResourcesInStack (${tooMany[1]} > ${tooMany[2]})` : message.split('\n')[0];
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

function synth(side: Side, services: number): Synth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'esk-scale-'));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const app = new App({ context: { ...side.context, [RESOURCE_LIMIT_KEY]: 0 }, outdir, treeMetadata: false });
  const stack = side.build(app, services);
  const [out, err] = [process.stdout.write, process.stderr.write];
  // Synth prints its validation report; the table carries what matters.
  process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
  let failed = false;
  try {
    app.synth();
  } catch (e) {
    // A validation failure still writes the template and the report; anything else is a real failure.
    if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) throw e;
    failed = true;
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const templateFile = path.join(outdir, `${stack.artifactId}.template.json`);
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf-8'));
  const templateBytes = fs.statSync(templateFile).size;
  const failedRules = failed ? reportRules(outdir) : [];
  fs.rmSync(outdir, { recursive: true, force: true });

  const resources = Object.values<any>(template.Resources ?? {}).filter((r) => r.Type !== 'AWS::CDK::Metadata');
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
  const albs = resources.filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const albPublicIps = albs
    .filter((r) => r.Properties?.Scheme !== 'internal' && r.Properties?.IpAddressType !== 'dualstack-without-public-ipv4')
    .reduce((n, r) => n + (r.Properties?.Subnets?.length ?? r.Properties?.SubnetMappings?.length ?? 0), 0);
  const egressPerGroup = new Map<string, number>();
  for (const r of resources.filter((x) => x.Type === 'AWS::EC2::SecurityGroupEgress')) {
    const key = JSON.stringify(r.Properties.GroupId);
    egressPerGroup.set(key, (egressPerGroup.get(key) ?? 0) + 1);
  }
  return {
    resources: resources.length,
    byType,
    albs: albs.length,
    albPublicIps,
    listenerRules: byType.get('AWS::ElasticLoadBalancingV2::ListenerRule') ?? 0,
    targetGroups: byType.get('AWS::ElasticLoadBalancingV2::TargetGroup') ?? 0,
    maxSgEgressRules: Math.max(0, ...egressPerGroup.values()),
    templateBytes,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    failedRules,
  };
}

function reportRules(outdir: string): string[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'));
  const rules = new Set<string>();
  for (const p of report.pluginReports ?? []) {
    // Only what failed the synth: with strict mode off, warnings are reported but pass.
    for (const v of p.violations ?? []) {
      if (v.severity === 'error' || v.severity === undefined) rules.add(v.description ? `${v.ruleName} "${v.description}"` : v.ruleName);
    }
  }
  return [...rules];
}

// ---------------------------------------------------------------- figures
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const usd = (x: number) => `$${x.toFixed(2)}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

function albCost(s: Synth): number {
  return s.albs * ALB_USD + s.albPublicIps * IPV4_USD;
}

/** What stops the stack from deploying (or being created at all), limits first. */
function verdict(s: Synth, refusal: string | undefined): string {
  const problems: string[] = [];
  if (refusal) problems.push(`**\`cdk synth\` fails: ${refusal}**`);
  if (s.resources > CFN_MAX_RESOURCES) problems.push(`**over CloudFormation's ${CFN_MAX_RESOURCES} resources per stack: it would reject the template**`);
  if (s.templateBytes > CFN_MAX_TEMPLATE_BYTES) problems.push('**template over 1 MB: rejected**');
  if (s.albs > ALBS_PER_REGION) problems.push(`${s.albs} ALBs > ${ALBS_PER_REGION} per Region (default quota)`);
  if (s.listenerRules > ALB_MAX_RULES) problems.push(`rules > ${ALB_MAX_RULES} per ALB (default quota)`);
  if (s.targetGroups > ALB_MAX_TARGET_GROUPS * s.albs) problems.push(`target groups > ${ALB_MAX_TARGET_GROUPS} per ALB`);
  if (s.maxSgEgressRules > SG_MAX_RULES) problems.push(`${s.maxSgEgressRules} egress rules in one security group > ${SG_MAX_RULES} (default quota)`);
  return problems.length ? problems.join('; ') : 'fits';
}

interface Row {
  readonly side: Side;
  readonly n: number;
  readonly first: Synth;
  readonly times: number[];
  readonly cpu: number[];
}

/**
 * Largest N with resources ≤ 500, from base + N × per-service, checked by synthesizing N and
 * N + 1, and that the CDK (its own limit on) accepts N and refuses N + 1.
 */
function largestN(side: Side, base: number, perService: number): { n: number; at: number; next: number; refusal: string } {
  const n = Math.floor((CFN_MAX_RESOURCES - base) / perService);
  const at = synth(side, n).resources;
  const next = synth(side, n + 1).resources;
  const accepted = cdkRefusal(side, n);
  const refusal = cdkRefusal(side, n + 1);
  if (at > CFN_MAX_RESOURCES || next <= CFN_MAX_RESOURCES || accepted !== undefined || refusal === undefined) {
    throw new Error(`${side.name}: predicted ${n} services as the largest under ${CFN_MAX_RESOURCES}, but ${n} → ${at} (${accepted ?? 'synthesizes'}) and ${n + 1} → ${next} (${refusal ?? 'synthesizes'}) resources`);
  }
  return { n, at, next, refusal };
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const context = cdkJsonContext();
  const sides = [ours(context), patterns(context)];
  const load0 = os.loadavg()[0];
  const started = new Date();

  // Warm-up, one untimed round over every size: module loading, the validator's engine start-up,
  // JIT. (With only an N=1 warm-up the first timed 10- and 40-service synths ran 2–5× slower.)
  for (const n of opts.sizes) for (const side of sides) synth(side, n);

  const rows = new Map<string, Row>();
  const key = (side: Side, n: number) => `${side.name}/${n}`;
  for (let run = 0; run < opts.runs; run++) {
    for (const n of opts.sizes) {
      // Alternate which side goes first, so neither always gets the warmer (or busier) slot.
      const order = (run + opts.sizes.indexOf(n)) % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const s = synth(side, n);
        process.stderr.write(`run ${run + 1}/${opts.runs} ${side.name} N=${n}: ${s.resources} resources, ${s.seconds.toFixed(2)} s\n`);
        const row = rows.get(key(side, n));
        if (row) {
          row.times.push(s.seconds);
          row.cpu.push(s.cpuSeconds);
        } else {
          rows.set(key(side, n), { side, n, first: s, times: [s.seconds], cpu: [s.cpuSeconds] });
        }
      }
    }
  }

  const lines: string[] = [];
  const limits: string[] = [];
  for (const side of sides) {
    const one = rows.get(key(side, 1))!.first;
    const largestSize = opts.sizes[opts.sizes.length - 1];
    const second = opts.sizes.length > 2 ? opts.sizes[opts.sizes.length - 2] : 1;
    const big = rows.get(key(side, largestSize))!.first;
    const perService = (big.resources - rows.get(key(side, second))!.first.resources) / (largestSize - second);
    const base = one.resources - perService;
    const largest = largestN(side, base, perService);
    const perType = [...big.byType.entries()]
      .map(([type, c]) => [type, (c - (one.byType.get(type) ?? 0)) / (largestSize - 1)] as const)
      .filter(([, d]) => d !== 0)
      .map(([type, d]) => `${type.replace(/^AWS::/, '')}${d === 1 ? '' : ` ×${d}`}`);
    limits.push(
      `- **${side.name}**: base ${base} resources + ${perService} per service; largest N under ${CFN_MAX_RESOURCES} resources: `
      + `floor((${CFN_MAX_RESOURCES} − ${base}) / ${perService}) = **${largest.n}** (synthesized: ${largest.n} → ${largest.at} resources; ${largest.n + 1} → ${largest.next}, \`cdk synth\` fails with ${largest.refusal}). `
      + `Per service: ${perType.join(', ')}.`,
    );
    for (const n of opts.sizes) {
      const r = rows.get(key(side, n))!;
      const s = r.first;
      const added = n === 1 ? '—' : String(Math.round(((s.resources - one.resources) / (n - 1)) * 100) / 100);
      lines.push(`| ${n} | ${side.name} | ${s.resources} | ${added} | ${s.albs} | ${usd(albCost(s))} | `
        + `${median(r.times).toFixed(2)} s (min ${Math.min(...r.times).toFixed(2)}) | ${median(r.cpu).toFixed(2)} s | ${kib(s.templateBytes)} | `
        + `${s.failedRules.length ? `synth fails validation: ${s.failedRules.join(', ')}; ` : ''}${verdict(s, s.resources > CFN_MAX_RESOURCES ? cdkRefusal(side, n) : undefined)} |`);
    }
  }

  const md = [
    '# Scale benchmark: N services in one stack, ecs-service-kit vs aws-ecs-patterns defaults',
    '',
    `Run ${started.toISOString()} on ${os.cpus().length} CPUs (load average ${load0.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after), `
    + `Node ${process.version}, ${opts.runs} alternating in-process synths per cell after one untimed warm-up round. `
    + 'Command: `node --import tsx benchmarks/scale.ts`. Method: the header comment of benchmarks/scale.ts.',
    '',
    `- **ecs-service-kit**: one ServiceCluster (default layout), one ServiceLoadBalancer, N WebServices routed by \`/svc-<i>/*\`; strict built-in validation.`,
    `- **ecs-patterns**: N \`ApplicationLoadBalancedFargateService\` with defaults on the stack's default cluster and VPC (shared), each with its own ALB; built-in validation on, not strict (the pattern fails strict mode on its own CDK warnings).`,
    `- Both: image \`${IMAGE}\` from the registry (no asset), cpu 256 / 512 MiB, port ${CONTAINER_PORT}, no auto scaling.`,
    '',
    '| N | library | resources | per added service (R_N − R_1)/(N − 1) | ALBs | ALB cost/month | synth time, median (min) | CPU time, median | template | CloudFormation / quotas |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
    '',
    'Where the 500-resource limit is reached (per service from the two largest N):',
    '',
    ...limits,
    '',
    `ALB cost: us-east-1 list prices, hourly charge only (LCUs depend on traffic): ${usd(ALB_USD)} per ALB + ${usd(IPV4_USD)} per public IPv4 address `
    + `(one per subnet of an internet-facing ALB, 2 AZs here) = ${usd(ALB_USD + 2 * IPV4_USD)} per ALB per month.`,
    '',
    `Limits checked: CloudFormation ${CFN_MAX_RESOURCES} resources per stack and a 1 MB template (through S3; the CDK uploads every template to the bootstrap bucket, `
    + `so the 51,200-byte inline limit does not apply); ALB default quotas: ${ALB_MAX_RULES} rules per ALB (adjustable), ${ALB_MAX_TARGET_GROUPS} target groups per ALB (not adjustable), `
    + `${ALBS_PER_REGION} ALBs per Region (adjustable); VPC default quota: ${SG_MAX_RULES} outbound rules per security group (our shared ALB's security group gets one egress rule per distinct target port, not per service).`,
    '',
  ].join('\n');
  process.stdout.write(md);
  fs.writeFileSync(opts.out, md);
  process.stderr.write(`written to ${path.relative(ROOT, opts.out)}\n`);
}

main();
