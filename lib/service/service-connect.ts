import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { ServiceCluster } from '../cluster/service-cluster';
import { MAIN_CONTAINER_NAME } from '../task-definition/task-validation';
import { ConfigurationError } from '../validation/configuration-error';
import { checkExclusive, checkPattern, checkPort, fail, formatValue } from '../validation/checks';
import type { ServiceOptions } from './service-options';

/**
 * Service Connect for every long-running service: validation, the ECS configuration and the
 * one security-group rule per caller. Internal: not exported from any index.ts.
 */

/** A DNS label: what callers put in `http://<name>:<port>`, and the Cloud Map service name. */
const SERVICE_CONNECT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Service Connect names taken per cluster (one namespace each): name → construct path. */
const takenNames = new WeakMap<ServiceCluster, Map<string, string>>();

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
  scope: IConstruct, props: ServiceOptions, cluster: ServiceCluster, containerPort: number | undefined,
): void {
  const sc = props.serviceConnect;
  if (!sc) return;
  if (!cluster.cluster.defaultCloudMapNamespace) {
    fail(scope, 'serviceConnect', sc, `needs a Cloud Map namespace on the cluster ${cluster.node.path}`,
      'create the ServiceCluster with serviceConnectNamespace (e.g. \'internal\'), or leave serviceConnect out');
  }
  if (sc.clientOnly) {
    // A client-only service publishes nothing: a name or port would silently do nothing.
    checkExclusive(scope, 'serviceConnect.name', sc.name, 'serviceConnect.clientOnly', sc.clientOnly);
    checkExclusive(scope, 'serviceConnect.port', sc.port, 'serviceConnect.clientOnly', sc.clientOnly);
    return;
  }
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

/** The ports the task maps: the main container's and the sidecars'. */
function mappedPorts(props: ServiceOptions, containerPort: number | undefined): number[] {
  const ports = containerPort !== undefined ? [containerPort] : [];
  for (const sidecar of props.sidecars ?? []) {
    if (sidecar.containerPort !== undefined) ports.push(sidecar.containerPort);
  }
  return ports;
}

/** Turns validated `serviceConnect` options on for the service; returns the published port, if any. */
export function applyServiceConnect(
  scope: IConstruct, props: ServiceOptions, cluster: ServiceCluster, service: ecs.BaseService,
  taskDefinition: ecs.TaskDefinition, containerPort: number | undefined,
): number | undefined {
  const sc = props.serviceConnect;
  const namespace = cluster.cluster.defaultCloudMapNamespace;
  if (!sc || !namespace) return undefined;
  const port = serviceConnectPort(props, containerPort);
  if (port === undefined || sc.name === undefined) {
    // The ARN (not the name) makes the service depend on the namespace directly.
    service.enableServiceConnect({ namespace: namespace.namespaceArn });
    return undefined;
  }
  const containerName = port === containerPort
    ? (props.containerName ?? MAIN_CONTAINER_NAME)
    : props.sidecars?.find((sidecar) => sidecar.containerPort === port)?.containerName;
  const mapping = containerName !== undefined
    ? taskDefinition.findContainer(containerName)?.findPortMapping(port, ecs.Protocol.TCP)
    : undefined;
  if (!mapping?.name) {
    // validateServiceConnect checked the port; the mapping names come from ServiceTaskDefinition.
    fail(scope, 'serviceConnect.port', port, 'has no named port mapping in the task definition', 'use a containerPort of the main container or a sidecar');
  }
  service.enableServiceConnect({
    namespace: namespace.namespaceArn,
    services: [{ portMappingName: mapping.name, dnsName: sc.name, discoveryName: sc.name, port }],
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
 * from the caller's security groups on that port only. `method` names the public method for errors.
 */
export function allowServiceConnectFrom(
  scope: IConstruct, securityGroup: ec2.SecurityGroup, port: number | undefined, caller: ec2.IConnectable, method: string,
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
  securityGroup.connections.allowFrom(caller, ec2.Port.tcp(port), `Service Connect from ${callerPath(caller)}`);
  // A caller without Service Connect resolves `<name>` through no proxy: the call fails at run time.
  const service = callerService(caller);
  if (service) {
    scope.node.addValidation({
      validate: () => {
        const cfn = service.node.defaultChild as ecs.CfnService;
        const config = Stack.of(service).resolve(cfn.serviceConnectConfiguration) as { enabled?: boolean } | undefined;
        return config?.enabled ? [] : [
          new ConfigurationError(scope.node.path, method, formatValue(service.node.path),
            'has no Service Connect, so it cannot resolve this service\'s name',
            'give the calling service serviceConnect: { clientOnly: true } (or a name of its own)').message,
        ];
      },
    });
  }
}

function callerPath(caller: ec2.IConnectable): string {
  const node = (caller as unknown as IConstruct)?.node;
  return node?.path ?? String(caller);
}
