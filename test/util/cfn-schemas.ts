import * as fs from 'fs';
import * as path from 'path';

/**
 * The CloudFormation resource provider schemas that cfn-lint bundles (scripts/venv.sh installs
 * it into .venv). Tests read createOnlyProperties and primaryIdentifier from them rather than
 * from memory; without the venv those tests are skipped (`describeWithSchemas`).
 */
const VENV_LIB = path.join(__dirname, '..', '..', '.venv', 'lib');
const PYTHON_DIR = fs.existsSync(VENV_LIB) ? fs.readdirSync(VENV_LIB).find((d) => d.startsWith('python3')) : undefined;
const SCHEMAS = path.join(VENV_LIB, PYTHON_DIR ?? 'python3', 'site-packages', 'cfnlint', 'data', 'schemas');
const INDEX = path.join(SCHEMAS, 'providers', 'us-east-1.json');

/** Whether the bundled schemas are there. */
export const HAVE_SCHEMAS = fs.existsSync(INDEX);

/** What a test needs from one resource type's schema; property names are top-level names. */
export interface ResourceSchemaFacts {
  /** Top-level properties a change of which replaces the resource (create-only, also conditionally). */
  readonly createOnly: string[];
  /** The properties that identify the resource in its account and region. */
  readonly primaryIdentifier: string[];
  /** Required top-level properties. */
  readonly required: string[];
}

/** Reads one resource type's facts from the bundled schema. */
export function schemaFacts(type: string): ResourceSchemaFacts {
  const index = JSON.parse(fs.readFileSync(INDEX, 'utf-8'));
  if (!index[type]) throw new Error(`no schema for ${type}`);
  const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'resources', `${index[type]}.json`), 'utf-8'));
  const top = (pointers: string[] | undefined) => [...new Set((pointers ?? []).map((p) => p.split('/')[2]))];
  return {
    createOnly: top([...(schema.createOnlyProperties ?? []), ...(schema.conditionalCreateOnlyProperties ?? [])]),
    primaryIdentifier: top(schema.primaryIdentifier),
    required: schema.required ?? [],
  };
}

/** `describe` when the schemas are there, `describe.skip` otherwise. */
export const describeWithSchemas = HAVE_SCHEMAS ? describe : describe.skip;
