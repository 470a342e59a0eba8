import { NetworkProtocol } from '../load-balancer/service-network-load-balancer-props';
import { NetworkServiceOptions } from '../service/network-service-options';
import { ManifestReader } from './manifest-reader';
import { seconds } from './map-task';

const PROTOCOLS: Record<string, NetworkProtocol> = {
  tcp: NetworkProtocol.TCP, udp: NetworkProtocol.UDP, tcp_udp: NetworkProtocol.TCP_UDP, tls: NetworkProtocol.TLS,
};

/**
 * A Load Balanced Web Service's `nlb` without `http`: the listener port and protocol (`443/tls`,
 * `53/udp`; TCP when none is written, as in Copilot), the target port, the health check and the
 * grace period. Internal.
 */
export function nlbOptions(reader: ManifestReader): Pick<NetworkServiceOptions, 'port' | 'protocol' | 'containerPort' | 'healthCheck' | 'healthCheckGracePeriod'> {
  const written = reader.string('nlb.port') ?? reader.fail('nlb.port', reader.peek('nlb'), 'is missing', 'give the listener port, e.g. 443/tls or 8080/tcp');
  const match = /^(\d+)(?:\/(tcp|udp|tcp_udp|tls))?$/i.exec(written.trim());
  if (!match) reader.fail('nlb.port', reader.peek('nlb.port'), 'is not a port with a protocol', 'write <port>[/tcp|udp|tcp_udp|tls], e.g. 443/tls');
  const port = Number(match[1]);
  if (port < 1 || port > 65535) reader.fail('nlb.port', reader.peek('nlb.port'), 'is not a port', 'use 1 to 65535');
  return {
    port,
    protocol: PROTOCOLS[(match[2] ?? 'tcp').toLowerCase()],
    containerPort: reader.number('nlb.target_port', { min: 1, max: 65535 }) ?? reader.number('image.port', { min: 1, max: 65535 }),
    healthCheck: reader.has('nlb.healthcheck') ? {
      port: reader.number('nlb.healthcheck.port', { min: 1, max: 65535 }),
      healthyThresholdCount: reader.number('nlb.healthcheck.healthy_threshold', { min: 2, max: 10 }),
      unhealthyThresholdCount: reader.number('nlb.healthcheck.unhealthy_threshold', { min: 2, max: 10 }),
      interval: seconds(reader.duration('nlb.healthcheck.interval')),
      timeout: seconds(reader.duration('nlb.healthcheck.timeout')),
    } : undefined,
    healthCheckGracePeriod: seconds(reader.duration('nlb.healthcheck.grace_period')),
  };
}
