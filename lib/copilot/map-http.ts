import { WebServiceOptions } from '../service/web-service-options';
import { SidecarOptions } from '../task-definition/container-options';
import { ManifestReader } from './manifest-reader';
import { seconds } from './map-task';

/** Whether the manifest routes HTTP to the workload: `http` set and not `false`. */
export function hasHttp(reader: ManifestReader): boolean {
  const node = reader.peek('http');
  if (node === undefined) return false;
  if (node.scalar === false) {
    reader.take('http');
    return false;
  }
  return true;
}

/**
 * A load-balanced workload's route and target-group settings from `http`. `defaultHosts` is the
 * number of host headers the route gets without `alias` (a Backend Service's internal name).
 */
export function httpOptions(reader: ManifestReader, defaultHosts = 0): Pick<WebServiceOptions, 'pathPatterns' | 'hostHeaders' | 'sourceCidrs' | 'healthCheck' | 'healthCheckGracePeriod' | 'deregistrationDelay'> {
  // Copilot adds the leading slash and routes the path and everything under it; `/` is the default route.
  const written = reader.string('http.path');
  const trimmed = written?.replace(/^\/+|\/+$/g, '');
  const pathPatterns = trimmed ? [`/${trimmed}`, `/${trimmed}/*`] : undefined;
  const hostHeaders = aliases(reader);
  // Copilot's allowed_source_ips: a source-ip condition on the workload's rule; other sources get the load balancer's 404.
  const sourceCidrs = reader.stringList('http.allowed_source_ips');
  // Without aliases a Backend Service is routed by its internal host name (`defaultHosts`), which counts too.
  const values = (pathPatterns?.length ?? 0) + (hostHeaders?.length ?? defaultHosts) + (sourceCidrs?.length ?? 0);
  if (sourceCidrs !== undefined && values > 5) {
    reader.fail('http.allowed_source_ips', reader.peek('http.allowed_source_ips'), `makes ${values} condition values with the path's and the aliases', and an ALB rule takes 5`,
      'list fewer sources (a wider CIDR covers more addresses), or fewer aliases');
  }
  return {
    pathPatterns,
    hostHeaders,
    sourceCidrs,
    ...healthCheck(reader),
    deregistrationDelay: seconds(reader.duration('http.deregistration_delay')),
  };
}

function aliases(reader: ManifestReader): string[] | undefined {
  const node = reader.peek('http.alias');
  if (node === undefined) return undefined;
  if (node.items?.some((item) => item.entries)) {
    // The advanced form: [{name, hosted_zone}]; the name is the host header.
    return node.items.map((item, i) => {
      const name = item.entries?.get('name')?.scalar;
      if (typeof name !== 'string') reader.fail(`http.alias[${i}].name`, item, 'is not a domain name', 'give each alias a name');
      reader.take('http.alias.name');
      return name;
    });
  }
  return reader.stringList('http.alias');
}

function healthCheck(reader: ManifestReader): Pick<WebServiceOptions, 'healthCheck' | 'healthCheckGracePeriod'> {
  const node = reader.peek('http.healthcheck');
  if (node === undefined) return {};
  if (!node.entries) return { healthCheck: { path: reader.string('http.healthcheck') } };
  return {
    healthCheck: {
      path: reader.string('http.healthcheck.path'),
      port: reader.number('http.healthcheck.port', { min: 1, max: 65535 }),
      healthyHttpCodes: reader.string('http.healthcheck.success_codes'),
      healthyThresholdCount: reader.number('http.healthcheck.healthy_threshold', { min: 2, max: 10 }),
      unhealthyThresholdCount: reader.number('http.healthcheck.unhealthy_threshold', { min: 2, max: 10 }),
      interval: seconds(reader.duration('http.healthcheck.interval')),
      timeout: seconds(reader.duration('http.healthcheck.timeout')),
    },
    healthCheckGracePeriod: seconds(reader.duration('http.healthcheck.grace_period')),
  };
}

/**
 * `http.target_container` and `http.target_port`: the container the load balancer reaches (the
 * main one, named by the workload as in Copilot, or a sidecar such as a proxy) and its port.
 * Without `target_container`, the container whose port is `target_port`, as Copilot picks it
 * (copilot-cli `svc.go`, targetContainerFromTargetPort). A sidecar without a port is refused, as
 * Copilot refuses it. A `target_port` no container has is left unread (Copilot opened a second
 * port on the container; this library reaches one), so synth names it.
 */
export function httpTarget(
  reader: ManifestReader, workloadName: string, containerPort: number | undefined, sidecars: SidecarOptions[] | undefined,
): { targetContainerName?: string; targetPort?: number } {
  const name = reader.string('http.target_container');
  const portNode = reader.peek('http.target_port');
  const port = portNode === undefined ? undefined : Number(portNode.text ?? portNode.scalar);
  let sidecar: SidecarOptions | undefined;
  if (name === undefined) {
    if (port !== undefined && port !== containerPort) sidecar = sidecars?.find((s) => s.containerPort === port);
  } else if (name !== workloadName) {
    sidecar = sidecars?.find((s) => s.containerName === name)
      ?? reader.fail('http.target_container', reader.peek('http.target_container'), `names ${name}, which is not a container of this task`,
        `use ${workloadName} (the main container) or a sidecar's name${sidecars?.length ? ` (${sidecars.map((s) => s.containerName).join(', ')})` : ''}`);
    if (sidecar.containerPort === undefined) {
      reader.fail('http.target_container', reader.peek('http.target_container'), `names sidecar ${name}, which exposes no port (Copilot refuses it too)`, `give sidecars.${name}.port`);
    }
  }
  const targetPort = sidecar?.containerPort ?? containerPort;
  if (port === undefined || port === targetPort) reader.take('http.target_port');
  return sidecar ? { targetContainerName: sidecar.containerName, targetPort } : {};
}
