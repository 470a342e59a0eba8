import { Duration } from 'aws-cdk-lib';
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
export function nlbOptions(reader: ManifestReader, workload: string): Pick<NetworkServiceOptions, 'port' | 'protocol' | 'containerPort' | 'healthCheck' | 'healthCheckGracePeriod'> {
  const written = reader.string('nlb.port') ?? reader.fail('nlb.port', reader.peek('nlb'), 'is missing', 'give the listener port, e.g. 443/tls or 8080/tcp');
  const match = /^(\d+)(?:\/(tcp|udp|tcp_udp|tls))?$/i.exec(written.trim());
  if (!match) reader.fail('nlb.port', reader.peek('nlb.port'), 'is not a port with a protocol', 'write <port>[/tcp|udp|tcp_udp|tls], e.g. 443/tls');
  const port = Number(match[1]);
  if (port < 1 || port > 65535) reader.fail('nlb.port', reader.peek('nlb.port'), 'is not a port', 'use 1 to 65535');
  const protocol = PROTOCOLS[(match[2] ?? 'tcp').toLowerCase()];
  const container = reader.string('nlb.target_container');
  if (container !== undefined && container !== workload) {
    reader.fail('nlb.target_container', reader.peek('nlb.target_container'), 'names a container other than the main one',
      `route the NLB to the main container (${workload}), or build a NetworkService for the sidecar in CDK`);
  }
  const healthCheckPort = reader.number('nlb.healthcheck.port', { min: 1, max: 65535 });
  if (protocol === NetworkProtocol.UDP && healthCheckPort === undefined) {
    // Copilot refuses it too: a Network Load Balancer checks health over TCP, HTTP or HTTPS only.
    reader.fail('nlb.port', reader.peek('nlb.port'), 'is UDP without nlb.healthcheck.port', 'give nlb.healthcheck.port, a TCP port the container answers on');
  }
  // A timeout written alone gets Copilot's interval (30 s, AWS's default), not this library's 5 s;
  // an interval written alone keeps this library's timeout (4 s), shorter than any interval.
  const timeout = seconds(reader.duration('nlb.healthcheck.timeout'));
  const interval = seconds(reader.duration('nlb.healthcheck.interval')) ?? (timeout ? Duration.seconds(30) : undefined);
  if (interval && timeout && timeout.toSeconds() >= interval.toSeconds()) {
    reader.fail('nlb.healthcheck.timeout', reader.peek('nlb.healthcheck.timeout') ?? reader.peek('nlb.healthcheck.interval'),
      `is not shorter than the interval (${interval.toSeconds()} s)`, 'give a timeout shorter than the interval');
  }
  return {
    port,
    protocol,
    // Copilot's default target port is the listener's, not image.port.
    containerPort: reader.number('nlb.target_port', { min: 1, max: 65535 }) ?? port,
    healthCheck: reader.has('nlb.healthcheck') ? {
      port: healthCheckPort,
      healthyThresholdCount: reader.number('nlb.healthcheck.healthy_threshold', { min: 2, max: 10 }),
      unhealthyThresholdCount: reader.number('nlb.healthcheck.unhealthy_threshold', { min: 2, max: 10 }),
      interval,
      timeout,
    } : undefined,
    healthCheckGracePeriod: seconds(reader.duration('nlb.healthcheck.grace_period')),
  };
}
