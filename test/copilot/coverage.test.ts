/**
 * The every-field fixture (test/copilot/fixtures/every-field) writes every field Copilot's docs
 * document for the four workload types, the Environment manifest and sidecars; CopilotApplication
 * synthesizes it, and every field it does not map is named in a warning that points at the line.
 * One synth for the whole file (scripts/copilot-coverage.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { COPILOT_UNDOCUMENTED_WARNING, COPILOT_UNMAPPED_WARNING } from '../../lib/copilot/copilot-application';
import { copilotCoverage, CopilotCoverage, COVERAGE_KINDS, coverageMarkdown, EVERY_FIELD_FIXTURE, KindCoverage, unmappedWarningTarget } from '../../scripts/copilot-coverage';

/** Warnings of the library's own constructs that the fixture's values set off, by id. */
const KNOWN_LIBRARY_WARNINGS = new Set([
  // web and backend drain for less than the load balancer's idle timeout (Copilot's docs' values)
  'ecs-service-kit:drain-shorter-than-idle-timeout',
  // backend-simple: a Backend Service without http is a worker without a queue, so nothing to alarm on
  'ecs-service-kit:no-deployment-alarms',
  // backend and backend-simple have ports: Copilot's Cloud Map names for them are not served
  'ecs-service-kit:copilot-service-discovery',
  // the fixture's FIFO topics: a FIFO topic has a fixed name, and topics are retained
  'ecs-service-kit:retained-physical-name',
  // the fixture's job has retries and sidecars: a sidecar's exit code fails a run too
  'ecs-service-kit:rerun-with-sidecars',
  // the test environment logs to its own bucket (access_logs.bucket_name), whose policy is the user's to set
  'ecs-service-kit:imported-access-log-bucket',
  // the test environment's VPC is created here, and the workloads join groups of CloudFormation exports
  'ecs-service-kit:copilot-security-group-vpc',
]);

/**
 * Documented forms CopilotApplication refuses with an error, which the fixture writes only in
 * the `imported` environment (its manifest and `environments.imported` overrides) so that `test`
 * synthesizes. When one of them is mapped or reported instead, move it into the synthesized part.
 */
const NOT_SYNTHESIZED: Record<string, string[]> = {
  'Load Balanced Web Service': ['secrets.from_cfn'],
  'Backend Service': ['secrets.from_cfn'],
  'Worker Service': ['secrets.from_cfn'],
  'Scheduled Job': [],
  'Environment': ['network.vpc.id', 'network.vpc.subnets.*.id', 'http.private.subnets'],
  'Sidecars': [],
};

let coverage: CopilotCoverage;
beforeAll(() => {
  coverage = copilotCoverage(EVERY_FIELD_FIXTURE, 'test');
});

function kind(name: string): KindCoverage {
  return coverage.kinds.find((k) => k.kind === name)!;
}

test('the fixture synthesizes, with every kind measured', () => {
  expect(coverage.kinds.map((k) => k.kind)).toEqual([...COVERAGE_KINDS]);
  for (const k of coverage.kinds) {
    expect(k.documented.length).toBeGreaterThan(0);
    expect(k.mapped.length + k.unmapped.length).toBe(k.inEffect.length);
  }
});

test.each([...COVERAGE_KINDS])('%s: every documented field is in the fixture', (name) => {
  // The failure lists the documented fields the fixture leaves out.
  expect({ kind: name, absent: kind(name).absent }).toEqual({ kind: name, absent: [] });
});

test.each([...COVERAGE_KINDS])('%s: only the refused forms are kept out of the synthesized environment', (name) => {
  expect(kind(name).notSynthesized).toEqual(NOT_SYNTHESIZED[name]);
});

// Known bug: the sidecar fields are checked against `sidecars.sidecars.*…` (the documented
// sidecar paths already start with `sidecars.`), so each sidecar's name is reported as
// undocumented. Until it is fixed those are set aside here, and the test below fails as expected.
const isSidecarNameBug = (id: string) => /^sidecars\.[^.]+$/.test(id.slice(COPILOT_UNDOCUMENTED_WARNING.length + 1));

test('no copilot-undocumented warning for the fixture (but the known sidecar-name bug)', () => {
  const undocumented = coverage.warnings.filter((w) => w.id?.startsWith(`${COPILOT_UNDOCUMENTED_WARNING}:`) && !isSidecarNameBug(w.id));
  expect(undocumented.map((w) => `${w.construct}: ${w.text}`)).toEqual([]);
});

test('no copilot-undocumented warning at all', () => {
  const undocumented = coverage.warnings.filter((w) => w.id?.startsWith(`${COPILOT_UNDOCUMENTED_WARNING}:`));
  expect(undocumented.map((w) => w.id)).toEqual([]);
});

test('every other warning is copilot-unmapped, with the file and line of the field, or a known library warning', () => {
  const unexplained: string[] = [];
  for (const w of coverage.warnings) {
    if (w.id?.startsWith(`${COPILOT_UNDOCUMENTED_WARNING}:`)) continue;
    if (w.id !== undefined && KNOWN_LIBRARY_WARNINGS.has(w.id)) continue;
    const target = unmappedWarningTarget(w);
    if (target === undefined || w.id !== `${COPILOT_UNMAPPED_WARNING}:${target.path}`) {
      unexplained.push(`${w.construct}: ${w.text}`);
      continue;
    }
    // The line is the field's: it writes the path's last key (`hosted_zone:` for http.alias.hosted_zone),
    // or, for a map or a list, the value's first line just below the key.
    const lines = fs.readFileSync(path.join(EVERY_FIELD_FIXTURE, target.file), 'utf-8').split('\n');
    const key = target.path.split('.').pop()!;
    const writesKey = (n: number) => new RegExp(`^\\s*(- )?${key}:`).test(lines[n - 1] ?? '');
    if (!writesKey(target.line) && !writesKey(target.line - 1)) unexplained.push(`${target.file}:${target.line} does not write ${key}: ${lines[target.line - 1]}`);
  }
  expect(unexplained).toEqual([]);
});

test('the markdown report has a row per kind and lists what is not mapped', () => {
  const markdown = coverageMarkdown(coverage);
  for (const k of coverage.kinds) {
    expect(markdown).toContain(`| ${k.kind} | ${k.documented.length} | ${k.present.length} | ${k.mapped.length} | ${k.unmapped.length} |`);
  }
  expect(markdown).toContain('`nlb`');
  // sidecars are mapped but for their mount points, labels, dependencies, env files and registry credentials
  expect(kind('Sidecars').mapped.length).toBeGreaterThan(kind('Sidecars').unmapped.length);
});

describe('spot checks of mapped fields in the template', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromJSON(coverage.template);
  });

  test('the environments.test overrides apply, merged into the base as Copilot merges them', () => {
    // web: variables.LOG_LEVEL info → debug; backend: cpu 1024; worker: count.range.max 10 → 8, min kept
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Environment: Match.arrayWith([{ Name: 'LOG_LEVEL', Value: 'debug' }]) })]),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024', Memory: '2048',
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Environment: Match.arrayWith([{ Name: 'COPILOT_SERVICE_NAME', Value: 'backend' }]) })]),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1, MaxCapacity: 8,
      ResourceId: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^AppworkerService'), 'Name'] })])] }),
    });
  });

  // Known bug: publish.topics is marked read whole, but only name and fifo reach EventTopic, so
  // fifo.content_based_deduplication is dropped without a warning. Fails until it is mapped.
  test('publish.topics.fifo.content_based_deduplication reaches the topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: true });
  });
});

test('docs/from-copilot.md states this coverage, kind by kind', () => {
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'from-copilot.md'), 'utf-8');
  const docName = (k: string) => (k === 'Sidecars' ? 'sidecars (any service type)' : k);
  for (const k of coverage.kinds) {
    expect(docs).toContain(`| ${docName(k.kind)} | ${k.documented.length} | ${k.mapped.length} | ${k.unmapped.length} | ${k.notSynthesized.length} |`);
  }
});

test('the README states the totals', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8').replace(/\s+/g, ' ');
  const sum = (pick: (k: KindCoverage) => readonly string[]) => coverage.kinds.reduce((n, k) => n + pick(k).length, 0);
  expect(readme).toContain(`Of the ${sum((k) => k.documented)} fields Copilot's manifest docs document for the four workload types, the environment and sidecars, ${sum((k) => k.mapped)} are mapped, ${sum((k) => k.unmapped)} are reported and ${sum((k) => k.notSynthesized)} refused`);
});

test('docs/from-copilot.md names every field reported as not mapped, per type', () => {
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'from-copilot.md'), 'utf-8');
  for (const k of coverage.kinds) {
    const warned = [...new Set(k.reported.map((r) => r.path.replace(/^sidecars\.[^.]+\./, 'sidecars.*.')))].sort();
    expect(docs).toContain(`- **${k.kind === 'Sidecars' ? 'sidecars' : k.kind}:** ${warned.map((p) => `\`${p}\``).join(', ')}\n`);
  }
});
