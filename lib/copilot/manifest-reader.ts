import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { failWithText, formatValue } from '../validation/checks';
import { parseGoDuration } from './go-duration';
import { isEmptyNode, locationOf, ManifestNode, plainValue } from './manifest-tree';

/** A manifest field the mapping did not read: where it is and its path (`http.stickiness`). */
export interface UnreadField {
  readonly path: string;
  readonly node: ManifestNode;
}

/**
 * Reads one workload's manifest (after its environment's overrides) for the mapping, and
 * remembers every field it read, so that what it did not read can be reported by name: nothing
 * in a manifest is dropped silently. Every getter fails synth with the file, the line, the field
 * and what Copilot allows when a value has the wrong form. Internal.
 */
export class ManifestReader {
  private readonly read = new Set<string>();

  constructor(private readonly scope: IConstruct, public readonly root: ManifestNode) {}

  /** The manifest's path in the workspace. */
  public get file(): string {
    return this.root.file;
  }

  /** The node at a dotted path (`http.healthcheck.path`), without marking it read. */
  public peek(path: string): ManifestNode | undefined {
    let node: ManifestNode | undefined = this.root;
    for (const key of path.split('.')) {
      node = node?.entries?.get(key);
      if (node === undefined) return undefined;
    }
    return isEmptyNode(node) ? undefined : node;
  }

  /** Whether the manifest sets the field. */
  public has(path: string): boolean {
    return this.peek(path) !== undefined;
  }

  /** Marks a field (and everything under it) as mapped and returns its node. */
  public take(path: string): ManifestNode | undefined {
    const node = this.peek(path);
    this.read.add(path);
    return node;
  }

  public string(path: string): string | undefined {
    const node = this.take(path);
    if (node === undefined) return undefined;
    if (node.scalar === undefined || node.scalar === null || typeof node.scalar === 'object') this.fail(path, node, 'is not a string', 'write a string');
    return node.text ?? String(node.scalar);
  }

  public number(path: string, options: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    const node = this.take(path);
    if (node === undefined) return undefined;
    const value = typeof node.scalar === 'number' ? node.scalar : typeof node.scalar === 'string' && /^-?\d+(\.\d+)?$/.test(node.scalar) ? Number(node.scalar) : NaN;
    const integer = options.integer ?? true;
    if (Number.isNaN(value) || (integer && !Number.isInteger(value))) this.fail(path, node, `is not ${integer ? 'an integer' : 'a number'}`, `write ${integer ? 'an integer' : 'a number'}`);
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      this.fail(path, node, 'is out of range', `use ${options.min ?? '-∞'} to ${options.max ?? '∞'}`);
    }
    return value;
  }

  public boolean(path: string): boolean | undefined {
    const node = this.take(path);
    if (node === undefined) return undefined;
    if (typeof node.scalar !== 'boolean') this.fail(path, node, 'is not a boolean', 'write true or false');
    return node.scalar;
  }

  /** A Go duration as Copilot writes them (`30s`, `1h30m`, `250ms`). */
  public duration(path: string): Duration | undefined {
    const text = this.string(path);
    if (text === undefined) return undefined;
    const seconds = parseGoDuration(text);
    if (seconds === undefined) this.fail(path, this.peek(path), 'is not a duration', 'write a Go duration such as 30s, 5m or 1h30m');
    return Duration.millis(Math.round(seconds * 1000));
  }

  /** A string or a list of strings (Copilot's `command`, `entrypoint`, `alias`…), as a list. */
  public stringList(path: string): string[] | undefined {
    const node = this.take(path);
    if (node === undefined) return undefined;
    if (node.items) {
      return node.items.map((item, i) => {
        if (item.scalar === null || item.scalar === undefined || typeof item.scalar === 'object') this.fail(`${path}[${i}]`, item, 'is not a string', 'write a list of strings');
        return item.text ?? String(item.scalar);
      });
    }
    return [this.string(path)!];
  }

  /** A map of names to scalar values (`variables`), as strings. */
  public stringMap(path: string): Record<string, string> | undefined {
    const node = this.take(path);
    if (node === undefined) return undefined;
    if (!node.entries) this.fail(path, node, 'is not a map', 'write a map of names to values');
    const out: Record<string, string> = {};
    for (const [key, value] of node.entries) {
      if (value.entries || value.items) this.fail(`${path}.${key}`, value, 'is not a scalar value', 'write a string, a number or a boolean');
      out[key] = value.scalar === null || value.scalar === undefined ? '' : value.text ?? String(value.scalar);
    }
    return out;
  }

  /** The keys of a map field, without marking anything read. */
  public keys(path: string): string[] {
    const node = this.peek(path);
    if (node === undefined) return [];
    if (!node.entries) this.fail(path, node, 'is not a map', 'write a map');
    return [...node.entries.keys()];
  }

  /** Fails synth naming the file, the line, the field and what Copilot allows. */
  public fail(path: string, node: ManifestNode | undefined, problem: string, allowed: string): never {
    const where = locationOf(node ?? this.root);
    const value = node === undefined ? 'undefined' : formatValue(plainValue(node));
    return failWithText(this.scope, `${where} ${path}`, value, problem, allowed);
  }

  /**
   * The fields the mapping did not read: the highest node under which nothing was read, so an
   * unmapped section is reported once, not leaf by leaf.
   */
  public unread(): UnreadField[] {
    const out: UnreadField[] = [];
    const visit = (node: ManifestNode, path: string) => {
      if (path !== '' && this.read.has(path)) return;
      const anyReadBelow = path === '' || [...this.read].some((p) => p.startsWith(path + '.'));
      if (!anyReadBelow) {
        if (!isEmptyNode(node)) out.push({ path, node });
        return;
      }
      // List items add no segment to a path (`http.alias.name`), as in Copilot's docs.
      for (const item of node.items ?? []) visit(item, path);
      for (const [key, child] of node.entries ?? []) visit(child, path === '' ? key : `${path}.${key}`);
    };
    visit(this.root, '');
    return out;
  }
}
