/**
 * Bad input, fuzzed: random prop values for every public construct, valid and invalid mixed.
 *
 * Property: constructing either succeeds, or throws our ConfigurationError naming a prop the
 * input set (or the input the message blames). Never a TypeError, never an error from inside
 * aws-cdk-lib, and never success when a value that is wrong on its own was given. A bounded
 * sample of valid inputs is synthesized and must pass (with strict built-in validation at full size).
 *
 * Fixed seed, so every run is reproducible. Two sizes:
 * - `npm test`: an eighth of the runs (FUZZ_RUNS defaults to 0.125), a quarter for the targets
 *   that need it to produce both outcomes (MIN_SCALE), and a synth sample of 3 per construct
 *   without the built-in validation engine, like every unit test (test/util/test-app.ts).
 * - full size, `FUZZ_RUNS=1`: CI's verify step (`npm run verify`, scripts/verify.sh). The synth
 *   sample then runs with the built-in engine in strict mode (FUZZ_STRICT=1 asks for it at any size).
 * FUZZ_RUNS scales the construct-only runs (FUZZ_RUNS=2: twice the full size); FUZZ_SYNTH_RUNS sets
 * the synth sample per construct. The same seed at a smaller size runs a prefix of the same inputs.
 * Statistics go to cdk.out/fuzz-report.json, and to the console with VERBOSE_FUZZ=1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { ConfigurationErrors } from '../../lib';
import { strictApp, testApp, testStack } from '../util/test-app';
import { ALL_TARGETS, FuzzTarget, unwrap } from './fuzz-arbitraries';

const SEED = 20261126;
const SCALE = Number(process.env.FUZZ_RUNS ?? '0.125') || 0.125;
const FULL_SIZE = SCALE >= 1;
/** Construct-only runs per target: heavier constructs get fewer. */
const CONSTRUCT_RUNS: Record<string, number> = {
  ImageRepository: 300,
  ServiceImage: 300,
  ServiceNetwork: 250,
  ServiceCluster: 250,
  ServiceLoadBalancer: 300,
  ServiceTaskDefinition: 300,
  WebService: 250,
  ContainerWebApp: 200,
  NetworkService: 250,
};
/**
 * The smallest scale per target: below it the target no longer draws both outcomes (at an eighth,
 * WebService accepts none of its 31 inputs and ServiceLoadBalancer one of 38).
 */
const MIN_SCALE: Record<string, number> = {
  WebService: 0.25,
  ServiceLoadBalancer: 0.25,
};
/** Synth is the slow part: a bounded sample per construct. */
const SYNTH_RUNS = Number(process.env.FUZZ_SYNTH_RUNS ?? (FULL_SIZE ? '15' : '3'));
/** The synth sample runs the built-in validation engine (strict) at full size, or when asked. */
const STRICT_SYNTH = FULL_SIZE || process.env.FUZZ_STRICT === '1';

interface Stats {
  tried: number;
  accepted: number;
  rejected: number;
  rejectedByProp: Record<string, number>;
  synthTried: number;
  synthesized: number;
  synthRejected: number;
}

const stats: Record<string, Stats> = {};
function statsOf(name: string): Stats {
  stats[name] ??= { tried: 0, accepted: 0, rejected: 0, rejectedByProp: {}, synthTried: 0, synthesized: 0, synthRejected: 0 };
  return stats[name];
}

/** `sidecars[1].containerPort` → `sidecars[i].containerPort`, so the table groups by rule. */
function propKey(prop: string): string {
  return prop.replace(/\[\d+\]/g, '[i]');
}

function rootOf(prop: string): string {
  return prop.split(/[.[]/)[0];
}

function show(props: unknown): string {
  return JSON.stringify(props, (_k, v) => {
    if (v instanceof Duration) return v.toString();
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

/**
 * Checks one rejection: our error type, message naming `.prop`, and the prop (or a word of the
 * message) being something the input set. Returns the prop.
 */
function checkRejection(error: unknown, given: Set<string>, props: unknown): string {
  if (!ConfigurationErrors.isConfigurationError(error)) {
    throw new Error(`escaped as a non-ConfigurationError: ${errorText(error)}\ninput: ${show(props)}`);
  }
  const prop = ConfigurationErrors.propOf(error)!;
  const message = (error as Error).message;
  if (!message.includes(prop)) {
    throw new Error(`ConfigurationError's message does not name its prop ${prop}: ${message}\ninput: ${show(props)}`);
  }
  const afterPath = message.slice(message.indexOf(': ') + 2);
  const blamesGiven = given.has(rootOf(prop))
    || [...given].some((g) => new RegExp(`\\b${g.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(afterPath));
  if (!blamesGiven) {
    throw new Error(`ConfigurationError names ${prop}, which the input did not set: ${message}\ninput: ${show(props)}`);
  }
  return prop;
}

/** Validation messages ours look like `<path>: <prop> <value> ...`; returns the prop, or throws. */
function checkValidationMessage(message: string, given: Set<string>, props: unknown): string {
  const m = /^\S+: ([\w.[\]]+) /.exec(message);
  if (!m || !given.has(rootOf(m[1]))) {
    throw new Error(`a node validation that is not ours failed: ${message}\ninput: ${show(props)}`);
  }
  return m[1];
}

function constructOnly(target: FuzzTarget) {
  return (spec: unknown): void => {
    const s = statsOf(target.name);
    s.tried++;
    const { props, bad, given } = unwrap(spec);
    const stack = testStack(testApp());
    let prop: string | undefined;
    try {
      target.build(stack, props);
      // Deferred checks (node.addValidation) run at synth: run them now, without synthesizing.
      const messages = stack.node.findAll().flatMap((c) => c.node.validate());
      if (messages.length > 0) prop = checkValidationMessage(messages[0], given, props);
    } catch (error) {
      prop = checkRejection(error, given, props);
    }
    if (prop !== undefined) {
      s.rejected++;
      s.rejectedByProp[propKey(prop)] = (s.rejectedByProp[propKey(prop)] ?? 0) + 1;
      return;
    }
    if (bad.length > 0) {
      throw new Error(`accepted a value that is invalid on its own at ${bad.join(', ')}\ninput: ${show(props)}`);
    }
    s.accepted++;
  };
}

function synthesizes(target: FuzzTarget) {
  return (spec: unknown): void => {
    const s = statsOf(target.name);
    s.synthTried++;
    const { props, given } = unwrap(spec);
    const stack = testStack(STRICT_SYNTH ? strictApp() : testApp());
    try {
      target.build(stack, props);
    } catch (error) {
      // Valid values can still conflict; that must be our error too.
      checkRejection(error, given, props);
      s.synthRejected++;
      return;
    }
    let template: Template;
    try {
      template = Template.fromStack(stack);
    } catch (error) {
      throw new Error(`synth failed for accepted input: ${errorText(error)}\ninput: ${show(props)}`, { cause: error });
    }
    if (Object.keys(template.toJSON().Resources ?? {}).length === 0) {
      throw new Error(`synthesized an empty template\ninput: ${show(props)}`);
    }
    s.synthesized++;
  };
}

describe.each(ALL_TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
  test('random props: success or a ConfigurationError naming the prop; invalid values never accepted', () => {
    const scale = Math.max(SCALE, MIN_SCALE[target.name] ?? 0);
    const numRuns = Math.max(1, Math.round((CONSTRUCT_RUNS[target.name] ?? 200) * scale));
    fc.assert(fc.property(target.arbitrary('mixed'), constructOnly(target)), { seed: SEED, numRuns });
    const s = statsOf(target.name);
    // Both outcomes must really occur, or the arbitrary has drifted away from the construct.
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.rejected).toBeGreaterThan(0);
  });

  test(`a sample of valid props synthesizes${STRICT_SYNTH ? ' with strict built-in validation' : ''}`, () => {
    fc.assert(fc.property(target.arbitrary('valid'), synthesizes(target)), { seed: SEED, numRuns: SYNTH_RUNS });
    expect(statsOf(target.name).synthesized).toBeGreaterThan(0);
  });
});

afterAll(() => {
  const rows = Object.entries(stats);
  const lines: string[] = ['fuzz summary (seed ' + SEED + ')',
    'construct               tried  accepted  rejected  synthesized  rejected by prop'];
  let tried = 0; let accepted = 0; let rejected = 0; let synthesized = 0;
  for (const [name, s] of rows) {
    tried += s.tried; accepted += s.accepted; rejected += s.rejected; synthesized += s.synthesized;
    const byProp = Object.entries(s.rejectedByProp).sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p}:${n}`).join(' ');
    lines.push(`${name.padEnd(22)} ${String(s.tried).padStart(6)} ${String(s.accepted).padStart(9)} ${String(s.rejected).padStart(9)} `
      + `${`${s.synthesized}/${s.synthTried}`.padStart(12)}  ${byProp}`);
  }
  lines.push(`${'total'.padEnd(22)} ${String(tried).padStart(6)} ${String(accepted).padStart(9)} ${String(rejected).padStart(9)} ${String(synthesized).padStart(12)}`);
  if (process.env.VERBOSE_FUZZ === '1') console.log(lines.join('\n'));
  const outDir = path.join(__dirname, '..', '..', 'cdk.out');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'fuzz-report.json'), JSON.stringify({
    seed: SEED, totals: { tried, accepted, rejected, synthesized }, constructs: stats,
  }, null, 2));
});
