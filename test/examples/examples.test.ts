import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployChecks } from '../../lib';
import { ALL_APPS, cdkJsonContext, ExampleEntry } from '../../examples';
import { CfnTemplate, compareStateful, describeFinding, Finding, isStateful, readSnapshotTemplates } from '../quality/stateful-guard';
import { compareTemplates, describeHazard, errorsOf, TemplateSet } from '../../lib/deploy-checks/update-hazards';
import { normalizeTemplate } from '../util/normalize';
import { STRICT_VALIDATION_CONTEXT } from '../util/test-app';

// The committed snapshots, read before this run can rewrite them (`jest -u`), for the
// stateful-resource guard. STATEFUL_GUARD_SNAPSHOT points the guard at another file (an edited copy).
const SNAPSHOT_FILE = process.env.STATEFUL_GUARD_SNAPSHOT
  ?? path.join(__dirname, '__snapshots__', 'examples.test.ts.snap');
const committedSnapshots: Map<string, CfnTemplate> | undefined = fs.existsSync(SNAPSHOT_FILE) ? readSnapshotTemplates(SNAPSHOT_FILE) : undefined;
if (!committedSnapshots) {
  if (process.env.CI) throw new Error(`stateful guard: ${SNAPSHOT_FILE} is missing; it is committed and must exist in CI`);
  // First run only: this test writes the snapshots; the guard has nothing to compare with yet.
  console.warn(`stateful guard skipped: no snapshot file yet at ${SNAPSHOT_FILE}`);
}

// The templates of the last release, as its users deploy them today: every change must update
// from them without an update hazard, not only from the previous commit. Replace the file when a
// release ships (copy that release's __snapshots__/examples.test.ts.snap; the .txt suffix keeps
// Jest from taking it for an obsolete snapshot file).
const LAST_RELEASE_FILE = path.join(__dirname, '__baseline__', 'release-0.1.snap.txt');
const lastRelease = readSnapshotTemplates(LAST_RELEASE_FILE);

// The unit tests run without aws-cdk-lib's built-in validation engine (test/util/test-app.ts);
// here it runs, in strict mode, on every example and bin-app stage, and the test proves it ran:
// every call of the engine's plugin is recorded (a disabled engine, e.g. CDK_VALIDATION=false,
// would otherwise let the test pass without any validation), and the report file is read back.
const builtinValidate = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');

// One engine for all apps. aws-cdk-lib's plugin (one per process) builds its engine anew whenever
// a synth has a resource type the last engine was not built for, and keeps it while later types
// are a subset; in this file that rebuild was 3–4 s of CPU. Built here once for every type of the
// committed templates, each app's synth then reuses it: the rules an engine loads are those of
// its types, and a rule of a type a template lacks finds nothing there, as in aws-cdk-lib's own
// reuse. A new type (not in the snapshots yet) still gets its rebuild. `initializeEngine` is
// private in aws-cdk-lib: without it (another version) every synth builds its own engine, slower.
beforeAll(() => {
  const plugin = CloudFormationValidatePlugin._singletonInstance() as unknown as { initializeEngine?: (types: Set<string>) => unknown };
  const types = new Set([...(committedSnapshots?.values() ?? [])].flatMap((t) => Object.values(t.Resources ?? {}).map((r) => r.Type)));
  if (typeof plugin.initializeEngine === 'function' && types.size > 0) plugin.initializeEngine(types);
});

/** What the built-in engine did during one synth: the templates it read and its findings. */
interface BuiltinValidation { readonly templates: string[]; readonly success: boolean; readonly violations: string[] }

interface Violation { ruleName: string; severity?: string; violatingResources?: { resourceLogicalId: string; templatePath: string; locations?: string[] }[]; description?: string }

/**
 * Synthesizes an example as `cdk synth` does (cdk.json's context, strict built-in validation)
 * with the AwsSolutions pack. Returns the templates, or the pack's error findings.
 */
function synthWithNag(entry: ExampleEntry): SynthResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${entry.name}-`));
  const app = new App({
    outdir,
    treeMetadata: false,
    context: { ...cdkJsonContext(), ...STRICT_VALIDATION_CONTEXT, ...(entry.context ?? {}) },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new DeployChecks());
  const stacks = entry.build(app);
  const callsBefore = builtinValidate.mock.calls.length;
  try {
    const assembly = app.synth();
    const templates: Record<string, unknown> = {};
    const templateFiles: Record<string, string> = {};
    for (const stack of stacks) {
      const artifact = assembly.getStackByName(stack.stackName);
      templates[stack.stackName] = artifact.template;
      templateFiles[stack.stackName] = path.basename(artifact.templateFullPath);
    }
    const reportFile = path.join(outdir, 'validation-report.json');
    const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : undefined;
    return { templates, templateFiles, errors: [], builtin: builtinValidationSince(callsBefore), report };
  } catch (error) {
    const reportFile = path.join(outdir, 'validation-report.json');
    if (!fs.existsSync(reportFile)) throw error;
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
    const errors: string[] = [];
    for (const plugin of report.pluginReports ?? []) {
      for (const violation of (plugin.violations ?? []) as Violation[]) {
        if ((violation.severity ?? 'error').toLowerCase() !== 'error') continue;
        const where = (violation.violatingResources ?? []).map((r) => `${r.templatePath}#${r.resourceLogicalId}`).join(', ');
        errors.push(`${plugin.pluginName ?? plugin.summary?.pluginName}: ${violation.ruleName} at ${where}`);
      }
    }
    if (errors.length === 0) throw error;
    return { templates: {}, templateFiles: {}, errors, builtin: builtinValidationSince(callsBefore), report };
  }
}

interface SynthResult {
  templates: Record<string, unknown>;
  /** Stack name → template file name in the cloud assembly. */
  templateFiles: Record<string, string>;
  errors: string[];
  /** Every run of the built-in engine during this synth. */
  builtin: BuiltinValidation[];
  /** cdk.out/validation-report.json, when it was written. */
  report?: { pluginReports?: { pluginName?: string; violations?: Violation[] }[] };
}

function builtinValidationSince(callIndex: number): BuiltinValidation[] {
  return builtinValidate.mock.calls.slice(callIndex).map(([context], i) => {
    const outcome = builtinValidate.mock.results[callIndex + i];
    if (outcome.type !== 'return') throw new Error(`the built-in validation plugin threw: ${String(outcome.value)}`);
    const report = outcome.value;
    return {
      templates: context.templatePaths.map((p) => path.basename(p)).sort(),
      success: report.success,
      violations: report.violations.map((v) => `${v.ruleName} (${v.severity ?? 'error'}): ${v.description}`),
    };
  });
}

describe.each(ALL_APPS.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
  let result: SynthResult;
  beforeAll(() => {
    result = synthWithNag(entry);
  });

  test('cdk-nag AwsSolutions, the deploy checks and the strict built-in validation report no error', () => {
    expect(result.errors).toEqual([]);
  });

  test('the built-in validation engine ran on every template and found nothing; the validation report is clean', () => {
    // The engine ran once, in strict mode, over every stack's template (nested assemblies included) ...
    expect(result.builtin).toHaveLength(1);
    const [builtin] = result.builtin;
    expect(builtin.templates).toEqual(expect.arrayContaining(Object.values(result.templateFiles)));
    // ... with no finding, not even a warning (strict mode would fail the synth on one) ...
    expect(builtin.violations).toEqual([]);
    expect(builtin.success).toBe(true);
    // ... and cdk.out/validation-report.json exists and lists no violation of any plugin. (A plugin
    // that passes with nothing acknowledged is left out of pluginReports; the built-in one has no
    // acknowledgement in the examples, so it must not be listed at all.)
    expect(result.report).toBeDefined();
    const listed = (result.report!.pluginReports ?? []).map((r) => ({ plugin: r.pluginName, violations: (r.violations ?? []).map((v) => v.ruleName) }));
    expect(listed.filter((r) => r.violations.length > 0)).toEqual([]);
    expect(listed.map((r) => r.plugin)).not.toContain(CloudFormationValidatePlugin.PLUGIN_NAME);
  });

  // The stateful-resource guard (test/quality/stateful-guard.ts): no change may delete or
  // replace a repository, log group, bucket, KMS key or retained resource of the committed
  // snapshot. If a finding is intended (a deliberate rename), update the snapshots in the same
  // change and say in the PR how the data moves.
  (committedSnapshots ? test : test.skip)('no stateful resource of the committed snapshot would be deleted or replaced', () => {
    // GIVEN the committed templates of this app
    const committed = [...committedSnapshots!.entries()].filter(([k]) => k.startsWith(`${name} `));
    // Every app keeps at least its image repository and log groups: a guard comparing nothing would pass silently.
    const guarded = committed.flatMap(([, t]) => Object.values(t.Resources ?? {})).filter(isStateful);
    expect(guarded.length).toBeGreaterThan(0);
    // THEN every committed stateful resource is still there, unreplaced and retained
    const findings: Finding[] = [];
    for (const [key, before] of committed) {
      const stack = key.slice(name.length + 1);
      const fresh = result.templates[stack] ? normalizeTemplate(result.templates[stack]) as CfnTemplate : {};
      findings.push(...compareStateful(before, fresh, { app: name, stack }));
    }
    if (findings.length > 0) console.error(findings.map(describeFinding).join('\n'));
    expect(findings.map(describeFinding)).toEqual([]);
  });

  // The same comparison as the update-sequence tests (test/quality/update-hazards.ts), from the
  // committed templates to this change's: deploying this version over the last one must not hit a
  // priority or name a removed resource still holds, replace a named resource, re-carve a subnet
  // or lose data. A deliberate break needs the snapshots updated and a migration note.
  const updateHazardsFrom = (templates: Map<string, CfnTemplate>): string[] => {
    const before: TemplateSet = {};
    for (const [key, template] of templates.entries()) {
      if (key.startsWith(`${name} `)) before[key.slice(name.length + 1)] = template;
    }
    const after: TemplateSet = {};
    for (const [stack, template] of Object.entries(result.templates)) after[stack] = normalizeTemplate(template) as CfnTemplate;
    expect(Object.keys(after).length).toBeGreaterThan(0);
    return errorsOf(compareTemplates(before, after, { app: name })).map(describeHazard);
  };

  (committedSnapshots ? test : test.skip)('an update from the committed snapshot has no update hazard', () => {
    expect(updateHazardsFrom(committedSnapshots!)).toEqual([]);
  });

  // An app new since the last release has nothing to update from.
  ([...lastRelease.keys()].some((k) => k.startsWith(`${name} `)) ? test : test.skip)('an update from the last release (0.1) has no update hazard', () => {
    expect(updateHazardsFrom(lastRelease)).toEqual([]);
  });

  test('every ECS service has deployment alarms with rollback on alarm, and its own alarms exist in the app', () => {
    const templates = Object.values(result.templates) as CfnTemplate[];
    const services = templates.flatMap((t) => Object.entries(t.Resources ?? {}))
      .filter(([, r]) => r.Type === 'AWS::ECS::Service');
    // Every app runs a service, except the scheduled job (tasks only).
    expect(services.length > 0).toBe(name !== 'scheduled-job');
    const alarmNames = new Set(templates.flatMap((t) => Object.values(t.Resources ?? {}))
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => JSON.stringify(r.Properties?.AlarmName)));
    for (const [id, service] of services) {
      const alarms = service.Properties?.DeploymentConfiguration?.Alarms;
      expect({ id, enable: alarms?.Enable, rollback: alarms?.Rollback }).toEqual({ id, enable: true, rollback: true });
      expect(alarms.AlarmNames.length).toBeGreaterThan(0);
      // A literal name is one of the app's alarms (a Ref names one by construction).
      const literal = (alarms.AlarmNames as unknown[]).filter((n): n is string => typeof n === 'string');
      expect(literal.filter((n) => !alarmNames.has(JSON.stringify(n)))).toEqual([]);
    }
  });

  test('templates match the snapshot (logical ids are public API)', () => {
    const names = Object.keys(result.templates);
    expect(names.length).toBeGreaterThan(0);
    for (const stackName of names) {
      expect(JSON.stringify(normalizeTemplate(result.templates[stackName]), null, 1)).toMatchSnapshot(`${name} ${stackName}`);
    }
  });
});

(committedSnapshots ? test : test.skip)('the committed snapshot file holds a template for every app', () => {
  for (const entry of ALL_APPS) {
    expect([...committedSnapshots!.keys()].some((k) => k.startsWith(`${entry.name} `))).toBe(true);
  }
});
