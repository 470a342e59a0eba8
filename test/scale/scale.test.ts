import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService } from '../../lib/service';
import { testApp, testStack } from '../util/test-app';
import { ALB_MAX_RULES, ALB_MAX_TARGET_GROUPS, CFN_MAX_INLINE_TEMPLATE_BYTES, CFN_MAX_RESOURCES, CFN_MAX_TEMPLATE_BYTES, MAX_RULE_PRIORITY, SG_MAX_RULES } from '../util/aws-limits';

/**
 * Scale: many WebServices on one ServiceCluster and one shared ServiceLoadBalancer. Guards the
 * "resources added per service" figure (the target: ≤ 10, no new ALB) and the AWS limits a large
 * stack meets first. Registry images, not assets, so the 40-service synth stays fast.
 */

/**
 * Resources one more WebService adds (log group, task and execution roles, execution-role
 * policy, task definition, service, security group, target group, listener rule, deployment
 * alarm): the load balancer's rules to its targets are shared, once per port. The design targets
 * ≤ 10 (the deployment alarm took the tenth: one alarm per service, not one per condition);
 * never raise this without a reason: every resource per service costs 40 per 40 services against
 * CloudFormation's 500.
 */
const PER_SERVICE_BUDGET = 10;

const SIZES = [1, 10, 40] as const;
const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

interface Measured {
  readonly services: number;
  readonly template: Record<string, any>;
  readonly resources: number;
  readonly byType: Record<string, number>;
  readonly templateBytes: number;
  readonly synthMs: number;
  readonly loadBalancer: ServiceLoadBalancer;
  readonly stack: Stack;
}

/** One stack: a cluster (default network), one shared load balancer and `n` path-routed services. */
function build(n: number): Measured {
  const start = process.hrtime.bigint();
  const app: App = testApp();
  const stack = testStack(app, `Scale${n}`);
  const cluster = new ServiceCluster(stack, 'Cluster');
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  for (let i = 0; i < n; i++) {
    new WebService(stack, `Svc${i}`, { cluster, loadBalancer, image: NGINX, pathPatterns: [`/svc-${i}/*`] });
  }
  const artifact = app.synth().getStackByName(stack.stackName);
  const synthMs = Number(process.hrtime.bigint() - start) / 1e6;
  const template = artifact.template;
  const byType: Record<string, number> = {};
  for (const r of Object.values<any>(template.Resources)) {
    if (r.Type === 'AWS::CDK::Metadata') continue;
    byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  }
  const resources = Object.values(byType).reduce((a, b) => a + b, 0);
  // The file as written to cdk.out is what the CLI uploads.
  const templateBytes = fs.statSync(artifact.templateFullPath).size;
  return { services: n, template, resources, byType, templateBytes, synthMs, loadBalancer, stack };
}

function resourcesOfType(template: Record<string, any>, type: string): any[] {
  return Object.values<any>(template.Resources).filter((r) => r.Type === type);
}

describe('scale: 1, 10 and 40 WebServices on one cluster and one load balancer', () => {
  const measured: Record<number, Measured> = {};
  let perService: number;
  let base: number;

  beforeAll(() => {
    // GIVEN / WHEN: three stacks, synthesized (testApp: strict mode, without the built-in
    // validation engine, like every unit test; the times printed are without it)
    for (const n of SIZES) measured[n] = build(n);
    perService = (measured[40].resources - measured[10].resources) / 30;
    base = measured[10].resources - 10 * perService;
    const maxServices = Math.floor((CFN_MAX_RESOURCES - base) / perService);
    const rows = SIZES.map((n) => {
      const m = measured[n];
      return `  ${String(n).padStart(2)} services: ${String(m.resources).padStart(3)} resources, `
        + `template ${(m.templateBytes / 1024).toFixed(1)} KiB, synth ${(m.synthMs / 1000).toFixed(2)} s`;
    });
    console.log([
      'Scale figures (one ServiceCluster, one ServiceLoadBalancer, N WebServices):',
      ...rows,
      `  per service (R40 - R10) / 30 = ${perService}; base (cluster, network, load balancer) = ${base}`,
      `  CloudFormation's ${CFN_MAX_RESOURCES}-resource limit is reached at floor((${CFN_MAX_RESOURCES} - ${base}) / ${perService}) = ${maxServices} services per stack`,
    ].join('\n'));
  });

  test('every service adds the same resources: the per-service set from 10 to 40 is 9 times the one from 1 to 10', () => {
    // THEN: per type, 30 services add 30 × k and 9 services add 9 × k
    const types = new Set([...Object.keys(measured[1].byType), ...Object.keys(measured[40].byType)]);
    const perServiceByType: Record<string, number> = {};
    for (const type of types) {
      const d10to40 = (measured[40].byType[type] ?? 0) - (measured[10].byType[type] ?? 0);
      const d1to10 = (measured[10].byType[type] ?? 0) - (measured[1].byType[type] ?? 0);
      expect({ type, d10to40: d10to40 % 30 }).toEqual({ type, d10to40: 0 });
      expect({ type, d1to10 }).toEqual({ type, d1to10: (d10to40 / 30) * 9 });
      if (d10to40 !== 0) perServiceByType[type] = d10to40 / 30;
    }
    expect(Number.isInteger(perService)).toBe(true);
    expect(measured[10].resources - measured[1].resources).toBe(9 * perService);
    // No new load balancer, listener or cluster per service.
    expect(perServiceByType['AWS::ElasticLoadBalancingV2::LoadBalancer']).toBeUndefined();
    expect(perServiceByType['AWS::ElasticLoadBalancingV2::Listener']).toBeUndefined();
    expect(perServiceByType['AWS::ECS::Cluster']).toBeUndefined();
    expect(perServiceByType).toMatchObject({
      'AWS::ECS::Service': 1,
      'AWS::ECS::TaskDefinition': 1,
      'AWS::ElasticLoadBalancingV2::TargetGroup': 1,
      'AWS::ElasticLoadBalancingV2::ListenerRule': 1,
    });
  });

  test(`resources per service stay within the budget of ${PER_SERVICE_BUDGET}`, () => {
    // THEN
    expect(perService).toBeLessThanOrEqual(PER_SERVICE_BUDGET);
  });

  test(`the 40-service stack stays under CloudFormation's ${CFN_MAX_RESOURCES}-resource limit`, () => {
    // THEN
    expect(measured[40].resources).toBeLessThan(CFN_MAX_RESOURCES);
    expect(Math.floor((CFN_MAX_RESOURCES - base) / perService)).toBeGreaterThanOrEqual(40);
  });

  test('the 40-service template fits the 1 MB S3 template limit (and needs S3: it is over 51,200 bytes)', () => {
    // THEN
    expect(measured[40].templateBytes).toBeLessThan(CFN_MAX_TEMPLATE_BYTES);
    // Documents why the template cannot be passed inline; the CDK uploads it to the bootstrap bucket.
    expect(measured[40].templateBytes).toBeGreaterThan(CFN_MAX_INLINE_TEMPLATE_BYTES);
  });

  test('listener rule priorities are unique, in range, one per service, each routing its own path', () => {
    // THEN
    const template = Template.fromJSON(measured[40].template);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    const rules = resourcesOfType(measured[40].template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(40);
    const priorities = rules.map((r) => r.Properties.Priority);
    expect(new Set(priorities).size).toBe(40);
    for (const p of priorities) {
      expect(Number.isInteger(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThanOrEqual(MAX_RULE_PRIORITY);
    }
    const paths = rules.map((r) => r.Properties.Conditions.find((c: any) => c.Field === 'path-pattern').PathPatternConfig.Values);
    expect(new Set(paths.map((v) => JSON.stringify(v))).size).toBe(40);
    expect(paths.flat().sort()).toEqual(Array.from({ length: 40 }, (_, i) => `/svc-${i}/*`).sort());
  });

  test('one load balancer stays inside its quotas: rules, target groups, security-group egress rules', () => {
    // THEN
    const t = measured[40].template;
    expect(resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').length).toBeLessThanOrEqual(ALB_MAX_RULES);
    expect(resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').length).toBeLessThanOrEqual(ALB_MAX_TARGET_GROUPS);
    // The load balancer reaches all services through one shared target security group: one
    // egress rule per distinct container port (all 40 use 8080), not one per service.
    const lbSg = measured[40].stack.getLogicalId(measured[40].loadBalancer.securityGroup.node.defaultChild as any);
    const targetSg = measured[40].stack.getLogicalId(measured[40].loadBalancer.targetSecurityGroup.node.defaultChild as any);
    const egress = resourcesOfType(t, 'AWS::EC2::SecurityGroupEgress')
      .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [lbSg, 'GroupId'] }));
    expect(egress).toHaveLength(1);
    expect(egress[0].Properties).toMatchObject({ FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: { 'Fn::GetAtt': [targetSg, 'GroupId'] } });
    expect(egress.length).toBeLessThanOrEqual(SG_MAX_RULES);
    // Each service's tasks join the shared group next to their own.
    const services = resourcesOfType(t, 'AWS::ECS::Service');
    expect(services).toHaveLength(40);
    for (const service of services) {
      expect(JSON.stringify(service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups)).toContain(targetSg);
    }
  });
});
