import { Stack } from 'aws-cdk-lib';
import * as path from 'path';
import { ConfigurationErrors } from '../../lib';
import { mergeOverride, plainValue, readManifestFile } from '../../lib/copilot/manifest-tree';
import { parseGoDuration } from '../../lib/copilot/go-duration';
import { testStack } from '../util/test-app';
import { writeWorkspace, yaml } from './workspace-fixture';

function parse(stack: Stack, text: string, variables: Record<string, string> = {}) {
  const root = writeWorkspace({ 'copilot/api/manifest.yml': text });
  return readManifestFile(stack, path.join(root, 'copilot/api/manifest.yml'), 'copilot/api/manifest.yml', variables);
}

/** The manifest after Copilot's merge of its `environments.prod` section. */
function merged(base: string, override: string): unknown {
  const stack = testStack();
  return plainValue(mergeOverride(parse(stack, base), parse(stack, override)));
}

describe('reading a manifest', () => {
  test('every value remembers its file and line, also inside maps and lists', () => {
    const node = parse(testStack(), yaml('name: api', 'http:', '  path: /', 'command:', '  - node', '  - server.js'));
    expect(node.entries!.get('http')!.entries!.get('path')).toMatchObject({ scalar: '/', file: 'copilot/api/manifest.yml', line: 3 });
    expect(node.entries!.get('command')!.items![1]).toMatchObject({ scalar: 'server.js', line: 6 });
  });

  test('invalid YAML fails synth with the file and the line', () => {
    const stack = testStack();
    expect(() => parse(stack, yaml('name: api', 'http:', '  path: [unclosed'))).toThrow(/copilot\/api\/manifest\.yml:\d+ is not valid YAML/);
  });

  test('a key written twice fails as YAML does for Copilot', () => {
    expect(() => parse(testStack(), yaml('name: api', 'name: web'))).toThrow(/copilot\/api\/manifest\.yml:2 is not valid YAML/);
  });

  test('a manifest that is not a map fails naming the file', () => {
    expect(() => parse(testStack(), yaml('- name: api'))).toThrow(/copilot\/api\/manifest\.yml:1 is not a map of fields/);
  });

  test('${COPILOT_APPLICATION_NAME}-style variables are replaced as Copilot replaces them', () => {
    const node = parse(testStack(), yaml('secrets:', '  DB: /copilot/${COPILOT_APPLICATION_NAME}/${COPILOT_ENVIRONMENT_NAME}/secrets/db'),
      { COPILOT_APPLICATION_NAME: 'shop', COPILOT_ENVIRONMENT_NAME: 'prod' });
    expect(plainValue(node)).toEqual({ secrets: { DB: '/copilot/shop/prod/secrets/db' } });
  });

  test('\\${X} is Copilot\'s escape: the text stays as written, without the backslash', () => {
    const node = parse(testStack(), yaml('variables:', '  TEMPLATE: "\\\\${HOME}/x"'));
    expect(plainValue(node)).toEqual({ variables: { TEMPLATE: '${HOME}/x' } });
  });

  test('an unset variable fails naming it, the file and the line', () => {
    const error = (() => {
      try {
        parse(testStack(), yaml('name: api', 'variables:', '  TAG: ${ESK_TEST_NOT_SET}'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
    expect(String(error)).toMatch(/copilot\/api\/manifest\.yml:3 .*refers to \$\{ESK_TEST_NOT_SET\}, which is not set/);
  });
});

describe('environment overrides merge as Copilot merges them', () => {
  test('maps merge field by field; the override wins where both set a field', () => {
    expect(merged(yaml('http:', '  path: /', '  healthcheck:', '    path: /health', '    interval: 10s'), yaml('http:', '  healthcheck:', '    interval: 5s')))
      .toEqual({ http: { path: '/', healthcheck: { path: '/health', interval: '5s' } } });
  });

  test('lists are replaced whole, never merged by index', () => {
    expect(merged(yaml('command: [node, a.js, --x]'), yaml('command: [node, b.js]'))).toEqual({ command: ['node', 'b.js'] });
  });

  test('a scalar over a map replaces it (count: 2 over an autoscaling range), and a map over a scalar too', () => {
    expect(merged(yaml('count:', '  range: 1-10', '  cpu_percentage: 70'), yaml('count: 2'))).toEqual({ count: 2 });
    expect(merged(yaml('count: 1'), yaml('count:', '  range: 2-4'))).toEqual({ count: { range: '2-4' } });
  });

  test('an empty (null) override value keeps the manifest\'s value: YAML null cannot unset a field', () => {
    expect(merged(yaml('cpu: 512', 'memory: 1024'), yaml('cpu: ~', 'memory: 2048'))).toEqual({ cpu: 512, memory: 2048 });
  });

  test('variables and secrets merge by name and each value is replaced whole', () => {
    expect(merged(yaml('variables:', '  A: 1', '  B: 2', 'secrets:', '  S:', '    secretsmanager: one'), yaml('variables:', '  B: 3', 'secrets:', '  S:', '    from_cfn: Exported')))
      .toEqual({ variables: { A: 1, B: 3 }, secrets: { S: { from_cfn: 'Exported' } } });
  });

  test('image.build in an override clears image.location, and the other way round', () => {
    expect(merged(yaml('image:', '  location: nginx', '  port: 80'), yaml('image:', '  build: Dockerfile'))).toEqual({ image: { build: 'Dockerfile', port: 80 } });
    expect(merged(yaml('image:', '  build: Dockerfile', '  port: 80'), yaml('image:', '  location: nginx'))).toEqual({ image: { location: 'nginx', port: 80 } });
  });

  test('count.spot in an override clears the autoscaling fields, and a range clears spot', () => {
    expect(merged(yaml('count:', '  range: 1-10', '  cpu_percentage: 70'), yaml('count:', '  spot: 2'))).toEqual({ count: { spot: 2 } });
    expect(merged(yaml('count:', '  spot: 2'), yaml('count:', '  range: 1-3'))).toEqual({ count: { range: '1-3' } });
  });
});

describe('Go durations', () => {
  test.each([['30s', 30], ['1h30m', 5400], ['250ms', 0.25], ['1.5h', 5400], ['0', 0], ['96h', 345600]])('%s is %d s', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds);
  });

  test.each(['30', '1d', 'h', '10 s', ''])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
