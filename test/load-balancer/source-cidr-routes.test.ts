import { Names, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ServiceCluster } from '../../lib/cluster';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { autoPriority } from '../../lib/load-balancer/route-priority';
import { WebService, WebServiceOptions } from '../../lib/service';
import { testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const OFFICE = '203.0.113.0/24';

function build(services: Record<string, Partial<WebServiceOptions>>): { stack: Stack; template: Template; web: Record<string, WebService>; lb: ServiceLoadBalancer } {
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc: cluster.vpc });
  const web: Record<string, WebService> = {};
  for (const [id, options] of Object.entries(services)) web[id] = new WebService(stack, id, { cluster, loadBalancer: lb, image: NGINX, ...options });
  return { stack, template: Template.fromStack(stack), web, lb };
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

test('two routes that differ by their sources only need priorities, else their order would be chance', () => {
  expect(() => build({ Admin: { pathPatterns: ['/admin/*'] }, OfficeAdmin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE] } }))
    .toThrow(/route .*OfficeAdmin.* match the same requests as route .*Admin.* from the sources both admit, and automatic priorities would order them by chance.*give both routes a priority/);
  const { template } = build({ Admin: { pathPatterns: ['/admin/*'], priority: 20 }, OfficeAdmin: { pathPatterns: ['/admin/*'], sourceCidrs: [OFFICE], priority: 10 } });
  template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
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
