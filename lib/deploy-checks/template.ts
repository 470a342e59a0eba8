/**
 * Pure helpers for reading synthesized CloudFormation templates: references, dependencies,
 * identities that survive cross-stack imports.
 */
import { CfnResource, CfnTemplate, StackTemplate } from './rule';

/** Every resource of a template as [logicalId, resource]. */
export function resources(template: CfnTemplate, type?: string): [string, CfnResource][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => type === undefined || r.Type === type);
}

/** Every resource of every stack, with its stack. */
export function allResources(stacks: readonly StackTemplate[], type: string): { stack: StackTemplate; id: string; resource: CfnResource }[] {
  return stacks.flatMap((stack) => resources(stack.template, type).map(([id, resource]) => ({ stack, id, resource })));
}

/** The logical id a `Ref` or `Fn::GetAtt` points to, else undefined. */
export function refTarget(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** The resource a value refers to in this template, if it is of `type` (or any type). */
export function refResource(template: CfnTemplate, value: unknown, type?: string): [string, CfnResource] | undefined {
  const id = refTarget(value);
  const resource = id !== undefined ? template.Resources?.[id] : undefined;
  if (id === undefined || resource === undefined || (type !== undefined && resource.Type !== type)) return undefined;
  return [id, resource];
}

/** Every logical id a value references (Ref, Fn::GetAtt, ${X} and ${X.Attr} in Fn::Sub). */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, into));
  } else if (isObject(value)) {
    const target = refTarget(value);
    if (target !== undefined) into.add(target);
    const sub = value['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (subText !== undefined) {
      for (const m of subText.matchAll(/\$\{([^!}.][^}.]*)(?:\.[^}]*)?\}/g)) if (!m[1].startsWith('AWS::')) into.add(m[1]);
    }
    Object.values(value).forEach((v) => referencedIds(v, into));
  }
  return into;
}

/** The explicit DependsOn of a resource. */
export function dependsOn(resource: CfnResource): string[] {
  const d = resource.DependsOn;
  return d === undefined ? [] : Array.isArray(d) ? d : [d];
}

/**
 * Whether CloudFormation orders `from` after `to`: a path of DependsOn, Ref or Fn::GetAtt edges
 * (each one orders create after, and delete before).
 */
export function dependsTransitively(template: CfnTemplate, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const resource = template.Resources?.[id];
    if (resource === undefined) continue;
    const next = [...dependsOn(resource), ...referencedIds(resource.Properties)];
    if (next.includes(to)) return true;
    queue.push(...next);
  }
  return false;
}

/**
 * A key that names the same AWS resource across templates: a resource of a template
 * (`<templatePath>#<logicalId>`), also when another template imports it through the export
 * that carries its Ref/GetAtt; an import of an export outside the app (`import:<name>`); a
 * literal (`literal:<value>`); otherwise the value's JSON scoped to its template.
 */
export function identity(stacks: readonly StackTemplate[], stack: StackTemplate, value: unknown): string {
  if (typeof value === 'string') return `literal:${value}`;
  const local = refTarget(value);
  if (local !== undefined && stack.template.Resources?.[local] !== undefined) return `${stack.templatePath}#${local}`;
  if (isObject(value) && value['Fn::ImportValue'] !== undefined) {
    const name = value['Fn::ImportValue'];
    const exported = findExport(stacks, name);
    if (exported !== undefined) return exported;
    return `import:${typeof name === 'string' ? name : JSON.stringify(name)}`;
  }
  return `${stack.templatePath}#${JSON.stringify(value)}`;
}

function findExport(stacks: readonly StackTemplate[], name: unknown): string | undefined {
  for (const s of stacks) {
    for (const output of Object.values(s.template.Outputs ?? {})) {
      if (output.Export?.Name === undefined || JSON.stringify(output.Export.Name) !== JSON.stringify(name)) continue;
      const target = refTarget(output.Value);
      if (target !== undefined && s.template.Resources?.[target] !== undefined) return `${s.templatePath}#${target}`;
      return `${s.templatePath}#${JSON.stringify(output.Value)}`;
    }
  }
  return undefined;
}

/** The resource an identity key names, if it is a resource of one of the templates. */
export function resolveIdentity(stacks: readonly StackTemplate[], key: string): { stack: StackTemplate; id: string; resource: CfnResource } | undefined {
  const hash = key.lastIndexOf('#');
  if (hash < 0) return undefined;
  const stack = stacks.find((s) => s.templatePath === key.slice(0, hash));
  const id = key.slice(hash + 1);
  const resource = stack?.template.Resources?.[id];
  return stack && resource ? { stack, id, resource } : undefined;
}

/** The literal text of a value: strings joined, intrinsics that are not literal left out. */
export function literalText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (isObject(value)) {
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(literalText).join(join[0]);
    const sub = value['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (subText !== undefined) return subText.replace(/\$\{[^}]*\}/g, '');
  }
  return '';
}

/** Array-valued property as an array (absent → []). */
export function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** `true`/`"true"`. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A plain object. */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The environment a stack deploys to, for physical-name collisions (unknown parts compare equal). */
export function envKey(stack: StackTemplate): string {
  return `${stack.account ?? '<account>'}/${stack.region ?? '<region>'}`;
}

/** The value of one `Key`/`Value` entry of a load balancer's LoadBalancerAttributes. */
export function lbAttribute(resource: CfnResource, key: string): unknown {
  return asArray(resource.Properties?.LoadBalancerAttributes).find((a: any) => a?.Key === key)?.Value;
}

/** The target groups an ELBv2 action list forwards to (TargetGroupArn and ForwardConfig). */
export function forwardedTargetGroups(actions: unknown): unknown[] {
  return asArray(actions).flatMap((a: any) => [
    ...(a?.TargetGroupArn !== undefined ? [a.TargetGroupArn] : []),
    ...asArray(a?.ForwardConfig?.TargetGroups).map((t: any) => t?.TargetGroupArn).filter((t: unknown) => t !== undefined),
  ]);
}
