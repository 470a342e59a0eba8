import { Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { checkPort, checkRange, fail, failWithText, formatValue } from '../validation/checks';
import { AUTO_PRIORITY_MIN, autoPriority, priorityBand, shadows } from './route-priority';
import { ANY_SOURCE, checkRouteConditions, cidrsCover, cidrsOverlap, MAX_RULE_PRIORITY, MAX_TARGET_GROUPS_PER_ALB, MIN_RULE_PRIORITY, sameCidrs } from './route-validation';
import { ServiceRouteOptions } from './service-load-balancer-ref';

/** What a test route copies from its production route. */
export interface ShiftingRoute {
  readonly priority: number;
  readonly conditions: elbv2.ListenerCondition[];
  readonly action: elbv2.ListenerAction;
  /** The route's sources, which its test route matches too. */
  readonly sourceCidrs: string[];
}

interface RouteRecord {
  readonly id: string;
  readonly priority: number;
  /** Whether the priority was assigned automatically. */
  readonly auto: boolean;
  readonly conditionKey: string;
  readonly pathPatterns: string[];
  readonly hostHeaders: string[];
  readonly sourceCidrs: string[];
  /** The rule scope's path, so errors can say where the route comes from. */
  readonly where?: string;
}

/**
 * The routes of one listener: the rules services attach with, their priorities and the checks
 * between them, and the target ports opened from the load balancer's security group. Shared by
 * ServiceLoadBalancer and imported listeners. Internal: not exported from index.ts.
 */
export class ListenerRoutes {
  private readonly routes: RouteRecord[] = [];
  private readonly openTargetPorts = new Set<number>();
  /** Target groups attached through addTarget, from any stack. */
  private readonly routeTargetGroups = new Set<elbv2.IApplicationTargetGroup>();
  private defaultRouteId?: string;
  /** Routes with an alternate target group, by route id: what a test route copies. */
  private readonly shiftingRoutes = new Map<string, ShiftingRoute>();

  /**
   * @param owner the load balancer construct: errors name it, and rules without a rule scope are its children
   * @param allowTargetPort adds the security group rules that let the load balancer reach the targets on a port (called once per port)
   * @param setDefaultAction makes a target group the listener's default action; undefined when the listener is not this app's
   */
  constructor(
    private readonly owner: Construct,
    private readonly listener: elbv2.IApplicationListener,
    private readonly allowTargetPort: (port: number) => void,
    private readonly setDefaultAction?: (id: string, targetGroup: elbv2.IApplicationTargetGroup) => void,
  ) {}

  /**
   * Lets the load balancer reach the targets on `port` (for health checks and traffic). Each port
   * is opened once, whatever the number of services using it.
   *
   * @param port the targets' port
   */
  public openTargetPort(port: number): void {
    checkPort(this.owner, 'port', port);
    if (this.openTargetPorts.has(port)) return;
    this.openTargetPorts.add(port);
    this.allowTargetPort(port);
  }

  /**
   * Routes requests to a service's target group.
   *
   * Without `pathPatterns` and `hostHeaders` the target group becomes the listener's default
   * action (one route only may do that); otherwise a listener rule with the given or an automatic
   * priority forwards matching requests. An automatic priority depends only on this route (its
   * conditions' specificity and a hash of `id`), so it stays the same when other routes are added
   * or removed: see `ServiceRouteOptions.priority`.
   *
   * @param id a name for the route, unique on this load balancer and stable across deploys (the automatic priority is derived from it); the rule's construct id is `${id}Rule`
   * @param options the target group and the conditions
   * @returns the listener rule, or undefined for the default route
   */
  public addTarget(id: string, options: ServiceRouteOptions): elbv2.ApplicationListenerRule | undefined {
    const routeScope = this.owner.node.tryFindChild(`${id}Rule`) !== undefined || this.defaultRouteId === id || this.routes.some(r => r.id === id);
    if (routeScope) {
      fail(this.owner, 'id', id, 'is already the id of a route on this load balancer', 'give each addTarget call its own id');
    }
    const pathPatterns = options.pathPatterns ?? [];
    const hostHeaders = options.hostHeaders ?? [];
    const sourceCidrs = options.sourceCidrs ?? [];
    if (options.sourceCidrs !== undefined && sourceCidrs.length === 0) {
      fail(this.owner, 'sourceCidrs', sourceCidrs, `of route ${id} is empty`, 'give at least one CIDR, or leave sourceCidrs out');
    }
    if (options.pathPatterns !== undefined && pathPatterns.length === 0) {
      fail(this.owner, 'pathPatterns', pathPatterns, `of route ${id} is empty`, 'give at least one path pattern, or leave pathPatterns out');
    }
    if (options.hostHeaders !== undefined && hostHeaders.length === 0) {
      fail(this.owner, 'hostHeaders', hostHeaders, `of route ${id} is empty`, 'give at least one host header, or leave hostHeaders out');
    }
    this.checkTargetGroupQuota(id, options.targetGroup);
    const alternate = options.alternateTargetGroup;
    if (alternate) {
      if (alternate === options.targetGroup) {
        fail(this.owner, 'alternateTargetGroup', alternate.node.path, `of route ${id} is its targetGroup`, 'give a second target group with the same port and health check');
      }
      this.checkTargetGroupQuota(id, alternate);
    }

    if (pathPatterns.length === 0 && hostHeaders.length === 0 && sourceCidrs.length === 0) {
      if (!this.setDefaultAction) {
        fail(this.owner, 'pathPatterns', pathPatterns, `of route ${id}${describeWhere(options.ruleScope)} are missing (as are hostHeaders), so it would replace the default action of the imported listener ${this.owner.node.path}, which is not this app's to change`,
          'give the route pathPatterns and/or hostHeaders');
      }
      if (options.ruleScope && Stack.of(options.ruleScope) !== Stack.of(this.owner)) {
        fail(this.owner, 'pathPatterns', pathPatterns, `of route ${id} are missing, so it would be the listener's default action, which lives in the load balancer's stack ${Stack.of(this.owner).stackName} while the service is in ${Stack.of(options.ruleScope).stackName}`,
          'give a service in another stack pathPatterns and/or hostHeaders, or create it in the load balancer\'s stack');
      }
      if (options.priority !== undefined) {
        fail(this.owner, 'priority', options.priority, `of route ${id} has no pathPatterns or hostHeaders to rank`,
          'give pathPatterns and/or hostHeaders with a priority, or leave priority out to make this the default route');
      }
      if (this.defaultRouteId !== undefined) {
        fail(this.owner, 'pathPatterns', undefined, `of route ${id}${describeWhere(options.ruleScope)} are missing (as are hostHeaders), so it would be a second default route: route ${this.defaultRouteId} already is`,
          `give route ${id} pathPatterns and/or hostHeaders`);
      }
      this.defaultRouteId = id;
      this.routeTargetGroups.add(options.targetGroup);
      this.setDefaultAction(id, options.targetGroup);
      // With an alternate target group a catch-all rule follows (below): it takes every request,
      // so the default action above is never reached. Switching to a shifting strategy adds the
      // rule in front of a working default; switching back removes it only in cleanup, which the
      // deploy checks flag (ESK-UPD9: its weights may be on the emptied alternate group).
      if (!alternate) return undefined;
    }

    // A shifting route without conditions: a catch-all rule after every other rule (ECS shifts
    // traffic through a listener rule, never through the listener's default action).
    const catchAll = pathPatterns.length === 0 && hostHeaders.length === 0 && sourceCidrs.length === 0;
    if (!catchAll) checkRouteConditions(this.owner, id, pathPatterns, hostHeaders, sourceCidrs);
    checkRange(this.owner, 'priority', options.priority, MIN_RULE_PRIORITY, MAX_RULE_PRIORITY);
    // A route with source CIDRs only matches every path from them: ranked as `/*`.
    const rankedPaths = pathPatterns.length === 0 && hostHeaders.length === 0 && sourceCidrs.length > 0 ? ['/*'] : pathPatterns;

    const conditionKey = JSON.stringify([
      [...new Set(hostHeaders.map(h => h.toLowerCase()))].sort(),
      [...new Set(rankedPaths)].sort(),
    ]);
    for (const same of this.routes.filter(r => r.conditionKey === conditionKey)) this.checkSameConditions(id, options.priority, pathPatterns, hostHeaders, sourceCidrs, same);

    const auto = options.priority === undefined && !catchAll;
    const priority = options.priority ?? (catchAll ? MAX_RULE_PRIORITY : autoPriority(id, rankedPaths, hostHeaders));
    const holder = Token.isUnresolved(priority) ? undefined : this.routes.find(r => r.priority === priority);
    if (holder) {
      const route = routeLabel(id, options.ruleScope?.node.path);
      const other = routeLabel(holder.id, holder.where);
      if (auto) {
        failWithText(this.owner, 'priority', '(automatic)', `of ${route} would be ${priority}, which ${other} already has (${holder.auto ? 'its automatic priority: the two route ids hash to the same value' : 'given as its priority'})`,
          `set priority on ${route} or on ${other}: any free value from ${MIN_RULE_PRIORITY} to ${AUTO_PRIORITY_MIN - 1} never collides with automatic priorities (taken: ${this.takenPriorities().join(', ')})`);
      }
      fail(this.owner, 'priority', priority, `of ${route} is already used by ${other}${holder.auto ? ' (its automatic priority)' : ''}`,
        `use a priority no other route has; any free value from ${MIN_RULE_PRIORITY} to ${AUTO_PRIORITY_MIN - 1} never collides with automatic priorities (taken: ${this.takenPriorities().join(', ')})`);
    }
    if (auto) this.checkShadowing(id, priority, rankedPaths, hostHeaders, sourceCidrs, options.ruleScope);
    this.routes.push({ id, priority, auto, conditionKey, pathPatterns: rankedPaths, hostHeaders, sourceCidrs, where: options.ruleScope?.node.path });
    this.routeTargetGroups.add(options.targetGroup);
    if (alternate) this.routeTargetGroups.add(alternate);

    const conditions: elbv2.ListenerCondition[] = [];
    if (hostHeaders.length > 0) conditions.push(elbv2.ListenerCondition.hostHeaders(hostHeaders));
    if (pathPatterns.length > 0) conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns));
    if (sourceCidrs.length > 0) conditions.push(elbv2.ListenerCondition.sourceIps(sourceCidrs));
    if (conditions.length === 0) conditions.push(elbv2.ListenerCondition.pathPatterns(['/*']));
    if (options.ruleScope?.node.tryFindChild('ListenerRule')) {
      fail(this.owner, 'ruleScope', options.ruleScope.node.path, 'already holds a ListenerRule', 'give each route its own rule scope (one per service)');
    }
    // With an alternate target group: the weights ECS starts from (all traffic on targetGroup).
    // Constant in the template, so no later deploy re-sends them (see alternateTargetGroup).
    const action = alternate
      ? elbv2.ListenerAction.weightedForward([{ targetGroup: options.targetGroup, weight: 100 }, { targetGroup: alternate, weight: 0 }])
      : elbv2.ListenerAction.forward([options.targetGroup]);
    // The test route copies the rule, sources included: the test rules of one test port stay as
    // distinct as the production rules (ServiceLoadBalancer.addTestRoute warns when the test
    // listener admits callers the sources leave out).
    if (alternate) this.shiftingRoutes.set(id, { priority, conditions, action, sourceCidrs });
    const [ruleScope, ruleId] = options.ruleScope ? [options.ruleScope, 'ListenerRule'] : [this.owner, `${id}Rule`];
    return new elbv2.ApplicationListenerRule(ruleScope, ruleId, {
      listener: this.listener,
      priority,
      conditions,
      action,
    });
  }

  /** The rule of a route added with an alternate target group, for its test route. */
  public shiftingRoute(id: string): ShiftingRoute | undefined {
    return this.shiftingRoutes.get(id);
  }

  /**
   * Two routes with the same paths and hosts: only their sources may tell them apart. Sources
   * that no request can come from twice (disjoint CIDRs) are any order; otherwise the route
   * evaluated first (the lower priority) must be the narrower one, and both priorities are the
   * user's, since automatic ones would order them by chance.
   */
  private checkSameConditions(id: string, priority: number | undefined, pathPatterns: string[], hostHeaders: string[], sourceCidrs: string[], same: RouteRecord): void {
    const where = `pathPatterns ${formatValue(pathPatterns)} with hostHeaders ${formatValue(hostHeaders)}`;
    if (sourceCidrs.length > 0 && same.sourceCidrs.length > 0 && !cidrsOverlap(sourceCidrs, same.sourceCidrs)) return;
    if (sourceCidrs.length === 0 && same.sourceCidrs.length === 0) {
      fail(this.owner, 'pathPatterns', pathPatterns, `with hostHeaders ${formatValue(hostHeaders)} of route ${id} match the same requests as route ${same.id}`,
        'give each route different pathPatterns or hostHeaders');
    }
    if (sameCidrs(sourceCidrs, same.sourceCidrs)) {
      fail(this.owner, 'sourceCidrs', sourceCidrs, `of route ${id} (${where}) admit the same sources as route ${same.id}, which has the same paths and hosts: both match the same requests`,
        'give each route different pathPatterns, hostHeaders or sourceCidrs');
    }
    if (priority === undefined || same.auto) {
      fail(this.owner, 'priority', priority ?? '(automatic)', `of route ${id} (${where}) leaves its order with route ${same.id}, which has the same paths and hosts and other sources, to chance`,
        'give both routes a priority, the one with the narrower sourceCidrs first (lower)');
    }
    // Whichever is evaluated first must not take every request the other one is for.
    const [first, second] = priority < same.priority ? [{ id, sourceCidrs }, same] : [same, { id, sourceCidrs }];
    const sources = (cidrs: string[]) => (cidrs.length > 0 ? cidrs : ANY_SOURCE);
    if (cidrsCover(sources(first.sourceCidrs), sources(second.sourceCidrs))) {
      fail(this.owner, 'priority', priority, `puts route ${first.id} before route ${second.id} (${where}), and ${first.sourceCidrs.length ? 'its sourceCidrs cover the other\'s' : 'it admits every source'}: route ${second.id} would never be reached`,
        'give the route with the narrower sourceCidrs the lower priority');
    }
  }

  /**
   * Two automatic routes in the same band are ordered by hash, not by specificity: fail when the
   * broader one would come first and hide the narrower one (`/api/*` before `/api/v1/*`). Routes
   * with sources are compared across bands too: their band weighs their paths, not their sources.
   */
  private checkShadowing(id: string, priority: number, pathPatterns: string[], hostHeaders: string[], sourceCidrs: string[], scope: Construct | undefined): void {
    const band = priorityBand(pathPatterns, hostHeaders);
    const route = { pathPatterns, hostHeaders, sourceCidrs };
    for (const other of this.routes) {
      // Within a band the hash orders routes; across bands specificity does, which weighs paths
      // only: a route told apart by its sources is checked against every band.
      const sourced = sourceCidrs.length > 0 || other.sourceCidrs.length > 0;
      if (!other.auto || (!sourced && priorityBand(other.pathPatterns, other.hostHeaders) !== band)) continue;
      // Routes for disjoint sources never see the same request.
      if (sourceCidrs.length > 0 && other.sourceCidrs.length > 0 && !cidrsOverlap(sourceCidrs, other.sourceCidrs)) continue;
      const [narrow, broad] = shadows(other, route) && priority > other.priority
        ? [{ id, priority, where: scope?.node.path, paths: pathPatterns }, { id: other.id, priority: other.priority, where: other.where, paths: other.pathPatterns }]
        : shadows(route, other) && other.priority > priority
          ? [{ id: other.id, priority: other.priority, where: other.where, paths: other.pathPatterns }, { id, priority, where: scope?.node.path, paths: pathPatterns }]
          : [undefined, undefined];
      if (!narrow || !broad) continue;
      const [narrowRoute, broadRoute] = [routeLabel(narrow.id, narrow.where), routeLabel(broad.id, broad.where)];
      failWithText(this.owner, 'priority', '(automatic)', `of ${routeLabel(id, scope?.node.path)} leaves ${narrowRoute} (pathPatterns ${formatValue(narrow.paths)}) at ${narrow.priority}, after the broader ${broadRoute} (pathPatterns ${formatValue(broad.paths)}) at ${broad.priority}, which would take its requests`,
        `set priority on ${narrowRoute} (1–${AUTO_PRIORITY_MIN - 1} come before every automatic priority), or give the two routes different hostHeaders`);
    }
  }

  private takenPriorities(): number[] {
    return this.routes.map(r => r.priority).filter(p => !Token.isUnresolved(p)).sort((a, b) => a - b);
  }

  /** Fails as soon as addTarget would attach more target groups than an ALB takes. */
  private checkTargetGroupQuota(id: string, targetGroup: elbv2.IApplicationTargetGroup): void {
    if (this.routeTargetGroups.has(targetGroup) || this.routeTargetGroups.size < MAX_TARGET_GROUPS_PER_ALB) return;
    failWithText(this.owner, 'loadBalancer', this.owner.node.path, `gets target group number ${this.routeTargetGroups.size + 1} (${targetGroup.node.path}, route ${id}), counted across all stacks that attach to it`,
      `an Application Load Balancer takes at most ${MAX_TARGET_GROUPS_PER_ALB} target groups and the quota cannot be raised: give further services another ServiceLoadBalancer as their loadBalancer`);
  }
}

/** ` (Stack/Web/Service)` for a route created for a construct, else nothing. */
function describeWhere(scope: Construct | undefined): string {
  return scope?.node.path ? ` (${scope.node.path})` : '';
}

/** A route as its user knows it: the service that owns its rule (its construct path), else its id. */
function routeLabel(id: string, where: string | undefined): string {
  return where ?? `route ${id}`;
}
