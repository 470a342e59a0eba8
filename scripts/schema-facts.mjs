#!/usr/bin/env node
/**
 * Generates lib/deploy-checks/schema-facts.generated.ts from the CloudFormation registry schemas
 * that the pinned cfn-lint (requirements-dev.txt) bundles in the venv (scripts/venv.sh), offline:
 * for every resource type of us-east-1, the create-only properties, the primary identifier, the
 * property that is its physical name, and whether it is one per account and region.
 *
 *   node scripts/schema-facts.mjs            rewrite the generated file
 *   node scripts/schema-facts.mjs --check    exit 1 when the file differs from the schemas (CI)
 *   env SCHEMAS_DIR=<cfnlint/data/schemas>   read the schemas from there instead of .venv
 *
 * One line per type, `createOnly;primaryIdentifier;name;flags` (decoded by schema-facts.ts):
 * - createOnly: createOnlyProperties in the schema's order, comma-separated, `/properties/` dropped, nested paths with
 *   `/` and `*` for array items; `?` marks conditionalCreateOnlyProperties. A nested path whose
 *   object has only create-only properties is collapsed to that object.
 * - primaryIdentifier: its properties; `@` marks one that is read-only (AWS generates it).
 * - name: the identifier property that names the resource (see physicalName below), or empty.
 * - flags: `A` one per account and region (see accountSingleton below); `D` its delete handler
 *   calls an API (it has permissions), so deleting the resource changes the account's setting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'lib', 'deploy-checks', 'schema-facts.generated.ts');
const REGION = 'us-east-1';

/** Account-level settings whose schema identifier is not the account id, by their schema's own words. */
const SINGLETONS_BY_DESCRIPTION = {
  // "you should only have one AWS::ApiGateway::Account resource per region per account" (its schema description)
  'AWS::ApiGateway::Account': /only have one .*per region per account/,
};

/** The identifier properties that name the account (or its registry) itself. */
const ACCOUNT_ID_PROPERTIES = new Set(['AccountId', 'AwsAccountId', 'RegistryId']);

function schemasDir() {
  if (process.env.SCHEMAS_DIR) return process.env.SCHEMAS_DIR;
  const lib = path.join(ROOT, '.venv', 'lib');
  const python = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith('python3')) : undefined;
  const dir = python && path.join(lib, python, 'site-packages', 'cfnlint', 'data', 'schemas');
  if (!dir || !fs.existsSync(path.join(dir, 'providers', `${REGION}.json`))) {
    throw new Error('cfn-lint schemas not found: run bash scripts/venv.sh first (or set SCHEMAS_DIR)');
  }
  return dir;
}

function cfnLintVersion(dir) {
  const sitePackages = path.resolve(dir, '..', '..', '..');
  const info = fs.readdirSync(sitePackages).find((d) => /^cfn_lint-.*\.dist-info$/.test(d));
  return info ? info.replace(/^cfn_lint-/, '').replace(/\.dist-info$/, '') : 'unknown';
}

const strip = (p) => p.replace(/^\/properties\//, '');

/** The schema of a property path (`A/B`), following `$ref`s into `definitions`; undefined past an array or a union. */
function propertySchema(schema, segments) {
  let node = { properties: schema.properties };
  for (const segment of segments) {
    while (node && node.$ref) node = schema.definitions?.[node.$ref.replace(/^#\/definitions\//, '')];
    node = node?.properties?.[segment];
  }
  while (node && node.$ref) node = schema.definitions?.[node.$ref.replace(/^#\/definitions\//, '')];
  return node;
}

/**
 * Create-only paths, collapsed: `A/B` and `A/C` become `A` when B and C are every property of A
 * (a change anywhere in A then replaces the resource), so the common case reads as one property.
 */
function createOnlyPaths(schema) {
  const plain = (schema.createOnlyProperties ?? []).map(strip);
  const conditional = (schema.conditionalCreateOnlyProperties ?? []).map(strip).filter((p) => !plain.includes(p));
  const collapse = (paths) => {
    let out = [...new Set(paths)];
    for (let changed = true; changed;) {
      changed = false;
      const parents = new Set(out.filter((p) => p.includes('/') && !p.endsWith('/*')).map((p) => p.slice(0, p.lastIndexOf('/'))));
      for (const parent of parents) {
        if (parent.endsWith('*')) continue;
        const children = Object.keys(propertySchema(schema, parent.split('/'))?.properties ?? {});
        if (children.length === 0 || !children.every((c) => out.includes(`${parent}/${c}`))) continue;
        // The parent takes its first child's place: the schema's order is kept.
        const at = out.findIndex((p) => p.startsWith(`${parent}/`));
        out = [...out.slice(0, at), parent, ...out.slice(at)].filter((p) => !p.startsWith(`${parent}/`));
        changed = true;
      }
    }
    // A path under a create-only parent adds nothing.
    out = [...new Set(out)];
    return out.filter((p) => !out.some((q) => q !== p && p.startsWith(`${q}/`)));
  };
  return [...collapse(plain), ...collapse(conditional).filter((p) => !plain.includes(p)).map((p) => `?${p}`)];
}

/**
 * The property that names the resource, when the template sets the whole primary identifier (no
 * part of it is read-only) and a change of it replaces the resource: then two resources, or a
 * replacement and the resource it replaces, with the same value collide ("already exists").
 * - One property: it is the name (AlarmName, RepositoryName, FunctionName, EcrRepositoryPrefix,
 *   a capacity provider's Name).
 * - Several: the one called `Name` or `<X>Name` (X ending the type's name: LifecycleHookName of
 *   an AutoScaling LifecycleHook), unique within the others (schema-facts.ts: its scope); none
 *   when no single property reads as the name.
 * A name AWS turns into a generated identifier (an SQS QueueName into a QueueUrl) is not derivable
 * this way: schemas do not say in what it is unique. physical-names.ts lists those by hand.
 */
function physicalName(type, schema, createOnly, readOnly) {
  const identifier = (schema.primaryIdentifier ?? []).map(strip);
  const topLevelCreateOnly = new Set(createOnly.filter((p) => !p.startsWith('?')).map((p) => p.split('/')[0]));
  if (identifier.length === 0 || identifier.some((p) => p.includes('/') || readOnly.has(p) || !topLevelCreateOnly.has(p))) return '';
  if (identifier.length === 1) return identifier[0];
  const resource = type.split('::')[2];
  const named = identifier.filter((p) => {
    if (p === 'Name') return true;
    const m = /^(.+)Name$/.exec(p);
    return m !== null && resource.endsWith(m[1]);
  });
  return named.length === 1 ? named[0] : '';
}

/**
 * One per account and region: the primary identifier is read-only and is the account itself
 * (AccountId, AwsAccountId, or an ECR RegistryId, which is the account id; with Region beside it
 * when the schema lists it), so a second resource of the type has the same identifier as the
 * first. AWS::Organizations::Account is the exception: its AccountId is the new account's.
 * Plus SINGLETONS_BY_DESCRIPTION, whose schemas say so in words.
 */
function accountSingleton(type, schema, readOnly) {
  const byWords = SINGLETONS_BY_DESCRIPTION[type];
  if (byWords) return byWords.test(schema.description ?? '');
  if (type === 'AWS::Organizations::Account') return false;
  const identifier = (schema.primaryIdentifier ?? []).map(strip);
  return identifier.length > 0 && identifier.every((p) => readOnly.has(p) && (ACCOUNT_ID_PROPERTIES.has(p) || p === 'Region'))
    && identifier.some((p) => ACCOUNT_ID_PROPERTIES.has(p));
}

export function generate(dir = schemasDir()) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'providers', `${REGION}.json`), 'utf-8'));
  const date = JSON.parse(fs.readFileSync(path.join(dir, 'version.json'), 'utf-8')).schema_date ?? 'unknown';
  const lines = [];
  for (const type of Object.keys(index).sort()) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, 'resources', `${index[type]}.json`), 'utf-8'));
    const readOnly = new Set((schema.readOnlyProperties ?? []).map(strip));
    const createOnly = createOnlyPaths(schema);
    const identifier = (schema.primaryIdentifier ?? []).map(strip).map((p) => (readOnly.has(p) ? `@${p}` : p));
    const singleton = accountSingleton(type, schema, readOnly);
    // A delete that only reads (AWS::ApiGateway::Account: apigateway:GET) leaves the setting as it is.
    const deletes = singleton && (schema.handlers?.delete?.permissions ?? []).some((action) => !/:(Get|Describe|List)[A-Za-z]*$|:GET$/.test(action));
    const fields = [createOnly.join(','), identifier.join(','), physicalName(type, schema, createOnly, readOnly), `${singleton ? 'A' : ''}${deletes ? 'D' : ''}`];
    for (const f of fields) if (/[;'\\\n]/.test(f)) throw new Error(`${type}: a field holds a separator: ${f}`);
    lines.push(`  '${type}': '${fields.join(';')}',`);
  }
  return [
    '// Generated by scripts/schema-facts.mjs from the CloudFormation registry schemas bundled with',
    `// cfn-lint ${cfnLintVersion(dir)} (${REGION}, schema date ${date}). Do not edit: run \`node scripts/schema-facts.mjs\`.`,
    '// Format: `createOnly;primaryIdentifier;name;flags` (see scripts/schema-facts.mjs and schema-facts.ts).',
    '',
    `export const SCHEMA_SOURCE = 'cfn-lint ${cfnLintVersion(dir)}, ${REGION}, schema date ${date}';`,
    '',
    '/** Facts per resource type, encoded; read them through schema-facts.ts. */',
    'export const ENCODED_SCHEMA_FACTS: { readonly [type: string]: string } = {',
    ...lines,
    '};',
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf-8') : '';
    if (current !== text) {
      console.error(`${path.relative(ROOT, OUT)} is stale: run node scripts/schema-facts.mjs and commit it`);
      process.exit(1);
    }
    console.log(`${path.relative(ROOT, OUT)} matches the schemas`);
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${path.relative(ROOT, OUT)} (${text.length} bytes, ${text.split('\n').length} lines)`);
  }
}
