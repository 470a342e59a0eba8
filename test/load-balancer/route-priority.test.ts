import { Names, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { WebService } from '../../lib/service';
import { AUTO_PRIORITY_MAX, AUTO_PRIORITY_MIN, autoPriority, priorityBand } from '../../lib/load-balancer/route-priority';
import { testApp, testStack } from '../util/test-app';

interface Route {
  readonly id: string;
  readonly pathPatterns?: string[];
  readonly hostHeaders?: string[];
  readonly priority?: number;
}

/** Adds the routes in order to a fresh load balancer and returns each route's priority by id (no synth). */
function priorities(routes: Route[]): Record<string, number> {
  const stack = testStack(testApp());
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogs: false });
  const out: Record<string, number> = {};
  for (const r of routes) {
    const rule = lb.addTarget(r.id, { targetGroup: tg(stack, r.id, vpc), pathPatterns: r.pathPatterns, hostHeaders: r.hostHeaders, priority: r.priority });
    out[r.id] = (rule!.node.defaultChild as elbv2.CfnListenerRule).priority;
  }
  return out;
}

function tg(stack: Stack, id: string, vpc: ec2.IVpc): elbv2.ApplicationTargetGroup {
  return new elbv2.ApplicationTargetGroup(stack, `${id}Tg`, { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
}

const A: Route = { id: 'Orders', pathPatterns: ['/orders/*'] };
const B: Route = { id: 'Billing', pathPatterns: ['/billing/*'] };
const C: Route = { id: 'Catalog', pathPatterns: ['/catalog/*'] };

describe('automatic listener-rule priorities', () => {
  test('removing a middle route leaves every other rule\'s priority unchanged', () => {
    // GIVEN routes A, B, C deployed
    const before = priorities([A, B, C]);
    // WHEN B is removed
    const after = priorities([A, C]);
    // THEN A and C keep theirs (CloudFormation updates C before it deletes B: no PriorityInUse)
    expect(after).toEqual({ Orders: before.Orders, Catalog: before.Catalog });
  });

  test('inserting a route first leaves every other rule\'s priority unchanged, and the new one takes none of theirs', () => {
    const before = priorities([A, B, C]);
    const after = priorities([{ id: 'Search', pathPatterns: ['/search/*'] }, A, B, C]);
    expect({ Orders: after.Orders, Billing: after.Billing, Catalog: after.Catalog }).toEqual(before);
    expect(Object.values(before)).not.toContain(after.Search);
  });

  test('automatic priorities lie above every priority the 10, 20, 30… scheme of 0.1 assigned (no clash on the first update)', () => {
    const p = priorities([A, B, C, { id: 'Admin', hostHeaders: ['admin.example.com'] }, { id: 'Wild', hostHeaders: ['*.example.com'], pathPatterns: ['/x/*'] }]);
    for (const value of Object.values(p)) {
      expect(value).toBeGreaterThanOrEqual(AUTO_PRIORITY_MIN);
      expect(value).toBeLessThanOrEqual(AUTO_PRIORITY_MAX);
    }
    expect(AUTO_PRIORITY_MIN).toBeGreaterThan(1000);
    expect(AUTO_PRIORITY_MAX).toBeLessThanOrEqual(50000);
  });

  test('more specific conditions get lower priorities, whatever the code order', () => {
    const routes: Route[] = [
      { id: 'PathOnlyShort', pathPatterns: ['/*'] },
      { id: 'PathOnlyLong', pathPatterns: ['/api/v1/*'] },
      { id: 'PathOnlyMid', pathPatterns: ['/api/*'] },
      { id: 'PathExact', pathPatterns: ['/api/v1'] },
      { id: 'WildcardHost', hostHeaders: ['*.example.com'] },
      { id: 'ExactHost', hostHeaders: ['shop.example.com'] },
      { id: 'WildcardHostPath', hostHeaders: ['*.example.com'], pathPatterns: ['/api/*'] },
      { id: 'ExactHostPath', hostHeaders: ['shop.example.com'], pathPatterns: ['/api/*'] },
    ];
    const forward = priorities(routes);
    const backward = priorities([...routes].reverse());
    expect(backward).toEqual(forward);
    const order = Object.entries(forward).sort((a, b) => a[1] - b[1]).map(([id]) => id);
    expect(order).toEqual([
      'ExactHostPath', 'WildcardHostPath', 'ExactHost', 'WildcardHost',
      'PathOnlyLong', 'PathExact', 'PathOnlyMid', 'PathOnlyShort',
    ]);
  });

  test('a route ranks by its least specific path', () => {
    expect(autoPriority('R', ['/api/v1/*', '/*'], [])).toBe(autoPriority('R', ['/*'], []));
  });

  test('explicit priorities are kept as given', () => {
    const p = priorities([{ ...A, priority: 5 }, B, { ...C, priority: 20000 }]);
    expect(p.Orders).toBe(5);
    expect(p.Catalog).toBe(20000);
    expect(p.Billing).toBe(autoPriority('Billing', ['/billing/*'], []));
  });

  test('two routes whose automatic priorities collide fail at synth, naming both and priority', () => {
    // GIVEN two ids that hash to the same slot of the path band of '/x*'
    const base = autoPriority('R0', ['/x*'], []);
    let other = 1;
    while (autoPriority(`R${other}`, ['/y*'], []) !== base) other++;
    // WHEN / THEN
    expect(() => priorities([{ id: 'R0', pathPatterns: ['/x*'] }, { id: `R${other}`, pathPatterns: ['/y*'] }]))
      .toThrow(new RegExp(`^TestStack/Lb: priority \\(automatic\\) of route R${other} would be ${base}, which route R0 already has \\(its automatic priority: the two route ids hash to the same value\\); set priority on route R${other} or on route R0: any free value from 1 to 10000 never collides`));
    // and setting priority on one of them resolves it
    expect(() => priorities([{ id: 'R0', pathPatterns: ['/x*'] }, { id: `R${other}`, pathPatterns: ['/y*'], priority: 100 }])).not.toThrow();
  });

  test('two WebServices whose automatic priorities collide are named by their construct paths, with the prop they take', () => {
    // GIVEN two service ids whose unique ids (the route ids) hash to one slot of the path band of '/x*'
    const probe = testStack(testApp());
    const routeId = (id: string) => Names.uniqueId(new Construct(probe, id));
    const base = autoPriority(routeId('S0'), ['/x*'], []);
    let other = 1;
    while (autoPriority(routeId(`S${other}`), ['/y*'], []) !== base) other++;
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PUBLIC_ONLY, restrictDefaultSecurityGroup: false });
    const loadBalancer = new ServiceLoadBalancer(stack, 'Lb', { vpc: cluster.vpc, accessLogs: false });
    const image = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
    new WebService(stack, 'S0', { cluster, loadBalancer, image, pathPatterns: ['/x*'] });
    // WHEN / THEN the message names both services and `priority`, which WebService takes
    expect(() => new WebService(stack, `S${other}`, { cluster, loadBalancer, image, pathPatterns: ['/y*'] }))
      .toThrow(new RegExp(`^TestStack/Lb: priority \\(automatic\\) of TestStack/S${other} would be ${base}, which TestStack/S0 already has .*; set priority on TestStack/S${other} or on TestStack/S0`));
  });

  test('an explicit priority that an automatic one holds names the route holding it', () => {
    const held = autoPriority('Orders', ['/orders/*'], []);
    expect(() => priorities([A, { ...B, priority: held }]))
      .toThrow(new RegExp(`^TestStack/Lb: priority ${held} of route Billing is already used by route Orders \\(its automatic priority\\); use a priority no other route has`));
  });

  test('a broader route that its hash would put before a narrower one in the same band fails at synth, naming both', () => {
    // GIVEN two nested paths whose literal prefixes (8 and 10 characters) fall in one class (8–11)
    const broad = ['/api/v1/*'];
    const narrow = ['/api/v1/x/*'];
    expect(priorityBand(broad, [])).toBe(priorityBand(narrow, []));
    let n = 0;
    while (autoPriority(`N${n}`, narrow, []) < autoPriority('Broad', broad, [])) n++;
    // WHEN / THEN, in either code order
    const message = new RegExp(`leaves route N${n} \\(pathPatterns \\["/api/v1/x/\\*"\\]\\) at \\d+, after the broader route Broad \\(pathPatterns \\["/api/v1/\\*"\\]\\) at \\d+, which would take its requests; set priority on route N${n} \\(1–10000 come before every automatic priority\\)`);
    expect(() => priorities([{ id: 'Broad', pathPatterns: broad }, { id: `N${n}`, pathPatterns: narrow }])).toThrow(message);
    expect(() => priorities([{ id: `N${n}`, pathPatterns: narrow }, { id: 'Broad', pathPatterns: broad }])).toThrow(message);
    // an explicit priority on the narrow route settles it
    expect(() => priorities([{ id: 'Broad', pathPatterns: broad }, { id: `N${n}`, pathPatterns: narrow, priority: 100 }])).not.toThrow();
  });
});
