import * as fs from 'fs';
import { IConstruct } from 'constructs';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import { failWithText } from '../validation/checks';

/**
 * A Copilot manifest as a tree that remembers where each value was written (file and line), so
 * an error or a warning can send the user to the line to change, also after the
 * `environments.<env>` overrides have been merged in. Internal.
 */
export interface ManifestNode {
  /** The scalar's value (string, number, boolean or null); undefined for a map or a list. */
  readonly scalar?: unknown;
  /** A number or boolean as written (`1.10`, `012`): Copilot reads string fields as text, so `1.10` stays `1.10`. */
  readonly text?: string;
  /** The entries of a map, in the order written. */
  readonly entries?: ReadonlyMap<string, ManifestNode>;
  /** The items of a list. */
  readonly items?: readonly ManifestNode[];
  /** The manifest's path relative to the workspace (`copilot/api/manifest.yml`). */
  readonly file: string;
  /** The 1-based line the value starts on. */
  readonly line: number;
}

/** Where a field is: `copilot/api/manifest.yml:12`. */
export function locationOf(node: Pick<ManifestNode, 'file' | 'line'>): string {
  return `${node.file}:${node.line}`;
}

/**
 * Reads and parses a manifest file. YAML errors fail synth with the file and the line. As in
 * Copilot, `${NAME}` in a string value is replaced by `variables[NAME]` (Copilot's
 * `COPILOT_APPLICATION_NAME` and `COPILOT_ENVIRONMENT_NAME`) or the process's environment
 * variable of that name; an unset one fails synth.
 */
export function readManifestFile(scope: IConstruct, absolutePath: string, relativePath: string, variables: Record<string, string> = {}): ManifestNode {
  const text = fs.readFileSync(absolutePath, 'utf-8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    failWithText(scope, `${relativePath}:${lineOf(error.pos[0])}`, 'is not valid YAML', `(${error.message.split('\n')[0]})`,
      'fix the YAML syntax at that line (Copilot would refuse this manifest too)');
  }
  // A map's value is located at its key, where the user wrote the field (a map or list value starts a line later).
  const convert = (node: unknown, fallbackLine: number, keyLine?: number): ManifestNode => {
    const line = keyLine ?? (node && typeof node === 'object' && 'range' in node && Array.isArray((node as Node).range) ? lineOf((node as Node).range?.[0]) : fallbackLine);
    if (isMap(node)) {
      const entries = new Map<string, ManifestNode>();
      for (const pair of node.items) {
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyLine = isScalar(keyNode) && keyNode.range ? lineOf(keyNode.range[0]) : line;
        entries.set(key, convert(pair.value, keyLine, keyLine));
      }
      return { entries, file: relativePath, line };
    }
    if (isSeq(node)) {
      return { items: node.items.map((item) => convert(item, line)), file: relativePath, line };
    }
    if (isScalar(node)) {
      const value = typeof node.value === 'string' ? node.value.replace(/(\\?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole: string, escape: string, name: string) => {
        // `\${X}` stays as written, without the backslash (Copilot's escape).
        if (escape) return whole.slice(1);
        const replacement = variables[name] ?? process.env[name];
        if (replacement === undefined) {
          failWithText(scope, `${relativePath}:${line}`, JSON.stringify(node.value), `refers to \${${name}}, which is not set`,
            `set the environment variable ${name} before synth, as Copilot would have needed it, or write the value`);
        }
        return replacement;
      }) : node.value;
      const written = typeof node.value === 'number' && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
      return { scalar: value, text: written, file: relativePath, line };
    }
    return { scalar: null, file: relativePath, line };
  };
  const root = convert(doc.contents, 1);
  if (!root.entries) {
    failWithText(scope, `${relativePath}:1`, 'is not a map of fields', '(a Copilot manifest is a YAML map: name, type, …)',
      'write the manifest as Copilot documents it: https://aws.github.io/copilot-cli/docs/manifests/');
  }
  return root;
}

/** True for a value the YAML left empty (`key:` or `key: ~`). */
export function isEmptyNode(node: ManifestNode | undefined): boolean {
  return node === undefined || (node.entries === undefined && node.items === undefined && (node.scalar === null || node.scalar === undefined));
}

/** Maps whose entries an override replaces whole (Go maps of non-pointer values, mergo's map rule). */
const WHOLE_ENTRY_MAPS = new Set(['variables', 'secrets', 'tags', 'image.labels', 'image.depends_on', 'logging.destination', 'logging.secretOptions']);

/** Fields of which an override that sets one clears the others in the manifest (Copilot's "either-or" transformers). */
const EITHER_OR: Record<string, string[][]> = {
  'image': [['build'], ['location']],
  'count': [['spot'], ['range', 'cpu_percentage', 'memory_percentage', 'requests', 'response_time', 'queue_delay']],
};

/**
 * Applies an `environments.<env>` override to a manifest as Copilot does (its `applyEnv`, mergo
 * with override and its transformers): a map merges into a map field by field, anything else (a
 * scalar, a list, a map over a scalar or the other way round, as `count: 2` over
 * `count: {range: …}`) replaces the value whole, and an empty (null) override value leaves the
 * manifest's value as it was. The entries of `variables`, `secrets` and the other maps of plain
 * values are replaced whole, and `image.build` clears `image.location` (and the other way
 * round), as `count.spot` clears the autoscaling fields.
 */
export function mergeOverride(base: ManifestNode | undefined, override: ManifestNode, path = ''): ManifestNode {
  if (isEmptyNode(override)) return base ?? override;
  if (base?.entries && override.entries && !WHOLE_ENTRY_MAPS.has(parentPath(path))) {
    const entries = new Map(base.entries);
    for (const group of EITHER_OR[path] ?? []) {
      if (group.some((key) => !isEmptyNode(override.entries?.get(key)))) {
        for (const other of (EITHER_OR[path] ?? []).filter((g) => g !== group).flat()) entries.delete(other);
      }
    }
    for (const [key, value] of override.entries) {
      entries.set(key, mergeOverride(entries.get(key), value, path === '' ? key : `${path}.${key}`));
    }
    return { entries, file: override.file, line: override.line };
  }
  return override;
}

function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

/** The plain value of a node (maps as objects, lists as arrays), for values passed on as they are. */
export function plainValue(node: ManifestNode): unknown {
  if (node.entries) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of node.entries) out[key] = plainValue(value);
    return out;
  }
  if (node.items) return node.items.map(plainValue);
  return node.scalar;
}
