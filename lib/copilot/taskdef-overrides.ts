import { CfnResource, Stack } from 'aws-cdk-lib';
import { ManifestReader } from './manifest-reader';
import { plainValue } from './manifest-tree';

/** A path segment of Copilot's override rules: `key`, `key[2]`, or `key[-]` to append (its `override/rule.go`). */
const SEGMENT = /^([a-zA-Z0-9_-]+)(?:\[(\d+|-)\])?$/;
/** What Copilot refuses to override: the family and the containers' names, which its stacks refer to. */
const REFUSED = [/^Family$/, /^ContainerDefinitions\[\d+\]\.Name$/];

/**
 * Applies `taskdef_overrides` as Copilot does: each `{path, value}` sets the value at `path` in
 * the task definition's CloudFormation properties (PascalCase, `.` between keys, `[n]` an index,
 * `[-]` appends), creating missing maps, after the task definition is built. The containers are
 * in this library's order: the main container first, then the sidecars in the manifest's order.
 */
export function applyTaskDefOverrides(reader: ManifestReader, taskDefinition: CfnResource): void {
  const node = reader.take('taskdef_overrides');
  if (node === undefined) return;
  if (!node.items) reader.fail('taskdef_overrides', node, 'is not a list', 'write a list of {path, value}');
  const appended = new Map<string, number>();
  // Lists the task definition does not have yet: an override by index would make a map
  // ({"0": …}), so they are built here and set whole.
  const started = new Map<string, unknown[]>();
  node.items.forEach((rule, i) => {
    const at = `taskdef_overrides[${i}]`;
    const rulePath = rule.entries?.get('path')?.scalar;
    const value = rule.entries?.get('value');
    if (typeof rulePath !== 'string' || value === undefined) reader.fail(at, rule, 'is not a rule', 'give path and value');
    if (REFUSED.some((r) => r.test(rulePath))) reader.fail(`${at}.path`, rule, 'overrides what Copilot does not let you override', 'leave Family and the containers\' names as they are');
    const segments = rulePath.split('.').map((segment) => SEGMENT.exec(segment) ?? reader.fail(`${at}.path`, rule, `has the segment ${JSON.stringify(segment)}`,
      'write keys with an optional [index] or [-], separated by dots'));
    const keys: string[] = [];
    for (const [n, match] of segments.entries()) {
      keys.push(match[1]);
      if (match[2] === '-') {
        const list = keys.join('.');
        const newList = started.get(list) ?? (appended.has(list) ? undefined : currentLength(taskDefinition, keys) === 0 ? [] : undefined);
        if (newList) {
          started.set(list, newList);
          newList.push(setIn(undefined, segments.slice(n + 1).map((m) => m[1]), plainValue(value)));
          return;
        }
        const index = appended.get(list) ?? currentLength(taskDefinition, keys);
        appended.set(list, index + 1);
        keys.push(String(index));
      } else if (match[2] !== undefined) {
        keys.push(match[2]);
      }
    }
    taskDefinition.addPropertyOverride(keys.join('.'), plainValue(value));
  });
  for (const [list, items] of started) taskDefinition.addPropertyOverride(list, items);
}

/** `value` at `keys` inside `target` (a new map where there is none), as Copilot's upsert creates missing keys. */
function setIn(target: unknown, keys: string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const map = (target && typeof target === 'object' ? target : {}) as Record<string, unknown>;
  map[keys[0]] = setIn(map[keys[0]], keys.slice(1), value);
  return map;
}

/** The length of the list at `keys` in the task definition's rendered properties (0 when there is none). */
function currentLength(taskDefinition: CfnResource, keys: string[]): number {
  const rendered = Stack.of(taskDefinition).resolve((taskDefinition as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as
    { Resources: Record<string, { Properties?: unknown }> };
  let value: unknown = Object.values(rendered.Resources)[0]?.Properties;
  for (const key of keys) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) ? value.length : 0;
}
