import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DeployChecks } from '../../lib';

interface ReportViolation {
  ruleName: string;
  severity?: string;
  suggestedFix?: string;
  violatingConstructs: { constructPath: string; cloudFormationResource?: { logicalId: string; templatePath: string; propertyPaths: string[] } }[];
}

/** An app whose stack has a log group without retention (warning) and a repository image of a new repository (error). */
function hazardousApp(plugin: DeployChecks): { app: App; outdir: string; stack: Stack; task: ecs.CfnTaskDefinition; logGroup: logs.CfnLogGroup } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-checks-'));
  const app = new App({ outdir, treeMetadata: false, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(plugin);
  const stack = new Stack(app, 'Hazards', { env: { account: '123456789012', region: 'us-east-1' } });
  const repository = new ecr.CfnRepository(stack, 'Repository');
  const task = new ecs.CfnTaskDefinition(stack, 'Task', {
    requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512',
    containerDefinitions: [{ name: 'app', image: `${repository.attrRepositoryUri}:v1` }],
  });
  const logGroup = new logs.CfnLogGroup(stack, 'Logs');
  return { app, outdir, stack, task, logGroup };
}

function report(outdir: string): ReportViolation[] {
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'));
  return (json.pluginReports ?? [])
    .filter((r: any) => (r.pluginName ?? r.summary?.pluginName) === DeployChecks.PLUGIN_NAME)
    .flatMap((r: any) => r.violations ?? []);
}

test('an error finding fails the synth and the report names rule, severity and resource', () => {
  // GIVEN an app with a deploy hazard and the plugin
  const { app, outdir } = hazardousApp(new DeployChecks());
  // WHEN it synthesizes THEN the synth fails on ESK-ECR1
  expect(() => app.synth()).toThrow(/ESK-ECR1/);
  const violations = report(outdir);
  const ecr1 = violations.find((v) => v.ruleName === 'ESK-ECR1')!;
  expect(ecr1.severity).toBe('error');
  expect(ecr1.violatingConstructs[0].constructPath).toBe('Hazards/Task');
  expect(ecr1.violatingConstructs[0].cloudFormationResource).toEqual({ logicalId: 'Task', templatePath: 'Hazards.template.json', propertyPaths: ['Properties/ContainerDefinitions/0/Image'] });
  expect(ecr1.suggestedFix).toMatch(/image asset/);
  expect(violations.find((v) => v.ruleName === 'ESK-LOG1')?.severity).toBe('warning');
});

test('aws-cdk-lib applies Validations.acknowledge of a finding by <plugin>::<rule id>; warnings alone do not fail the synth', () => {
  // GIVEN the error acknowledged on its resource, with a reason
  const { app, outdir, task } = hazardousApp(new DeployChecks());
  Validations.of(task).acknowledge({
    id: `${DeployChecks.PLUGIN_NAME}::ESK-ECR1`,
    reason: 'The repository is pushed to by the pipeline before this stack is updated.',
  });
  // WHEN it synthesizes THEN only the warning is left and the synth succeeds
  expect(() => app.synth()).not.toThrow();
  const violations = report(outdir);
  expect(violations.map((v) => v.ruleName)).toEqual(['ESK-LOG1']);
});

test('an acknowledgement on a parent construct covers the resources below it', () => {
  const { app, outdir, stack } = hazardousApp(new DeployChecks());
  Validations.of(stack).acknowledge(
    { id: `${DeployChecks.PLUGIN_NAME}::ESK-ECR1`, reason: 'Existing stack: the repository already holds v1.' },
    { id: `${DeployChecks.PLUGIN_NAME}::ESK-LOG1`, reason: 'Audit logs are kept forever on purpose.' },
  );
  app.synth();
  expect(report(outdir)).toEqual([]);
});

test('skipRules leaves rules out for the whole app and unknown ids are refused', () => {
  const plugin = new DeployChecks({ skipRules: ['ESK-ECR1', 'ESK-LOG1'] });
  expect(plugin.ruleIds).not.toContain('ESK-ECR1');
  expect(plugin.ruleIds).toContain('ESK-ECS1');
  const { app, outdir } = hazardousApp(plugin);
  app.synth();
  expect(report(outdir)).toEqual([]);
  expect(() => new DeployChecks({ skipRules: ['ESK-NOPE'] })).toThrow(/skipRules \["ESK-NOPE"\] names rules that do not exist/);
});

test('cross-stack: duplicate listener-rule priorities across stacks fail the synth', () => {
  // GIVEN a listener in one stack and rules with priority 10 in two stacks (cross-stack reference)
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-checks-'));
  const app = new App({ outdir, treeMetadata: false, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new DeployChecks({ skipRules: ['ESK-LOG1'] }));
  const env = { account: '123456789012', region: 'us-east-1' };
  const shared = new Stack(app, 'Shared', { env });
  const listener = new CfnResource(shared, 'Listener', { type: 'AWS::ElasticLoadBalancingV2::Listener', properties: { LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1', Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] } });
  const addRule = (stack: Stack) => new CfnResource(stack, 'Rule', {
    type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    properties: { ListenerArn: listener.ref, Priority: 10, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/${stack.stackName}/*`] } }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] },
  });
  addRule(new Stack(app, 'Api', { env }));
  addRule(new Stack(app, 'Admin', { env }));
  // WHEN it synthesizes THEN ESK-ELB1 names both rules
  expect(() => app.synth()).toThrow(/ESK-ELB1/);
  const elb1 = report(outdir).filter((v) => v.ruleName === 'ESK-ELB1');
  expect(elb1.flatMap((v) => v.violatingConstructs.map((r) => r.constructPath)).sort()).toEqual(['Admin/Rule', 'Api/Rule']);
});
