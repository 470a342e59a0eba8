/**
 * What the CloudFormation registry schemas say about each resource type, for the deploy checks:
 * which property changes replace a resource, what identifies it, which property names it, and
 * whether it is one per account and region. Decoded from schema-facts.generated.ts, which
 * scripts/schema-facts.mjs generates from the schemas the pinned cfn-lint bundles (CI fails when
 * it is stale). Internal: not exported from the package.
 */
import { ENCODED_SCHEMA_FACTS, SCHEMA_SOURCE } from './schema-facts.generated';

export { SCHEMA_SOURCE };

/** One property of a primary identifier. */
export interface IdentifierPart {
  readonly property: string;
  /** Read-only: AWS generates it (an ARN, an id), so the template cannot make two equal. */
  readonly generated: boolean;
}

export interface SchemaFacts {
  readonly type: string;
  /**
   * createOnlyProperties (and conditionalCreateOnlyProperties): a change replaces the resource.
   * Paths split at `/`, `*` for every item of an array: `['AutoScalingGroupProvider', 'AutoScalingGroupArn']`.
   */
  readonly createOnly: readonly (readonly string[])[];
  /** The subset of createOnly that the schema lists as conditional ("may require replacement"). */
  readonly conditional: ReadonlySet<string>;
  readonly primaryIdentifier: readonly IdentifierPart[];
  /**
   * The identifier property that names the resource (the whole identifier is set by the template
   * and replacing), unique within the other identifier properties (`nameScope`).
   */
  readonly name?: string;
  readonly nameScope: readonly string[];
  /** One per account and region: the identifier is the account (or its registry) itself. */
  readonly accountSingleton: boolean;
  /** Its delete handler calls AWS (it has permissions): deleting it resets the account's setting. */
  readonly deleteResets: boolean;
}

const decoded = new Map<string, SchemaFacts | undefined>();

/** The facts of a resource type, or undefined for a type the schemas do not know (Custom::*, a typo). */
export function schemaFacts(type: string): SchemaFacts | undefined {
  if (decoded.has(type)) return decoded.get(type);
  const encoded = Object.prototype.hasOwnProperty.call(ENCODED_SCHEMA_FACTS, type) ? ENCODED_SCHEMA_FACTS[type] : undefined;
  const facts = encoded === undefined ? undefined : decode(type, encoded);
  decoded.set(type, facts);
  return facts;
}

/** Every resource type the schemas describe. */
export function schemaTypes(): string[] {
  return Object.keys(ENCODED_SCHEMA_FACTS);
}

function decode(type: string, encoded: string): SchemaFacts {
  const [createOnly, identifier, name, flags] = encoded.split(';');
  const list = (text: string): string[] => (text === '' ? [] : text.split(','));
  const paths = list(createOnly);
  const primaryIdentifier = list(identifier).map((p) => ({ property: p.replace(/^@/, ''), generated: p.startsWith('@') }));
  return {
    type,
    createOnly: paths.map((p) => p.replace(/^\?/, '').split('/')),
    conditional: new Set(paths.filter((p) => p.startsWith('?')).map((p) => p.slice(1))),
    primaryIdentifier,
    name: name === '' ? undefined : name,
    nameScope: name === '' ? [] : primaryIdentifier.map((p) => p.property).filter((p) => p !== name),
    accountSingleton: flags.includes('A'),
    deleteResets: flags.includes('D'),
  };
}

/**
 * The value at a property path of a resource's Properties: `*` maps over an array's items. An
 * intrinsic function (or any non-object) met before the end of the path stands for everything
 * under it, so a change inside a token still counts as a change of the path.
 */
export function valueAt(properties: unknown, path: readonly string[]): unknown {
  let value: unknown = properties;
  for (let i = 0; i < path.length; i++) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || isIntrinsic(value)) return value;
    if (path[i] === '*') {
      if (!Array.isArray(value)) return value;
      const rest = path.slice(i + 1);
      return value.map((item) => valueAt(item, rest));
    }
    if (Array.isArray(value)) return value;
    value = (value as Record<string, unknown>)[path[i]];
  }
  return value;
}

function isIntrinsic(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}
