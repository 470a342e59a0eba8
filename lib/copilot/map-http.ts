import { WebServiceOptions } from '../service/web-service-options';
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

/** A load-balanced workload's route and target-group settings from `http`. */
export function httpOptions(reader: ManifestReader): Pick<WebServiceOptions, 'pathPatterns' | 'hostHeaders' | 'healthCheck' | 'healthCheckGracePeriod' | 'deregistrationDelay'> {
  // Copilot adds the leading slash and routes the path and everything under it; `/` is the default route.
  const written = reader.string('http.path');
  const trimmed = written?.replace(/^\/+|\/+$/g, '');
  const pathPatterns = trimmed ? [`/${trimmed}`, `/${trimmed}/*`] : undefined;
  return {
    pathPatterns,
    hostHeaders: aliases(reader),
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
      healthyHttpCodes: reader.string('http.healthcheck.success_codes'),
      healthyThresholdCount: reader.number('http.healthcheck.healthy_threshold', { min: 2, max: 10 }),
      unhealthyThresholdCount: reader.number('http.healthcheck.unhealthy_threshold', { min: 2, max: 10 }),
      interval: seconds(reader.duration('http.healthcheck.interval')),
      timeout: seconds(reader.duration('http.healthcheck.timeout')),
    },
    healthCheckGracePeriod: seconds(reader.duration('http.healthcheck.grace_period')),
  };
}
