import { Annotations, CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { MAIN_CONTAINER_NAME } from '../task-definition/service-task-options';
import { ConfigurationError } from '../validation/configuration-error';
import { checkDurationSeconds, checkExclusive, checkOneOf, checkPattern, checkPort, fail, formatValue } from '../validation/checks';
import { ServiceConnectProtocol, type ServiceConnectOptions, type ServiceOptions } from './service-options';

/**
 * Service Connect for every long-running service: validation, the ECS configuration and the
 * one security-group rule per caller. Internal: not exported from any index.ts.
 */

/** A DNS label: what callers put in `http://<name>:<port>`, and the Cloud Map service name. */
const SERVICE_CONNECT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Service Connect names taken per cluster (one namespace each): name → construct path. */
const takenNames = new WeakMap<IServiceCluster, Map<string, string>>();

/** The largest timeout ECS takes, in seconds (TimeoutConfiguration: an Integer, 0 turns it off). */
const MAX_TIMEOUT_SECONDS = 2147483647;

/** The protocols whose proxy handles requests, so a per-request timeout applies. */
const REQUEST_PROTOCOLS: readonly ServiceConnectProtocol[] = [ServiceConnectProtocol.HTTP, ServiceConnectProtocol.HTTP2, ServiceConnectProtocol.GRPC];

/**
 * The Service Connect start-order dependencies this library added: caller's ECS service → the
 * ECS services it waits for. Read before adding one, so mutual calls never form a cycle.
 */
const startsAfter = new WeakMap<ecs.BaseService, Set<ecs.BaseService>>();

/**
 * The port the service publishes through Service Connect, or undefined for a client-only
 * service (or none). `containerPort` is the effective main container port.
 */
export function serviceConnectPort(props: ServiceOptions, containerPort: number | undefined): number | undefined {
  const sc = props.serviceConnect;
  if (!sc || sc.clientOnly) return undefined;
  return sc.port ?? containerPort;
}

/** Checks `serviceConnect` against the cluster and the task's port mappings. */
export function validateServiceConnect(
  scope: IConstruct, props: ServiceOptions, cluster: IServiceCluster, containerPort: number | undefined,
): void {
  const sc = props.serviceConnect;
  if (!sc) return;
  if (!cluster.namespace) {
    fail(scope, 'serviceConnect', sc, `needs a Cloud Map namespace on the cluster ${cluster.node.path}`,
      'create the ServiceCluster with serviceConnectNamespace (e.g. \'internal\'), import an existing cluster with its serviceConnectNamespace, or leave serviceConnect out');
  }
  if (sc.clientOnly) {
    // A client-only service publishes nothing: a name or port would silently do nothing.
    checkExclusive(scope, 'serviceConnect.name', sc.name, 'serviceConnect.clientOnly', sc.clientOnly);
    checkExclusive(scope, 'serviceConnect.port', sc.port, 'serviceConnect.clientOnly', sc.clientOnly);
    checkExclusive(scope, 'serviceConnect.appProtocol', sc.appProtocol, 'serviceConnect.clientOnly', sc.clientOnly);
    checkExclusive(scope, 'serviceConnect.perRequestTimeout', sc.perRequestTimeout, 'serviceConnect.clientOnly', sc.clientOnly);
    checkExclusive(scope, 'serviceConnect.idleTimeout', sc.idleTimeout, 'serviceConnect.clientOnly', sc.clientOnly);
    return;
  }
  checkOneOf(scope, 'serviceConnect.appProtocol', sc.appProtocol, Object.values(ServiceConnectProtocol));
  checkDurationSeconds(scope, 'serviceConnect.perRequestTimeout', sc.perRequestTimeout, 0, MAX_TIMEOUT_SECONDS);
  checkDurationSeconds(scope, 'serviceConnect.idleTimeout', sc.idleTimeout, 0, MAX_TIMEOUT_SECONDS);
  // An unset appProtocol is settled later (a WebService's main port defaults to HTTP): checked again in applyServiceConnect.
  if (sc.appProtocol !== undefined) checkPerRequestTimeout(scope, sc);
  if (sc.name === undefined) {
    fail(scope, 'serviceConnect.name', sc.name, 'is missing', 'give the name callers use (http://<name>:<port>), or set clientOnly: true to only call other services');
  }
  checkPattern(scope, 'serviceConnect.name', sc.name, SERVICE_CONNECT_NAME,
    'use a DNS label: 1–63 lower-case letters, digits and hyphens, starting and ending with a letter or digit');
  checkPort(scope, 'serviceConnect.port', sc.port);
  const port = sc.port ?? containerPort;
  const mapped = mappedPorts(props, containerPort);
  if (port === undefined) {
    fail(scope, 'serviceConnect.port', port, '(the default: the main container\'s port) is not set because the main container has no containerPort',
      'give the main container a containerPort, or give serviceConnect.port one of the sidecars\' ports');
  }
  if (!Token.isUnresolved(port) && !mapped.includes(port)) {
    fail(scope, 'serviceConnect.port', port, 'is not a port of any container of the task',
      mapped.length > 0 ? `use one of ${mapped.join(', ')}` : 'give the main container a containerPort');
  }
  const taken = takenNames.get(cluster)?.get(sc.name);
  if (taken !== undefined && !Token.isUnresolved(sc.name)) {
    fail(scope, 'serviceConnect.name', sc.name, `is already used by ${taken} in the cluster's namespace`,
      'give every service of the cluster its own Service Connect name');
  }
}

/** A per-request timeout needs a port whose proxy handles requests; `sc.appProtocol` is the effective one. */
function checkPerRequestTimeout(scope: IConstruct, sc: ServiceConnectOptions): void {
  const protocol = sc.appProtocol ?? ServiceConnectProtocol.TCP;
  if (sc.perRequestTimeout !== undefined && !REQUEST_PROTOCOLS.includes(protocol)) {
    fail(scope, 'serviceConnect.perRequestTimeout', sc.perRequestTimeout,
      `needs a request protocol, but the published port speaks ${protocol}${sc.appProtocol === undefined ? ' (the default here)' : ''}, which has connections, not requests`,
      'set serviceConnect.appProtocol to HTTP, HTTP2 or GRPC, or use serviceConnect.idleTimeout');
  }
}

/** The ports the task maps: the main container's and the sidecars'. */
function mappedPorts(props: ServiceOptions, containerPort: number | undefined): number[] {
  const ports = containerPort !== undefined ? [containerPort] : [];
  for (const sidecar of props.sidecars ?? []) {
    if (sidecar.containerPort !== undefined) ports.push(sidecar.containerPort);
  }
  return ports;
}

/**
 * A web service's props with Service Connect's protocol defaulted: the main container's port and
 * `httpPort` (the port its load balancer reaches over HTTP: the main container's, or the target
 * sidecar's) speak HTTP, so when the published port (`serviceConnect.port`, else the main
 * `containerPort`, else `httpPort`) is one of them it is published as HTTP (per-request metrics
 * and handling in the proxy), unless `appProtocol` says otherwise. Other ports keep TCP: nothing
 * says what they speak.
 */
export function withHttpServiceConnect<T extends ServiceOptions>(props: T, containerPort: number | undefined, httpPort: number | undefined = containerPort): T {
  const sc = props.serviceConnect;
  if (!sc || sc.clientOnly) return props;
  // Without a main port, the published port is the target's (the sidecar the load balancer reaches).
  const published = sc.port ?? containerPort ?? httpPort;
  const port = sc.port === undefined && containerPort === undefined ? { port: httpPort } : {};
  if (sc.appProtocol !== undefined || (published !== containerPort && published !== httpPort)) return { ...props, serviceConnect: { ...sc, ...port } };
  return { ...props, serviceConnect: { ...sc, ...port, appProtocol: ServiceConnectProtocol.HTTP } };
}

/** ECS's value for each protocol; TCP is ECS's default when the port mapping names none. */
const APP_PROTOCOLS: Record<ServiceConnectProtocol, ecs.AppProtocol | undefined> = {
  [ServiceConnectProtocol.TCP]: undefined,
  [ServiceConnectProtocol.HTTP]: ecs.AppProtocol.http,
  [ServiceConnectProtocol.HTTP2]: ecs.AppProtocol.http2,
  [ServiceConnectProtocol.GRPC]: ecs.AppProtocol.grpc,
};

/**
 * The proxy's per-request timeout: the one given, else, on a port whose proxy handles requests,
 * the load balancer's idle timeout (ECS's own 15 s would cut requests the load balancer still
 * waits for); none on a TCP port (ECS accepts none there).
 */
function serviceConnectPerRequestTimeout(appProtocol: ServiceConnectProtocol | undefined, given: Duration | undefined): Duration | undefined {
  if (given !== undefined) return given;
  return REQUEST_PROTOCOLS.includes(appProtocol ?? ServiceConnectProtocol.TCP) ? Defaults.serviceConnectPerRequestTimeout : undefined;
}

/** Turns validated `serviceConnect` options on for the service; returns the published port, if any. */
export function applyServiceConnect(
  scope: IConstruct, props: ServiceOptions, cluster: IServiceCluster, service: ecs.BaseService,
  taskDefinition: ecs.TaskDefinition, containerPort: number | undefined,
): number | undefined {
  const sc = props.serviceConnect;
  const namespace = cluster.namespace;
  if (!sc || !namespace) return undefined;
  const port = serviceConnectPort(props, containerPort);
  if (port !== undefined) checkPerRequestTimeout(scope, sc);
  if (port === undefined || sc.name === undefined) {
    // The ARN (not the name) makes the service depend on the namespace directly.
    service.enableServiceConnect({ namespace: namespace.namespaceArn });
    return undefined;
  }
  const containerName = port === containerPort
    ? (props.containerName ?? MAIN_CONTAINER_NAME)
    : props.sidecars?.find((sidecar) => sidecar.containerPort === port)?.containerName;
  const container = containerName !== undefined ? taskDefinition.findContainer(containerName) : undefined;
  const mapping = container?.findPortMapping(port, ecs.Protocol.TCP);
  if (!container || !mapping?.name) {
    // validateServiceConnect checked the port; the mapping names come from ServiceTaskDefinition.
    fail(scope, 'serviceConnect.port', port, 'has no named port mapping in the task definition', 'use a containerPort of the main container or a sidecar');
  }
  const appProtocol = APP_PROTOCOLS[sc.appProtocol ?? ServiceConnectProtocol.TCP];
  if (appProtocol) {
    // The task definition made the mapping without a protocol; the container renders its
    // (mutable) port mappings at synth, so the published one is swapped for a copy that has it.
    const mappings = container.portMappings;
    mappings[mappings.indexOf(mapping)] = { ...mapping, appProtocol };
  }
  service.enableServiceConnect({
    namespace: namespace.namespaceArn,
    services: [{
      portMappingName: mapping.name, dnsName: sc.name, discoveryName: sc.name, port,
      perRequestTimeout: serviceConnectPerRequestTimeout(sc.appProtocol, sc.perRequestTimeout),
      idleTimeout: sc.idleTimeout,
    }],
  });
  let names = takenNames.get(cluster);
  if (!names) {
    names = new Map();
    takenNames.set(cluster, names);
  }
  names.set(sc.name, scope.node.path);
  return port;
}

/** The ECS service behind a caller: a service itself, or a construct exposing one as `service`. */
function callerService(caller: ec2.IConnectable): ecs.BaseService | undefined {
  if (caller instanceof ecs.BaseService) return caller;
  const service = (caller as { service?: unknown }).service;
  return service instanceof ecs.BaseService ? service : undefined;
}

/**
 * Lets `caller` reach the service's Service Connect port: one ingress rule on `securityGroup`
 * from the caller's security groups on that port only, and the caller's ECS service (when the
 * caller is one, or exposes one as `service`) depends on `service`, because Service Connect
 * tasks resolve only the endpoints that existed when they started. `method` names the public
 * method for errors.
 *
 * Services that call each other (directly, or around a chain) cannot all wait for each other:
 * the call that would close the cycle adds no DependsOn (CloudFormation rejects a cycle) and
 * warns `ecs-service-kit:service-connect-mutual-calls` on the caller instead. Across stacks the
 * same calls would make each stack depend on the other, so that is an error.
 *
 * The rules belong to the caller, as listener rules belong to their service: made through
 * `caller.connections.allowTo`, aws-cdk-lib creates them in the caller's stack when the two
 * security groups are in different stacks (aws-cdk #1678), so a caller in a stack that depends
 * on the called service's stack adds no reverse reference and no cycle. In one stack the rule
 * stays where `allowFrom` put it (child of `securityGroup`, same logical id).
 */
export function allowServiceConnectFrom(
  scope: IConstruct, securityGroup: ec2.SecurityGroup, service: ecs.BaseService, port: number | undefined,
  caller: ec2.IConnectable, method: string,
): void {
  if (port === undefined) {
    fail(scope, method, callerPath(caller), 'needs a Service Connect endpoint on this service',
      'give this service serviceConnect: { name: ... } (not clientOnly) before allowing callers');
  }
  if (caller === undefined || caller === null || !caller.connections) {
    fail(scope, method, caller, 'is not a service or security group', 'pass a WebService, WorkerService, ecs.FargateService or another ec2.IConnectable');
  }
  if (caller.connections.securityGroups.length === 0) {
    fail(scope, method, callerPath(caller), 'has no security group to allow', 'pass a service or resource with a security group');
  }
  const callerEcsService = callerService(caller);
  if (callerEcsService === service) {
    fail(scope, method, callerPath(caller), 'is this service itself', 'allow other services; a task reaches its own containers on localhost');
  }
  // Does this service already wait for the caller (it calls the caller, directly or down a chain)?
  const mutual = callerEcsService !== undefined && waitsFor(service, callerEcsService);
  if (mutual && Stack.of(service) !== Stack.of(callerEcsService)) {
    // Each stack's ingress rule would reference the other's security group: a stack cycle.
    fail(scope, method, callerPath(caller),
      `is in stack ${Stack.of(callerEcsService).stackName}, and ${scope.node.path} in stack ${Stack.of(service).stackName} already calls it `
      + '(directly or through other services): the services would call each other across stacks, so each stack would depend on the other '
      + '(each one\'s ingress rule references the other\'s security group)',
      'put services that call each other in one stack, or let only one of them call the other');
  }
  const description = `Service Connect from ${callerPath(caller)}`;
  for (const callerGroup of caller.connections.securityGroups) {
    // remoteRule: in the called group's stack when both are in one stack (the logical id it always
    // had), in the caller's stack otherwise, so the called stack never references the caller's.
    securityGroup.addIngressRule(callerGroup, ec2.Port.tcp(port), description, true);
    // A caller that restricts its egress needs the matching rule, in its own stack. Callers with
    // all outbound allowed need none (asking would only add aws-cdk-lib's "ignoring egress" warning).
    if (!callerGroup.allowAllOutbound) callerGroup.addEgressRule(securityGroup, ec2.Port.tcp(port), description, false);
  }
  if (!callerEcsService) return;
  if (mutual) {
    // A DependsOn back would close a cycle that CloudFormation rejects: leave it out and say so.
    const callerConstruct = (caller as unknown as IConstruct).node !== undefined ? caller as unknown as IConstruct : callerEcsService;
    Annotations.of(callerConstruct).addWarningV2(MUTUAL_CALLS_WARNING,
      `${callerPath(caller)} and ${scope.node.path} call each other through Service Connect (directly or through other services), so neither `
      + 'can wait for the other: CloudFormation creates them without an order between them. A task resolves only the Service Connect '
      + 'endpoints that existed when it started, so on the first create one of them starts before the other\'s endpoint exists and cannot reach '
      + 'it until its tasks are replaced. After the first deploy, restart it with `aws ecs update-service --cluster <cluster> --service <service> '
      + '--force-new-deployment`, or deploy the services\' endpoints in two steps (first without this call, then with it). Then acknowledge this '
      + `warning: Validations.of(<this construct>).acknowledge({ id: 'Annotation::${MUTUAL_CALLS_WARNING}', reason }).`);
  } else {
    // The caller's service (not its scaling target or alarms) waits for the called service: in one
    // stack a DependsOn, across stacks a dependency of the caller's stack on the called one.
    (callerEcsService.node.defaultChild as CfnResource).addResourceDependency(service.node.defaultChild as CfnResource,
      'Service Connect: a task resolves only the endpoints that existed when it started');
    let waited = startsAfter.get(callerEcsService);
    if (!waited) {
      waited = new Set();
      startsAfter.set(callerEcsService, waited);
    }
    waited.add(service);
  }
  // A caller without Service Connect resolves `<name>` through no proxy: the call fails at run time.
  scope.node.addValidation({
    validate: () => {
      const cfn = callerEcsService.node.defaultChild as ecs.CfnService;
      const config = Stack.of(callerEcsService).resolve(cfn.serviceConnectConfiguration) as { enabled?: boolean } | undefined;
      return config?.enabled ? [] : [
        new ConfigurationError(scope.node.path, method, formatValue(callerEcsService.node.path),
          'has no Service Connect, so it cannot resolve this service\'s name',
          'give the calling service serviceConnect: { clientOnly: true } (or a name of its own)').message,
      ];
    },
  });
}

/** The warning for services that call each other: no start order between them. */
const MUTUAL_CALLS_WARNING = 'ecs-service-kit:service-connect-mutual-calls';

/** Whether `service` waits (through the Service Connect start order this library added) for `other`. */
function waitsFor(service: ecs.BaseService, other: ecs.BaseService): boolean {
  const seen = new Set<ecs.BaseService>();
  const pending = [service];
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const waited of startsAfter.get(next) ?? []) {
      if (waited === other) return true;
      if (!seen.has(waited)) {
        seen.add(waited);
        pending.push(waited);
      }
    }
  }
  return false;
}

function callerPath(caller: ec2.IConnectable): string {
  const node = (caller as unknown as IConstruct)?.node;
  return node?.path ?? String(caller);
}
