import { CfnTemplate, DeployCheckRule, Finding } from '../../rule';
import { asArray, forwardedTargetGroups, refResource, refTarget, resources } from '../../template';

/**
 * ESK-ELB8: a load balancer whose security groups cannot reach the port of the tasks it forwards
 * to. For an awsvpc (Fargate) service registered in a target group that a listener or listener
 * rule of the same template forwards to, the load balancer's traffic must leave one of its
 * security groups (egress) and enter one of the tasks' (ingress) on the container port; if not,
 * every health check times out, the targets stay unhealthy and the deployment never completes.
 *
 * UDP and TCP_UDP target groups (Network Load Balancer) need UDP rules on the port, and a target
 * group's literal health-check port other than the traffic port (or a UDP group's own port, the
 * health check being TCP, HTTP or HTTPS) needs TCP rules.
 *
 * Judged only when it can be: the service's and the load balancer's security groups are all
 * security groups of the template and the port is a number. A rule from or to a CIDR or a prefix
 * list, or from a security group that is not a literal id, counts as reaching (the check cannot
 * tell the tasks' addresses); a security group without inline egress rules allows all egress
 * (CloudFormation's default). A listener on another stack is not followed.
 *
 * Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html
 * ("the security groups for your load balancer must allow it to communicate with registered
 * targets on both the listener port and the health check port"); the target's security group
 * must allow it in (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-service-load-balancers.html).
 */
export const ESK_ELB8: DeployCheckRule = {
  id: 'ESK-ELB8',
  severity: 'error',
  reason: 'Load balancer\'s security groups cannot reach the tasks\' port (no egress from them, or no ingress into the tasks\' groups): health checks fail and the deployment never completes',
  fix: 'Allow the port from the load balancer\'s security group into the service\'s (CDK: service.connections.allowFrom(loadBalancer, Port.tcp(port))), and out of the load balancer\'s group.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const template = stack.template;
      for (const [id, service] of resources(template, 'AWS::ECS::Service')) {
        const taskGroups = securityGroups(template, service.Properties?.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups);
        if (taskGroups === undefined) continue;
        asArray(service.Properties?.LoadBalancers).forEach((lb: any, i: number) => {
          const port = lb?.ContainerPort;
          const targetGroup = refTarget(lb?.TargetGroupArn);
          if (typeof port !== 'number' || targetGroup === undefined) return;
          for (const [lbId, lbGroups] of loadBalancersForwardingTo(template, targetGroup)) {
            for (const [protocol, p] of neededPorts(template.Resources?.[targetGroup]?.Properties, port)) {
              const gaps = [
                ...(lbGroups.some((g) => allowsEgress(template, g, taskGroups, p, protocol)) ? [] : [`no egress from ${lbGroups.join(', ')}`]),
                ...(taskGroups.some((g) => allowsIngress(template, g, lbGroups, p, protocol)) ? [] : [`no ingress into ${taskGroups.join(', ')}`]),
              ];
              if (gaps.length === 0) continue;
              findings.push({
                templatePath: stack.templatePath, logicalId: id, locations: [`Properties/LoadBalancers/${i}`, 'Properties/NetworkConfiguration'],
                detail: `${lbId} to port ${p}${protocol === 'udp' ? '/udp' : ''}: ${gaps.join('; ')}`,
              });
            }
          }
        });
      }
    }
    return findings;
  },
};

/** The logical ids of a list of security-group references, or undefined when one is not a security group of the template. */
function securityGroups(template: CfnTemplate, value: unknown): string[] | undefined {
  const groups = asArray(value);
  if (groups.length === 0) return undefined;
  const ids = groups.map((g) => refResource(template, g, 'AWS::EC2::SecurityGroup')?.[0]);
  return ids.every((g) => g !== undefined) ? ids : undefined;
}

/** Each load balancer (with its security groups, all of the template) whose listener or rule forwards to the target group. */
function loadBalancersForwardingTo(template: CfnTemplate, targetGroup: string): Map<string, string[]> {
  const listeners = new Set<string>();
  for (const [id, l] of resources(template, 'AWS::ElasticLoadBalancingV2::Listener')) {
    if (forwardedTargetGroups(l.Properties?.DefaultActions).some((t) => refTarget(t) === targetGroup)) listeners.add(id);
  }
  for (const [, r] of resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
    const listener = refTarget(r.Properties?.ListenerArn);
    if (listener !== undefined && forwardedTargetGroups(r.Properties?.Actions).some((t) => refTarget(t) === targetGroup)) listeners.add(listener);
  }
  const out = new Map<string, string[]>();
  for (const listener of listeners) {
    const lb = refResource(template, template.Resources?.[listener]?.Properties?.LoadBalancerArn, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const groups = lb && securityGroups(template, lb[1].Properties?.SecurityGroups);
    if (lb && groups) out.set(lb[0], groups);
  }
  return out;
}

/**
 * The inline rules of a security group and the separate rule resources of `type` on it; a rule
 * resource whose group is not a reference (a GroupName, a literal id) may be on it too.
 */
function rulesOf(template: CfnTemplate, group: string, inline: 'SecurityGroupIngress' | 'SecurityGroupEgress', type: string): any[] {
  return [
    ...asArray(template.Resources?.[group]?.Properties?.[inline]),
    ...resources(template, type).filter(([, r]) => [group, undefined].includes(refTarget(r.Properties?.GroupId))).map(([, r]) => r.Properties),
  ];
}

type IpProtocol = 'tcp' | 'udp';

/**
 * What the load balancer must reach on the tasks: the container port on the target group's
 * protocol (UDP and TCP_UDP target groups of a Network Load Balancer need UDP), and a literal
 * health-check port other than the traffic port on TCP (health checks are TCP, HTTP or HTTPS).
 */
function neededPorts(targetGroup: any, port: number): Array<[IpProtocol, number]> {
  const protocol = String(targetGroup?.Protocol ?? '').toUpperCase();
  const needed: Array<[IpProtocol, number]> = protocol === 'UDP' ? [['udp', port]]
    : protocol === 'TCP_UDP' ? [['tcp', port], ['udp', port]] : [['tcp', port]];
  const healthPort = Number(targetGroup?.HealthCheckPort);
  if (Number.isInteger(healthPort) && healthPort !== port) needed.push(['tcp', healthPort]);
  else if (protocol === 'UDP') needed.push(['tcp', port]);
  return needed;
}

/** A rule of `wanted` protocol covering the port (all protocols too); a port that is not a number counts as covering. */
function coversPort(rule: any, port: number, wanted: IpProtocol = 'tcp'): boolean {
  const protocol = String(rule?.IpProtocol).toLowerCase();
  if (protocol === '-1') return true;
  if (protocol !== wanted && protocol !== (wanted === 'tcp' ? '6' : '17')) return false;
  const [from, to] = [Number(rule?.FromPort), Number(rule?.ToPort)];
  return Number.isNaN(from) || Number.isNaN(to) || (from <= port && port <= to);
}

/** The peer of a rule is one of `groups`, or something the check cannot place (a CIDR, a prefix list, a token). */
function peerMayBe(rule: any, key: 'SourceSecurityGroupId' | 'DestinationSecurityGroupId', prefixKey: string, groups: string[]): boolean {
  if (rule?.CidrIp !== undefined || rule?.CidrIpv6 !== undefined || rule?.[prefixKey] !== undefined) return rule?.CidrIp !== '255.255.255.255/32';
  const peer = rule?.[key];
  if (peer === undefined || typeof peer === 'string') return false;
  const target = refTarget(peer);
  return target === undefined || groups.includes(target);
}

function allowsIngress(template: CfnTemplate, group: string, from: string[], port: number, protocol: IpProtocol): boolean {
  return rulesOf(template, group, 'SecurityGroupIngress', 'AWS::EC2::SecurityGroupIngress')
    .some((r) => coversPort(r, port, protocol) && peerMayBe(r, 'SourceSecurityGroupId', 'SourcePrefixListId', from));
}

function allowsEgress(template: CfnTemplate, group: string, to: string[], port: number, protocol: IpProtocol): boolean {
  // Without inline egress rules, CloudFormation leaves the default allow-all rule in place.
  if (template.Resources?.[group]?.Properties?.SecurityGroupEgress === undefined) return true;
  return rulesOf(template, group, 'SecurityGroupEgress', 'AWS::EC2::SecurityGroupEgress')
    .some((r) => coversPort(r, port, protocol) && peerMayBe(r, 'DestinationSecurityGroupId', 'DestinationPrefixListId', to));
}
