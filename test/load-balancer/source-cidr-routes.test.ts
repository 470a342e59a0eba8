import { Lazy, Names, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ServiceCluster } from '../../lib/cluster';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { DeploymentStrategy } from '../../lib/deployment';
import { autoPriority } from '../../lib/load-balancer/route-priority';
import { WebService, WebServiceOptions } from '../../lib/service';
import { testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const OFFICE = '203.0.113.0/24';

function build(services: Record<string, Partial<WebServiceOptions>>, testListenerAllowedCidrs?: string[]): { stack: Stack; template: Template; web: Record<string, WebService>; lb: ServiceLoadBalancer } {
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc: cluster.vpc, testListenerAllowedCidrs });
  const web: Record<string, WebService> = {};
  for (const [id, options] of Object.entries(services)) web[id] = new WebService(stack, id, { cluster, loadBalancer: lb, image: NGINX, ...options });
  return { stack, template: Template.fromStack(stack), web, lb };
}

/**
 * Where route `narrow` lands against route `other` when the routes are built: 'first' (a lower
 * priority), 'second', 'refused' (synth names the shadow), or another error's text.
 */
function orderOf(routes: () => Record<string, WebService>, narrow: string, other: string): string {
  try {
    const web = routes();
    const [n, o] = [web[narrow], web[other]].map((w) => (w.listenerRule!.node.defaultChild as elbv2.CfnListenerRule).priority);
    return n < o ? 'first' : 'second';
  } catch (e) {
    return /would take its requests/.test(String(e)) ? 'refused' : String(e);
  }
}

describe('routes that only some sources reach', () => {
  let template: Template;
  let web: Record<string, WebService>;
  beforeAll(() => {
    // GIVEN a public site (the default route), an admin path for the office, and a whole service for the office
    ({ template, web } = build({
      Site: {},
      Admin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE, '2001:db8::/32'] },
      Preview: { sourceCidrs: [OFFICE] },
    }));
  });

  test('a route with paths and sources matches both: a source-ip condition next to the path', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } },
        { Field: 'source-ip', SourceIpConfig: { Values: [OFFICE, '2001:db8::/32'] } },
      ]),
    });
  });

  test('a route with sources only is a rule for every path from them, ranked as /*, not the default route', () => {
    expect(web.Preview.listenerRule).toBeDefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'source-ip', SourceIpConfig: { Values: [OFFICE] } }],
      Priority: autoPriority(Names.uniqueId(web.Preview), ['/*'], []),
    });
    expect(web.Site.listenerRule).toBeUndefined(); // the default route is still the public site's
  });
});

describe('routes with the same paths and hosts, told apart by their sources (review findings)', () => {
  test('with overlapping sources they need priorities, else their order would be chance', () => {
    expect(() => build({ Admin: { pathPatterns: ['/admin/*'] }, OfficeAdmin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE] } }))
      .toThrow(/priority .* of route .*OfficeAdmin.* leaves its order with route .*Admin.*, which has the same paths and hosts and other sources, to chance/);
    const { template } = build({ Admin: { pathPatterns: ['/admin/*'], priority: 20 }, OfficeAdmin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 10 } });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
  });

  test('with disjoint sources no request matches both: any order, automatic priorities', () => {
    const { template } = build({ A: { pathPatterns: ['/api/*'], sourceCidrs: ['10.0.0.0/24'] }, B: { pathPatterns: ['/api/*'], sourceCidrs: ['10.9.0.0/24', '2001:db8::/32'] } });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
  });

  test('the route evaluated first must not cover the other: a route for every source, or wider sources, first fails', () => {
    expect(() => build({ Admin: { pathPatterns: ['/admin/*'], priority: 10 }, OfficeAdmin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 20 } }))
      .toThrow(/puts route .*Admin.* before route .*OfficeAdmin.*it admits every source: route .*OfficeAdmin.* would never be reached/);
    expect(() => build({ Wide: { pathPatterns: ['/admin/*'], sourceCidrs: ['203.0.0.0/16'], priority: 10 }, Narrow: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 20 } }))
      .toThrow(/its sourceCidrs cover the other's/);
  });

  test('the same sources twice are the same requests, whatever the priorities', () => {
    expect(() => build({ B: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 10 }, A: { pathPatterns: ['/admin/*'], priority: 30 }, C: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 20 } }))
      .toThrow(/.*admit the same sources as route .*B.*both match the same requests/);
  });
});

describe('source CIDRs ALB would refuse fail at synth', () => {
  test('not a CIDR', () => {
    expect(() => build({ Admin: { pathPatterns: ['/admin/*'], sourceCidrs: ['office'] } })).toThrow(/sourceCidrs\[0\].*"office".*is not a CIDR/);
  });

  test('more than five condition values with the paths and hosts', () => {
    expect(() => build({ Admin: { pathPatterns: ['/admin', '/admin/*'], hostHeaders: ['admin.example.com'], sourceCidrs: ['198.51.100.0/24', '198.51.100.0/25', OFFICE] } }))
      .toThrow(/with hostHeaders and sourceCidrs of route .* are 6 condition values/);
  });

  test('an empty list', () => {
    expect(() => build({ Admin: { pathPatterns: ['/admin/*'], sourceCidrs: [] } })).toThrow(/sourceCidrs .*is empty/);
  });
});

test('update: restricting a path route to sources changes its rule in place, without an update hazard', () => {
  const before = build({ Admin: { pathPatterns: ['/admin/*'] } }).template.toJSON();
  const after = build({ Admin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE] } }).template.toJSON();
  expect(errorsOf(compareTemplates({ TestStack: before }, { TestStack: after })).map(describeHazard)).toEqual([]);
});

test('addTarget with sourceCidrs only makes a rule, never the listener\'s default action', () => {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogs: false });
  const tg = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
  const rule = lb.addTarget('Office', { targetGroup: tg, sourceCidrs: [OFFICE] });
  expect(rule).toBeDefined();
  Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
});

test('a sources-only route after an automatic route whose paths include /* and more is a shadow, and fails (review finding)', () => {
  // GIVEN a preview for the office (ranked as /*) and a public route on ['/*', '/api/*'] in the same band
  const routes = (previewId: string) => build({ [previewId]: { sourceCidrs: [OFFICE] }, R1: { pathPatterns: ['/*', '/api/*'] } });
  // THEN whichever hash order the ids give, R1 first would take the office's requests: it fails, or orders the preview first
  const outcomes = ['P', 'Preview', 'Office', 'Staff'].map((id) => orderOf(() => routes(id).web, id, 'R1'));
  expect(outcomes.filter((o) => o !== 'first' && o !== 'refused')).toEqual([]);
  expect(outcomes).toContain('refused');
});

test('update: the default route given sources becomes a rule, which the deploy checks warn about (requests get the 404 until the rule exists)', () => {
  const before = build({ Site: {} }).template.toJSON();
  const after = build({ Site: { sourceCidrs: [OFFICE] } }).template.toJSON();
  const hazards = compareTemplates({ TestStack: before }, { TestStack: after });
  expect(errorsOf(hazards)).toEqual([]);
  expect(hazards.map(describeHazard).join('\n')).toMatch(/warning default-route-to-rule: .*SiteListenerRule.*every request gets the listener's new default action/);
  // and back: the listener forwards again before the rule is deleted in cleanup
  expect(compareTemplates({ TestStack: after }, { TestStack: before }).map(describeHazard)).toEqual([]);
});

describe('blue/green test routes copy the sources (review findings)', () => {
  const blueGreen = (testPort = 8080) => ({ deployment: { strategy: DeploymentStrategy.blueGreen({ testPort }) } });

  test('rules of one test port stay as distinct as the production rules: disjoint sources on the same path', () => {
    const { template } = build({ A: { pathPatterns: ['/api/*'], sourceCidrs: ['10.0.0.0/24'], ...blueGreen() }, B: { pathPatterns: ['/api/*'], sourceCidrs: ['10.9.0.0/24'], ...blueGreen() } }, ['10.0.0.0/16']);
    const testRules = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).filter((r) => JSON.stringify(r.Properties.ListenerArn).includes('TestListener'));
    expect(testRules.map((r) => r.Properties.Conditions[1].SourceIpConfig.Values).sort()).toEqual([['10.0.0.0/24'], ['10.9.0.0/24']]);
  });

  test('a test listener that admits callers outside the sources warns: their smoke tests would get a 404', () => {
    const warned = (testCidrs: string[]) => {
      const { stack } = build({ Site: { pathPatterns: ['/app/*'], sourceCidrs: [OFFICE], ...blueGreen() } }, testCidrs);
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('test-route-sources'));
    };
    expect(warned(['198.51.100.7/32'])).toHaveLength(1);
    expect(warned(['203.0.113.7/32'])).toEqual([]);
  });
});

describe('source coverage and shadowing, with several CIDRs, tokens and every source (review findings)', () => {
  test('two CIDRs that together cover the other route\'s make it unreachable', () => {
    expect(() => build({ A: { pathPatterns: ['/admin/*'], sourceCidrs: ['10.0.0.0/25', '10.0.0.128/25', '10.1.0.0/24'], priority: 10 }, B: { pathPatterns: ['/admin/*'], sourceCidrs: ['10.0.0.0/24'], priority: 20 } }))
      .toThrow(/its sourceCidrs cover the other's/);
    expect(() => build({ A: { pathPatterns: ['/admin/*'], sourceCidrs: ['0.0.0.0/0', '::/0'], priority: 10 }, B: { pathPatterns: ['/admin/*'], priority: 20 } }))
      .toThrow(/its sourceCidrs cover the other's/);
  });

  test('a source known only at deploy time is never the same as, nor covers, a literal one', () => {
    const { template } = build({
      Vpc: { pathPatterns: ['/admin/*'], sourceCidrs: [Lazy.string({ produce: () => '10.0.0.0/16' })], priority: 10 },
      Office: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 20 },
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
  });

  test('a public route and an office route on the same wildcard path: the office one first, or a clear refusal', () => {
    const outcomes = [['A', 'B'], ['X', 'Y'], ['Admin', 'OfficeAdmin'], ['Public', 'Office']].map(([pub, office]) =>
      orderOf(() => build({ [pub]: { pathPatterns: ['/admin/*'] }, [office]: { pathPatterns: ['/admin/*', '/debug'], sourceCidrs: [OFFICE] } }).web, office, pub));
    expect(outcomes.filter((o) => o !== 'first' && o !== 'refused')).toEqual([]);
    expect(outcomes).toContain('first');
  });

  test('an IPv6 source with a single colon at an end is not a CIDR', () => {
    expect(() => build({ A: { pathPatterns: ['/a/*'], sourceCidrs: [':1:2:3:4:5:6:7:8/128'] } })).toThrow(/sourceCidrs\[0\].*is not a CIDR/);
  });
});

describe('sources known only at deploy time, routes across bands, and an internal test listener (review findings)', () => {
  const officeToken = () => Lazy.string({ produce: () => OFFICE });

  test('a route for every source before a route with token sources leaves it unreachable', () => {
    expect(() => build({ Pub: { pathPatterns: ['/admin/*'], priority: 10 }, Office: { pathPatterns: ['/admin/*'], sourceCidrs: [officeToken()], priority: 20 } }))
      .toThrow(/would never be reached/);
  });

  test('one token as the sources of two routes is the same sources', () => {
    const token = officeToken();
    expect(() => build({ A: { pathPatterns: ['/admin/*'], sourceCidrs: [token], priority: 10 }, B: { pathPatterns: ['/admin/*'], sourceCidrs: [token], priority: 20 } }))
      .toThrow(/admit the same sources/);
  });

  test('an office route in a later band than the public route on its path is refused, whatever the ids', () => {
    const outcomes = [['A', 'B'], ['X', 'Y'], ['Public', 'Office']].map(([pub, office]) =>
      orderOf(() => build({ [pub]: { pathPatterns: ['/admin/*'] }, [office]: { pathPatterns: ['/admin/*', '/x'], sourceCidrs: [OFFICE] } }).web, office, pub));
    expect(outcomes.filter((o) => o !== 'first' && o !== 'refused')).toEqual([]);
  });

  test('an internal load balancer\'s test listener admits its VPC: sources that cover the VPC do not warn', () => {
    const stack = testStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc: cluster.vpc, internetFacing: false });
    new WebService(stack, 'App', { cluster, loadBalancer: lb, image: NGINX, pathPatterns: ['/app/*'], sourceCidrs: ['10.0.0.0/8'], deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('test-route-sources'))).toEqual([]);
  });
});
