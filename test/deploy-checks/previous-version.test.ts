/**
 * DeployChecks with `previousVersion`: the update rules (ESK-UPD*) compare the app with the
 * templates of the version deployed now, as a user's CI does with the cdk.out of its last deploy.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { DeployChecks } from '../../lib';
import { AppVersion, buildVersion, FAST_CONTEXT } from '../update/update-app';

interface ReportViolation {
  ruleName: string;
  severity?: string;
  description: string;
  violatingConstructs: { constructPath: string; cloudFormationResource?: { logicalId: string } }[];
}

const ROUTES = (ids: string[], priorities?: number[]): AppVersion => ({
  services: ids.map((id, i) => ({ id, paths: [`/${id.toLowerCase()}/*`], priority: priorities?.[i] })),
});

/** Synthesizes `version` into a new cdk.out; with `previous`, under DeployChecks({ previousVersion }). */
function synth(
  version: AppVersion, previous?: string, configure?: (app: App) => void, context: Record<string, unknown> = {},
): { outdir: string; violations: ReportViolation[]; error?: Error } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'previous-version-'));
  const app = new App({ outdir, treeMetadata: false, builtinCloudFormationValidation: false, context: { ...FAST_CONTEXT, ...context } });
  // The rules that read one version are the examples test's business; here only the update rules.
  const oneVersionRules = DeployChecks.ALL_RULE_IDS.filter((id) => !id.startsWith('ESK-UPD'));
  Validations.of(app).addPlugins(new DeployChecks({ skipRules: oneVersionRules, previousVersion: previous }));
  buildVersion(app, version);
  configure?.(app);
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  }
  const reportFile = path.join(outdir, 'validation-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : {};
  const violations = (report.pluginReports ?? [])
    .filter((r: any) => (r.pluginName ?? r.summary?.pluginName) === DeployChecks.PLUGIN_NAME)
    .flatMap((r: any) => r.violations ?? []);
  return { outdir, violations, error };
}

describe('DeployChecks previousVersion: the update rules', () => {
  test('removing a route under the old sequential priorities (10, 20, 30) fails the synth with ESK-UPD1', () => {
    // GIVEN version N deployed with explicit 10/20/30
    const deployed = synth(ROUTES(['Api', 'Admin', 'Docs'], [10, 20, 30]));
    expect(deployed.error).toBeUndefined();
    // WHEN version N+1 drops Api and renumbers the others
    const next = synth(ROUTES(['Admin', 'Docs'], [10, 20]), deployed.outdir);
    // THEN PriorityInUse is named for both rules that move, and the synth fails
    expect(next.error?.message).toMatch(/ESK-UPD1/);
    const upd1 = next.violations.filter((v) => v.ruleName === 'ESK-UPD1');
    expect(upd1.map((v) => v.severity)).toEqual(expect.arrayContaining(['error']));
    expect(upd1.flatMap((v) => v.violatingConstructs.map((c) => c.constructPath)).sort())
      .toEqual(['UpdateApp/Admin/ListenerRule/Resource', 'UpdateApp/Docs/ListenerRule/Resource']);
    expect(upd1.map((v) => v.description).join('\n')).toMatch(/priority-in-use: takes priority 10 from .*ApiListenerRule/);
  });

  test('the same change with automatic priorities passes: the rules that stay keep theirs', () => {
    const deployed = synth(ROUTES(['Api', 'Admin', 'Docs']));
    const next = synth(ROUTES(['Admin', 'Docs']), deployed.outdir);
    expect(next.error).toBeUndefined();
    // Api's retained log group leaves the stack: reported, as a warning, on the stack (its construct is gone).
    expect(next.violations.map((v) => `${v.ruleName} ${v.severity}`)).toEqual(['ESK-UPD6 warning']);
    expect(next.violations[0].description).toMatch(/retained-orphaned/);
    expect(next.violations[0].violatingConstructs[0]).toMatchObject({ constructPath: 'UpdateApp', cloudFormationResource: { logicalId: expect.stringMatching(/^ApiTaskLogs/) } });
  });

  test('a removed resource is named by the construct path it had, when the deployed template recorded it', () => {
    // GIVEN both versions synthesized as the CLI does, with aws:cdk:path metadata
    const withPaths = { 'aws:cdk:enable-path-metadata': true };
    const deployed = synth(ROUTES(['Api', 'Admin']), undefined, undefined, withPaths);
    const next = synth(ROUTES(['Admin']), deployed.outdir, undefined, withPaths);
    // THEN the orphaned log group is named where it was
    const upd6 = next.violations.find((v) => v.ruleName === 'ESK-UPD6')!;
    expect(upd6.violatingConstructs[0].constructPath).toBe('UpdateApp/Api/Task/Logs/Resource');
  });

  test('renaming a service construct is named: the service is replaced (ESK-UPD7), its retained log group orphaned (ESK-UPD6)', () => {
    const deployed = synth(ROUTES(['Api']));
    const next = synth(ROUTES(['Backend']), deployed.outdir);
    const rules = next.violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['ESK-UPD6', 'ESK-UPD7']));
    const upd7 = next.violations.find((v) => v.ruleName === 'ESK-UPD7')!;
    expect(upd7.violatingConstructs[0].constructPath).toBe('UpdateApp/Backend/Service/Service');
    expect(upd7.description).toMatch(/looks like ApiService.* renamed or moved/);
  });

  test('a finding is acknowledged like any other, with its reason', () => {
    const deployed = synth(ROUTES(['Api']));
    const next = synth(ROUTES(['Backend']), deployed.outdir, (app) => {
      Validations.of(app.node.findChild('UpdateApp')).acknowledge(
        { id: `${DeployChecks.PLUGIN_NAME}::ESK-UPD7`, reason: 'The rename is intended; the old service drains in cleanup.' },
        { id: `${DeployChecks.PLUGIN_NAME}::ESK-UPD6`, reason: 'The old log group is deleted by hand after the release.' },
      );
    });
    expect(next.error).toBeUndefined();
    expect(next.violations).toEqual([]);
  });

  test('without previousVersion the update rules find nothing', () => {
    const plugin = new DeployChecks();
    expect(plugin.ruleIds).toEqual(expect.arrayContaining(['ESK-UPD1', 'ESK-UPD7']));
    const next = synth(ROUTES(['Admin', 'Docs'], [10, 20]));
    expect(next.violations).toEqual([]);
  });

  test('a previousVersion that is not a directory of templates is refused by name', () => {
    expect(() => new DeployChecks({ previousVersion: '/no/such/dir' }))
      .toThrow(/^DeployChecks: previousVersion "\/no\/such\/dir" is not a directory .*; give the directory of the deployed version's templates/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'previous-version-empty-'));
    expect(() => new DeployChecks({ previousVersion: empty })).toThrow(/previousVersion .* holds no \*\.template\.json/);
  });
});
