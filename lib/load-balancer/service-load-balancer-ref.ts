import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';

/**
 * What a WebService needs from a load balancer: a listener to add its rule to, the security
 * group its tasks join so the load balancer can reach them, and the VPC its target group lives in.
 *
 * Implemented by ServiceLoadBalancer, and by `ServiceLoadBalancer.fromListenerAttributes` for
 * the listener of a load balancer this library did not create.
 */
export interface IServiceLoadBalancer extends IConstruct {
  /** The ARN of the listener services attach to. */
  readonly listenerArn: string;
  /** The VPC of the load balancer: services' target groups are created in it. */
  readonly vpc: ec2.IVpc;
  /** The security group every service behind the load balancer joins: it admits the load balancer on the services' ports. */
  readonly targetSecurityGroup: ec2.ISecurityGroup;
  /** Where the services are reached, e.g. `https://app.example.com`. */
  readonly url: string;
  /** The listener's protocol. */
  readonly protocol: elbv2.ApplicationProtocol;
  /** The listener's port. */
  readonly port: number;

  /**
   * Lets the load balancer reach targets in `targetSecurityGroup` on `port`.
   *
   * @param port the targets' port
   */
  openTargetPort(port: number): void;

  /**
   * Routes requests to a service's target group: a listener rule, or the listener's default
   * action when neither `pathPatterns` nor `hostHeaders` is given (only where the listener is
   * this app's).
   *
   * @param id a name for the route, unique on this load balancer and stable across deploys
   * @param options the target group and the conditions
   * @returns the listener rule, or undefined for the default route
   */
  addTarget(id: string, options: ServiceRouteOptions): elbv2.ApplicationListenerRule | undefined;
}

/**
 * An existing Application Load Balancer's listener, and what services need to reach it.
 */
export interface ServiceLoadBalancerAttributes {
  /** The ARN of the listener services add their rules to (HTTPS:443, typically). */
  readonly listenerArn: string;

  /**
   * The load balancer's security group. The services' target security group admits it on their
   * ports, and the importing stack adds an egress rule per port to it (removed with the stack),
   * so a group that restricts egress still reaches the tasks.
   */
  readonly securityGroup: ec2.ISecurityGroup;

  /** The VPC of the load balancer. Services' tasks must run in it. */
  readonly vpc: ec2.IVpc;

  /**
   * The listener's port.
   *
   * @default 443 with `protocol` HTTPS, else 80
   */
  readonly port?: number;

  /**
   * The listener's protocol.
   *
   * @default elbv2.ApplicationProtocol.HTTPS
   */
  readonly protocol?: elbv2.ApplicationProtocol;

  /**
   * Where the services are reached (the load balancer's DNS name or your domain), for `url`.
   *
   * @default - `<protocol>://<loadBalancerDnsName>`; give `url` or `loadBalancerDnsName`
   */
  readonly url?: string;

  /**
   * The load balancer's DNS name, to build `url` from.
   *
   * @default - none; give `url` or `loadBalancerDnsName`
   */
  readonly loadBalancerDnsName?: string;
}

/**
 * How a service's target group is reached through the shared load balancer.
 */
export interface ServiceRouteOptions {
  /** The target group requests are forwarded to. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;

  /**
   * Path patterns to match, e.g. `['/api/*']`. Each starts with `/`, at most 128 characters;
   * `*` and `?` are wildcards. At most 5 values across `pathPatterns` and `hostHeaders`.
   *
   * @default - any path
   */
  readonly pathPatterns?: string[];

  /**
   * Host headers to match, e.g. `['api.example.com']` or `['*.example.com']`.
   *
   * @default - any host
   */
  readonly hostHeaders?: string[];

  /**
   * Source addresses to match, as CIDRs (`['203.0.113.0/24']`, IPv4 or IPv6): requests from
   * elsewhere skip this route for the load balancer's next one, or its default action. Counted in
   * the 5 condition values of the rule. A route with only source CIDRs matches every path from
   * them, ranked as `/*`.
   *
   * @default - any source the load balancer admits
   */
  readonly sourceCidrs?: string[];

  /**
   * The rule's priority, 1–50000, unique on this load balancer; lower is evaluated first.
   * Priorities 1–10000 never collide with automatic ones and come before all of them.
   *
   * @default - an automatic priority from 10001 to 49900 that depends only on this route: its
   * conditions' specificity (exact host with paths first, then wildcard host with paths, host
   * only, paths only; longer literal path prefixes first) and a hash of `id`. It does not change
   * when other routes are added or removed; two routes that hash to the same priority fail at
   * synth, naming both
   */
  readonly priority?: number;

  /**
   * Where the listener rule is created, as its child `ListenerRule`. Pass the service, so that
   * a service in another stack than the load balancer keeps its rule in its own stack (a rule
   * in the load balancer's stack would reference the service's target group and make the two
   * stacks depend on each other).
   *
   * @default - this load balancer, with the id `<id>Rule`
   */
  readonly ruleScope?: Construct;

  /**
   * A second target group, for ECS canary, linear and blue/green deployments: the route's rule
   * forwards with weights (`targetGroup` 100, `alternateTargetGroup` 0) that ECS changes while it
   * shifts traffic. ECS shifts traffic through a listener rule only, so a route without
   * `pathPatterns` and `hostHeaders` also gets a catch-all rule (path `/*`, priority 50000, after
   * every other rule) in front of the listener's default action, which still forwards to
   * `targetGroup` but is no longer reached. Switching to a shifting strategy adds the rule in front
   * of a working default; switching back removes it only in CloudFormation's cleanup phase, which
   * the deploy checks flag (ESK-UPD9) because ECS may have left its weights on the alternate group.
   *
   * The rule's actions do not change from one synth to the next while the route stays the same,
   * so a later deploy that changes other things does not re-send them and keeps ECS's traffic
   * shift; a change of the route itself re-sends them (aws-cdk #36649; ESK-UPD9 names it).
   *
   * @default - no alternate target group: the rule forwards to `targetGroup` only
   */
  readonly alternateTargetGroup?: elbv2.IApplicationTargetGroup;
}

/**
 * A test route: the same conditions and priority as a production route, on a test listener port.
 */
export interface ServiceTestRouteOptions {
  /** The test listener's port (not 80 or 443, nor a port another listener of the load balancer uses). */
  readonly port: number;
  /**
   * Where the rule is created, as its child `TestListenerRule`.
   *
   * @default - this load balancer, with the id `<id>TestRule`
   */
  readonly ruleScope?: Construct;
}
