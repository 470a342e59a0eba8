/**
 * ECS services and Service Connect (ESK-UPD7, ESK-UPD8, ESK-UPD10): a replaced, renamed or moved
 * service starts beside the old one until cleanup; ECS cannot change the appProtocol of a port a
 * running service publishes; a Service Connect name is unique in its namespace while its old
 * holder lives.
 */
import { CfnResource } from '../../rule';
import { canonical, Comparison, Holder, qualify, show, TemplateSet } from './comparison';

type CfnResourceJson = CfnResource;

/** `value` with every reference replaced by a placeholder: the shape of a resource, whatever it points at. */
function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0] === 'Fn::GetAtt')) return '<ref>';
    return Object.fromEntries(entries.map(([k, v]) => [k, masked(v)]));
  }
  return value;
}

/** service-replaced: an ECS service kept under its logical id and replaced (it is in the stack's replacedBy). */
export function serviceReplaced(c: Comparison, stack: string, id: string, now: CfnResourceJson): void {
  const { replacedBy, push } = c;
  const replaced = replacedBy.get(stack)!;
  if (now.Type === 'AWS::ECS::Service') {
    push('service-replaced', stack, id, now.Type, `${replaced.get(id)![0]}: the new service is created (and starts its tasks) before the old one is deleted in cleanup`);
  }
}

/**
 * service-replaced: ECS services removed under one logical id and added under another with the
 * same shape, a rename or move. Deployment alarm names derived from the construct path
 * (lib/deployment) move with it, like logical ids.
 */
export function movedServiceHazards(c: Comparison): void {
  const { before, after, stacks, push, resourcesOf, where } = c;
  const shape = (r: CfnResourceJson): string => {
    const properties: Record<string, any> = { ...r.Properties, ServiceName: undefined };
    const config = properties.DeploymentConfiguration as Record<string, any> | undefined;
    if (config?.Alarms) properties.DeploymentConfiguration = { ...config, Alarms: { ...config.Alarms, AlarmNames: undefined } };
    return canonical(masked(properties));
  };
  const removedServices = stacks.flatMap((stack) => Object.entries(resourcesOf(before, stack))
    .filter(([id, r]) => r.Type === 'AWS::ECS::Service' && resourcesOf(after, stack)[id] === undefined).map(([id, r]) => ({ stack, id, shape: shape(r) })));
  for (const stack of stacks) {
    for (const [id, r] of Object.entries(resourcesOf(after, stack))) {
      if (r.Type !== 'AWS::ECS::Service' || resourcesOf(before, stack)[id] !== undefined) continue;
      const index = removedServices.findIndex((s) => s.shape === shape(r));
      if (index < 0) continue;
      const [old] = removedServices.splice(index, 1);
      push('service-replaced', stack, id, r.Type, `looks like ${where(old, stack)} renamed or moved (same settings, new logical id): CloudFormation creates ${id} `
        + `with its own tasks${r.Properties?.LoadBalancers ? ' and target group' : ''} before it deletes ${old.id} in cleanup, so tasks double for a while; `
        + 'its logs and other stateful parts move too (see the stateful findings)');
    }
  }
}

/**
 * service-connect-protocol: ECS cannot change the appProtocol of a port a running service
 * publishes ("The following config cannot be changed for a SC service", aws/containers-roadmap#2378).
 * A replaced service is a new one, free to choose.
 */
export function serviceConnectProtocolHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    for (const [id, now] of Object.entries(a)) {
      const old = b[id];
      if (now.Type !== 'AWS::ECS::Service' || old?.Type !== 'AWS::ECS::Service' || replacedBy.get(stack)!.has(id)) continue;
      const was = publishedProtocols(old, b);
      for (const [portName, protocol] of publishedProtocols(now, a)) {
        const previous = was.get(portName);
        if (previous === undefined || previous === protocol) continue;
        push('service-connect-protocol', stack, id, now.Type, `publishes port mapping ${JSON.stringify(portName)} through Service Connect with appProtocol ${protocol}, `
          + `deployed as ${previous}: ECS refuses to change the appProtocol of a running Service Connect service ("The following config cannot be changed for a SC service"), so the update fails`);
      }
    }
  }
}

/**
 * service-connect-name-in-use: a discovery name (the Cloud Map service ECS creates) and a client
 * alias (name and port) are unique in the namespace (ECS API reference,
 * ServiceConnectServiceResource and ServiceConnectClientAlias). A new or replacement service is
 * created while the service that held the name in N still exists (it goes in cleanup), so its
 * CreateService fails: "SC service is already used by <namespace>" (aws/copilot-cli#4337).
 */
export function serviceConnectNameHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf, stays, isReplaced, same, where } = c;
  const publishedBefore = serviceConnectNames(before, resourcesOf, stacks, () => new Set());
  const taken = new Map<string, { holder: Holder; labels: string[]; why: string }>();
  for (const [key, { holder: y, label }] of serviceConnectNames(after, resourcesOf, stacks, (stack) => new Set(replacedBy.get(stack)!.keys()))) {
    const x = publishedBefore.get(key)?.holder;
    if (x === undefined) continue;
    const created = resourcesOf(before, y.stack)[y.id]?.Type !== 'AWS::ECS::Service' || isReplaced(y);
    if (same(x, y) && !created) continue;
    const old = where(x, y.stack);
    const why = same(x, y) ? `${y.id} is replaced (${replacedBy.get(y.stack)!.get(y.id)![0]}): the new service is created while the old one still publishes them, until cleanup`
      : !stays(x) ? `${old} publishes them until it is deleted in the cleanup phase, after ${y.id} is ${created ? 'created' : 'updated'}`
        : isReplaced(x) ? `${old} is replaced, and its old copy publishes them until cleanup`
          : `${old} is updated to drop them in parallel, so ${y.id} may ask first`;
    const entry = taken.get(`${y.stack}/${y.id}`) ?? { holder: y, labels: [], why };
    entry.labels.push(label);
    taken.set(`${y.stack}/${y.id}`, entry);
  }
  for (const { holder, labels, why } of taken.values()) {
    push('service-connect-name-in-use', holder.stack, holder.id, 'AWS::ECS::Service', `publishes the Service Connect ${labels.join(', ')}: ${why} → "SC service is already used" `
      + '(unique in the namespace). Deploy this change with a new serviceConnect.name (callers switch to it), '
      + 'or first deploy the service without its name (serviceConnect clientOnly; callers cannot reach it meanwhile), then this change with the name back');
  }
}

/**
 * The Service Connect names every ECS service of `set` publishes, each keyed by its namespace
 * (with references qualified; `replacedIn` marks the replaced resources of a stack, so a replaced
 * namespace is another namespace) and held by the service: a discovery name (absent: the port
 * name) and each client alias with a DNS name, with its port.
 */
function serviceConnectNames(
  set: TemplateSet, resourcesOf: (set: TemplateSet, stack: string) => Record<string, CfnResourceJson>,
  stacks: string[], replacedIn: (stack: string) => ReadonlySet<string>,
): Map<string, { holder: Holder; label: string }> {
  const out = new Map<string, { holder: Holder; label: string }>();
  for (const stack of stacks) {
    const replaced = replacedIn(stack);
    for (const [id, r] of Object.entries(resourcesOf(set, stack))) {
      if (r.Type !== 'AWS::ECS::Service') continue;
      const config = r.Properties?.ServiceConnectConfiguration as { Enabled?: unknown; Namespace?: unknown; Services?: unknown } | undefined;
      if (!config || (config.Enabled !== true && config.Enabled !== 'true') || !Array.isArray(config.Services)) continue;
      // No Namespace: the cluster's default Service Connect namespace.
      const namespace = qualify(config.Namespace ?? { clusterDefault: r.Properties?.Cluster ?? 'default' }, stack, replaced);
      for (const published of config.Services as { PortName?: unknown; DiscoveryName?: unknown; ClientAliases?: unknown }[]) {
        const discovery = published?.DiscoveryName ?? published?.PortName;
        if (discovery !== undefined) out.set(canonical(['discovery', namespace, discovery]), { holder: { stack, id }, label: `discovery name ${show(discovery)}` });
        for (const alias of (Array.isArray(published?.ClientAliases) ? published.ClientAliases : []) as { DnsName?: unknown; Port?: unknown }[]) {
          if (alias?.DnsName === undefined) continue;
          out.set(canonical(['alias', namespace, alias.DnsName, alias.Port]), { holder: { stack, id }, label: `client alias ${show(alias.DnsName)} port ${show(alias.Port)}` });
        }
      }
    }
  }
  return out;
}

/**
 * The ports an ECS service publishes through Service Connect, by port-mapping name, with the
 * appProtocol of that mapping in its task definition (`TaskDefinition: {Ref: X}` in the same
 * template; absent = tcp). A port whose mapping cannot be found is left out.
 */
function publishedProtocols(service: CfnResourceJson, resources: Record<string, CfnResourceJson>): Map<string, string> {
  const out = new Map<string, string>();
  const config = service.Properties?.ServiceConnectConfiguration as { Enabled?: unknown; Services?: unknown } | undefined;
  if (!config || (config.Enabled !== true && config.Enabled !== 'true') || !Array.isArray(config.Services)) return out;
  const ref = (service.Properties?.TaskDefinition as { Ref?: unknown } | undefined)?.Ref;
  const taskDefinition = typeof ref === 'string' ? resources[ref] : undefined;
  if (taskDefinition?.Type !== 'AWS::ECS::TaskDefinition') return out;
  const containers = taskDefinition.Properties?.ContainerDefinitions;
  const mappings = (Array.isArray(containers) ? containers : [])
    .flatMap((c: { PortMappings?: unknown }) => (Array.isArray(c?.PortMappings) ? c.PortMappings : [])) as { Name?: unknown; AppProtocol?: unknown }[];
  for (const published of config.Services as { PortName?: unknown }[]) {
    const portName = published?.PortName;
    if (typeof portName !== 'string') continue;
    const mapping = mappings.find((m) => m?.Name === portName);
    if (mapping === undefined) continue;
    out.set(portName, typeof mapping.AppProtocol === 'string' ? mapping.AppProtocol.toLowerCase() : 'tcp');
  }
  return out;
}
