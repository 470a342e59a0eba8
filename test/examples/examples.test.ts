import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ALL_APPS, cdkJsonContext, ExampleEntry } from '../../examples';
import { normalizeTemplate } from '../util/normalize';
import { STRICT_VALIDATION_CONTEXT } from '../util/test-app';

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
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
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

  test('cdk-nag AwsSolutions and the strict built-in validation report no error', () => {
    expect(result.errors).toEqual([]);
  });

  test('templates match the snapshot (logical ids are public API)', () => {
    const names = Object.keys(result.templates);
    expect(names.length).toBeGreaterThan(0);
    for (const stackName of names) {
      expect(JSON.stringify(normalizeTemplate(result.templates[stackName]), null, 1)).toMatchSnapshot(`${name} ${stackName}`);
    }
  });
});
