/**
 * Precision measured, not assumed: every rule of the pack on templates in the shapes other
 * libraries generate (test/deploy-checks/corpus, provenance in expected.json), each with the
 * exact findings it must give. A finding not listed is a false alarm; a listed one missing, a miss.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEPLOY_CHECK_RULES } from '../../lib/deploy-checks/pack';
import { CfnTemplate, StackTemplate } from '../../lib/deploy-checks/rule';

const CORPUS = path.join(__dirname, 'corpus');
interface CorpusApp { readonly templates: string[]; readonly source: string; readonly findings: string[] }
const { apps } = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected.json'), 'utf-8')) as { apps: CorpusApp[] };

function findingsOf(app: CorpusApp): { text: string; severity: string }[] {
  const stacks: StackTemplate[] = app.templates.map((file) => ({
    templatePath: `/corpus/${file}`, template: JSON.parse(fs.readFileSync(path.join(CORPUS, file), 'utf-8')) as CfnTemplate,
    account: '111111111111', region: 'us-east-1',
  }));
  return DEPLOY_CHECK_RULES.flatMap((rule) => rule.check(stacks).map((f) => ({ text: `${rule.id} ${f.logicalId}`, severity: rule.severity })));
}

describe.each(apps.map((app) => [app.templates.join(' + '), app] as const))('%s', (_name, app) => {
  test('gives exactly the expected findings', () => {
    expect(findingsOf(app).map((f) => f.text).sort()).toEqual([...app.findings].sort());
  });
});

test('no false errors across the corpus, and every template in it is checked', () => {
  const errors = apps.flatMap((app) => findingsOf(app).filter((f) => f.severity === 'error' && !app.findings.includes(f.text)).map((f) => `${app.templates.join('+')}: ${f.text}`));
  expect(errors).toEqual([]);
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.json') && f !== 'expected.json').sort();
  expect([...new Set(apps.flatMap((a) => a.templates))].sort()).toEqual(files);
});

test('the update rules find nothing when a corpus app is deployed over itself', () => {
  for (const app of apps) {
    const templates = Object.fromEntries(app.templates.map((file) => [file.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(CORPUS, file), 'utf-8'))]));
    const stacks: StackTemplate[] = Object.entries(templates).map(([key, template]) => ({ templatePath: `/corpus/${key}.template.json`, template, account: '111111111111', region: 'us-east-1' }));
    const previous = { templates, templatePaths: Object.fromEntries(Object.keys(templates).map((k) => [k, `/deployed/${k}.template.json`])) };
    const findings = DEPLOY_CHECK_RULES.filter((r) => r.id.startsWith('ESK-UPD')).flatMap((r) => r.check(stacks, previous).map((f) => `${r.id} ${f.logicalId}`));
    expect([app.templates.join('+'), findings]).toEqual([app.templates.join('+'), []]);
  }
});
