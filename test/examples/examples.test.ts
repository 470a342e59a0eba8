import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
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

interface Violation { ruleName: string; severity?: string; violatingResources?: { resourceLogicalId: string; templatePath: string; locations?: string[] }[]; description?: string }

/**
 * Synthesizes an example as `cdk synth` does (cdk.json's context, strict built-in validation)
 * with the AwsSolutions pack. Returns the templates, or the pack's error findings.
 */
function synthWithNag(entry: ExampleEntry): { templates: Record<string, unknown>; errors: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${entry.name}-`));
  const app = new App({
    outdir,
    treeMetadata: false,
    context: { ...cdkJsonContext(), ...STRICT_VALIDATION_CONTEXT, ...(entry.context ?? {}) },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new DeployChecks());
  const stacks = entry.build(app);
  try {
    const assembly = app.synth();
    const templates: Record<string, unknown> = {};
    for (const stack of stacks) templates[stack.stackName] = assembly.getStackByName(stack.stackName).template;
    return { templates, errors: [] };
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
    return { templates: {}, errors };
  }
}

describe.each(ALL_APPS.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
  let result: { templates: Record<string, unknown>; errors: string[] };
  beforeAll(() => {
    result = synthWithNag(entry);
  });

  test('cdk-nag AwsSolutions, the deploy checks and the strict built-in validation report no error', () => {
    expect(result.errors).toEqual([]);
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
