/**
 * The inventory of manifest fields that AWS Copilot's docs document (lib/copilot/
 * documented-fields.generated.ts, by scripts/copilot-fields.ts): the kinds CopilotApplication
 * reads are there, every path is clean and once per kind, and known fields carry their anchors.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  COPILOT_DOCS_COMMIT,
  COPILOT_DOCUMENTED_FIELDS,
  COPILOT_ENVIRONMENTS_OVERRIDE_DOC,
  COPILOT_MANIFEST_KINDS,
  COPILOT_SIDECAR_FIELDS,
  CopilotDocumentedField,
  copilotTypeForms,
  isMultiForm,
} from '../../lib/copilot/documented-fields.generated';

const ROOT = path.join(__dirname, '..', '..');
const MANIFEST = 'https://aws.github.io/copilot-cli/docs/manifest';

function field(kind: string, fieldPath: string): CopilotDocumentedField | undefined {
  return COPILOT_DOCUMENTED_FIELDS[kind]?.find((f) => f.path === fieldPath);
}

const ALL: ReadonlyArray<readonly [string, readonly CopilotDocumentedField[]]> = [
  ...Object.entries(COPILOT_DOCUMENTED_FIELDS),
  ['sidecars', COPILOT_SIDECAR_FIELDS],
];

test('the table has the four workload kinds, Environment, and the two other kinds', () => {
  expect(Object.keys(COPILOT_DOCUMENTED_FIELDS)).toEqual([...COPILOT_MANIFEST_KINDS]);
  expect(COPILOT_MANIFEST_KINDS).toEqual(expect.arrayContaining([
    'Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job', 'Environment',
    'Request-Driven Web Service', 'Static Site',
  ]));
  for (const kind of COPILOT_MANIFEST_KINDS) {
    expect(COPILOT_DOCUMENTED_FIELDS[kind].length).toBeGreaterThan(10);
  }
  expect(COPILOT_DOCS_COMMIT).toMatch(/^[0-9a-f]{40}$/);
});

test.each(ALL)('%s: every path once, in the path notation, with a type and an anchor', (_kind, fields) => {
  const paths = fields.map((f) => f.path);
  expect(new Set(paths).size).toBe(paths.length);
  for (const f of fields) {
    // keys as YAML writes them, `*` for a key the user names; no HTML, markdown or placeholder left
    expect(f.path).toMatch(/^(\*|[a-z][A-Za-z0-9_]*)(\.(\*|[a-z][A-Za-z0-9_]*))*$/);
    expect(f.docType).not.toMatch(/[<>`\\]/);
    expect(f.docType).not.toBe('');
    expect(f.url).toMatch(/^https:\/\/aws\.github\.io\/copilot-cli\/docs\/(manifest|developing)\/[a-z-]+\/#[A-Za-z0-9_-]+$/);
  }
});

test.each([
  ['Worker Service', 'subscribe.queue.dead_letter.tries', 'Integer', `${MANIFEST}/worker-service/#subscribe-queue-dead-letter-tries`],
  // the docs' `subscribe.topics.topic.name`: array items add no segment
  ['Worker Service', 'subscribe.topics.name', 'String', `${MANIFEST}/worker-service/#topic-name`],
  ['Load Balanced Web Service', 'http.healthcheck.path', 'String', `${MANIFEST}/lb-web-service/#http-healthcheck-path`],
  ['Load Balanced Web Service', 'count', 'Integer or Map', `${MANIFEST}/lb-web-service/#count`],
  ['Load Balanced Web Service', 'http', 'Boolean or Map', `${MANIFEST}/lb-web-service/#http`],
  ['Load Balanced Web Service', 'storage.volumes.*.efs.id', 'String', `${MANIFEST}/lb-web-service/#id`],
  ['Backend Service', 'image.build', 'String or Map', `${MANIFEST}/backend-service/#image-build`],
  ['Scheduled Job', 'on.schedule', 'String', `${MANIFEST}/scheduled-job/#on-schedule`],
  ['Environment', 'network.vpc.cidr', 'String', `${MANIFEST}/environment/#network-vpc-cidr`],
  // the docs' `network.vpc.subnets.<type>.id`
  ['Environment', 'network.vpc.subnets.*.id', 'String', `${MANIFEST}/environment/#network-vpc-subnets-id`],
])('%s documents %s (%s) at its anchor', (kind, fieldPath, docType, url) => {
  expect(field(kind, fieldPath)).toEqual({ path: fieldPath, docType, url });
});

test('fields in includes are listed for every page that includes them, with that page\'s anchor', () => {
  for (const [kind, page] of [['Load Balanced Web Service', 'lb-web-service'], ['Backend Service', 'backend-service'], ['Worker Service', 'worker-service']]) {
    expect(field(kind, 'environments')?.url).toBe(`${MANIFEST}/${page}/#environments`);
    expect(field(kind, 'taskdef_overrides.path')).toBeDefined();
    expect(field(kind, 'network.vpc.security_groups.deny_default')).toBeDefined();
  }
  expect(field('Environment', 'environments')).toBeUndefined();
});

test('sidecar fields sit under sidecars.* with the sidecars page\'s anchors', () => {
  expect(COPILOT_SIDECAR_FIELDS.find((f) => f.path === 'sidecars.*.port')).toEqual({
    path: 'sidecars.*.port', docType: 'Integer', url: 'https://aws.github.io/copilot-cli/docs/developing/sidecars/#port',
  });
  expect(COPILOT_SIDECAR_FIELDS.every((f) => f.path.startsWith('sidecars.*.'))).toBe(true);
});

test('the type string tells the forms a field accepts', () => {
  expect(copilotTypeForms('Integer or Map')).toEqual(['Integer', 'Map']);
  expect(copilotTypeForms('Map of String and String or Array of Strings')).toEqual(['Map of String and String', 'Array of Strings']);
  expect(isMultiForm(field('Worker Service', 'count')!.docType)).toBe(true);
  expect(isMultiForm(field('Load Balanced Web Service', 'http.healthcheck')!.docType)).toBe(true);
  expect(isMultiForm(field('Scheduled Job', 'on.schedule')!.docType)).toBe(false);
  expect(COPILOT_ENVIRONMENTS_OVERRIDE_DOC).toMatch(/override any value in your manifest/);
});

// Needs a copilot-cli clone: COPILOT_CLI_GIT_DIR=<its git dir> npx jest test/copilot
const GIT_DIR = process.env.COPILOT_CLI_GIT_DIR;
(GIT_DIR !== undefined && fs.existsSync(GIT_DIR) ? test : test.skip)(
  'the committed table is what the docs at its commit give (scripts/copilot-fields.ts --check)', () => {
    expect(() => execFileSync(
      'node', ['--import', 'tsx', 'scripts/copilot-fields.ts', '--check', GIT_DIR!, COPILOT_DOCS_COMMIT],
      { cwd: ROOT, stdio: 'pipe' },
    )).not.toThrow();
  }, 60_000);
