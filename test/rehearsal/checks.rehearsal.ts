/**
 * Checks of the deploy rehearsal (scripts/rehearse.sh): what the emulator holds after each
 * step, read with the AWS SDK v3 and compared with the synthesized template, so expected values
 * come from the template (and the library's Defaults), not from a second copy here.
 *
 *   node --import tsx test/rehearsal/checks.rehearsal.ts <phase> [args]
 *     template                      the synthesized template is deployable on moto (before any deploy)
 *     bootstrapped                   the CDKToolkit stack is complete
 *     deployed <tag> <outputs.json>  after the first deploy
 *     push <tag>                     put a fake image with that tag into the repository (a user's `docker push`)
 *     updated <tag> <outputs.json>   after the image-tag update
 *     destroyed                      after `cdk destroy`
 *     routes <label>                 after each deploy of the routes app (test/rehearsal/routes-app.ts):
 *                                    rules keep their priorities, services are ACTIVE, and the
 *                                    update-hazard comparison of the previous and this template is clean
 *     efs-template                   the EFS app's template (test/rehearsal/efs-app.ts) is deployable on moto
 *     efs-deployed                   after its deploy: file system, mount targets, access point, task volume
 *     efs-destroyed                  after its destroy: the file system stays, mount targets and access point go
 *     summary                        totals of all phases
 *
 * Environment: AWS_ENDPOINT_URL (the moto server), REHEARSAL_DIR (state and results),
 * REHEARSAL_OUT (cdk.out), REHEARSAL_STACK (stack name).
 *
 * Named *.rehearsal.ts so that the unit-test run (testMatch **\/*.test.ts) never picks it up.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Defaults } from '../../lib/defaults';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { EFS_MOUNT_PATH, EFS_POSIX_USER, EFS_ROOT_DIRECTORY } from './efs-app-settings';
import { MOTO_LOAD_BALANCER_TYPES, MOTO_NO_GETATT_TYPES } from './moto-facts';

// ---- resource types moto skips (../shared/notes/local-emulator.md) --------------------------------
/** Types moto's CloudFormation skips with a warning: present in the template, never created or checked. */
export const MOTO_SKIPPED_TYPES: ReadonlyArray<string> = [
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::CloudWatch::Alarm',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::S3::BucketPolicy',
  'AWS::ECS::ClusterCapacityProviderAssociations',
  'AWS::CDK::Metadata',
  'AWS::CloudFormation::CustomResource',
];
/** What moto 5.2 answers for a target group's attributes when it was not told otherwise. */
const MOTO_TARGET_GROUP_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'waf.fail_open.enabled': 'false',
};
/** Types whose deploy needs Lambda (i.e. Docker in moto): a direct deploy hangs on them. */
const LAMBDA_TYPES = ['AWS::Lambda::Function', 'AWS::CloudFormation::CustomResource'];

// ---- tiny reporting harness -------------------------------------------------------------------
const dir = requireEnv('REHEARSAL_DIR');
const outDir = requireEnv('REHEARSAL_OUT');
const stackName = requireEnv('REHEARSAL_STACK');
const endpoint = requireEnv('AWS_ENDPOINT_URL');
const region = process.env.AWS_REGION ?? 'us-east-1';

let passed = 0;
let failed = 0;
const notes: string[] = [];

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run this through scripts/rehearse.sh)`);
  return value;
}
function pass(what: string): void {
  passed++;
  console.log(`  PASS ${what}`);
}
function fail(what: string): void {
  failed++;
  console.log(`  FAIL ${what}`);
}
function check(ok: boolean, what: string, detail?: string): boolean {
  if (ok) pass(what);
  else fail(detail ? `${what} (${detail})` : what);
  return ok;
}
function equal(actual: unknown, expected: unknown, what: string): boolean {
  const ok = JSON.stringify(actual) === JSON.stringify(expected);
  return check(ok, `${what} = ${JSON.stringify(expected)}`, `got ${JSON.stringify(actual)}`);
}
/** Something the emulator cannot show us: printed, collected for the summary, never silent. */
function note(text: string): void {
  notes.push(text);
  console.log(`  NOTE ${text}`);
}
async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    fail(`${what}: ${(e as Error).name}: ${(e as Error).message}`);
    return undefined;
  }
}
function finish(phase: string): void {
  fs.appendFileSync(path.join(dir, 'results.txt'), `${phase}\t${passed}\t${failed}\n`);
  for (const n of notes) fs.appendFileSync(path.join(dir, 'notes.txt'), `${phase}: ${n}\n`);
  console.log(`  ${phase}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

// ---- template ---------------------------------------------------------------------------------
interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

function loadTemplate(): CfnTemplate {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  const artifact = manifest.artifacts?.[stackName];
  if (!artifact) throw new Error(`stack ${stackName} is not in ${outDir}/manifest.json`);
  return JSON.parse(fs.readFileSync(path.join(outDir, artifact.properties.templateFile), 'utf8'));
}
function ofType(t: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}
function single(t: CfnTemplate, type: string): [string, CfnResource] {
  const found = ofType(t, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} in the template, found ${found.length}`);
  return found[0];
}
/** Every logical id that `node` refers to with Fn::GetAtt. */
function getAttTargets(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => getAttTargets(n, into));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else getAttTargets(v, into);
    }
  }
  return into;
}

// ---- AWS clients pointed at the emulator ------------------------------------------------------
const clientConfig = { endpoint, region };
const cfn = new CloudFormationClient(clientConfig);
const ecr = new ECRClient(clientConfig);
const ecs = new ECSClient(clientConfig);
const elb = new ElasticLoadBalancingV2Client(clientConfig);

/**
 * moto sometimes stores a CloudFormation property under CloudFormation's PascalCase keys, which its
 * API answers (and the SDK) then drop. Its internal state (/moto-api/data.json) shows whether the
 * value got there at all.
 */
async function motoData(): Promise<any> {
  const res = await fetch(`${endpoint}/moto-api/data.json`);
  return res.json();
}

/**
 * A read-only EC2 Query API call (no EC2 SDK client is installed). moto routes the request by the
 * service named in the credential scope and does not check the signature. Returns the XML text.
 */
async function ec2Query(action: string, params: Record<string, string>): Promise<string> {
  const authorization = `AWS4-HMAC-SHA256 Credential=rehearsal/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`;
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Authorization': authorization },
    body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
  });
  return res.text();
}
/**
 * A read-only EFS REST API call (no EFS SDK client is installed), e.g.
 * `/2015-02-01/file-systems?FileSystemId=fs-…`. moto routes it by the service in the credential
 * scope and does not check the signature. Returns the status and the parsed JSON body.
 */
async function efsApi(pathAndQuery: string): Promise<{ status: number; body: any }> {
  const authorization = `AWS4-HMAC-SHA256 Credential=rehearsal/20260101/${region}/elasticfilesystem/aws4_request, SignedHeaders=host, Signature=0`;
  const res = await fetch(`${endpoint}${pathAndQuery}`, { headers: { Authorization: authorization } });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body };
}
function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
}

async function physicalIds(): Promise<Map<string, string>> {
  const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return new Map((res.StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId ?? '']));
}
function readOutputsFile(file: string): Record<string, string> {
  const all = JSON.parse(fs.readFileSync(file, 'utf8'));
  return all[stackName] ?? {};
}
function loadState(): Record<string, any> {
  const file = path.join(dir, 'state.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}
function saveState(patch: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...loadState(), ...patch }, null, 2));
}
function revisionOf(taskDefinitionArn: string | undefined): number {
  return Number(/:(\d+)$/.exec(taskDefinitionArn ?? '')?.[1] ?? NaN);
}

// ---- phases -----------------------------------------------------------------------------------
/** A GetAtt on a resource moto skips, or on one moto has no GetAtt for, fails the whole stack in moto: say which one up front. */
function checkGetAtts(t: CfnTemplate): void {
  const idsOf = (types: ReadonlyArray<string>): Set<string> =>
    new Set(Object.entries(t.Resources).filter(([, r]) => types.includes(r.Type)).map(([id]) => id));
  const targets = [...getAttTargets({ r: t.Resources, o: t.Outputs })];
  const skippedIds = idsOf(MOTO_SKIPPED_TYPES);
  const noGetAttIds = idsOf(MOTO_NO_GETATT_TYPES);
  check(targets.every((id) => !skippedIds.has(id)), 'no Fn::GetAtt on a resource moto skips', targets.filter((id) => skippedIds.has(id)).join(', '));
  check(targets.every((id) => !noGetAttIds.has(id)), `no Fn::GetAtt on a resource moto has no GetAtt for (${MOTO_NO_GETATT_TYPES.join(', ')})`,
    targets.filter((id) => noGetAttIds.has(id)).join(', '));
}

async function templatePhase(): Promise<void> {
  console.log(`Template checks: ${stackName} in ${outDir}`);
  const t = loadTemplate();
  const types = new Set(Object.values(t.Resources).map((r) => r.Type));

  const lambdaBacked = Object.entries(t.Resources).filter(([, r]) => r.Type.startsWith('Custom::') || LAMBDA_TYPES.includes(r.Type));
  check(lambdaBacked.length === 0, 'no Lambda functions or custom resources (moto needs Docker to run them; a direct deploy would hang)',
    lambdaBacked.map(([id, r]) => `${id} ${r.Type}`).join(', '));

  const skipped = MOTO_SKIPPED_TYPES.filter((type) => types.has(type));
  for (const type of skipped) {
    const ids = ofType(t, type).map(([id]) => id);
    note(`not verified by the emulator (moto skips ${type}): ${ids.join(', ')}`);
  }
  checkGetAtts(t);

  for (const [id, r] of ofType(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const type = r.Properties?.Type ?? 'application';
    check(MOTO_LOAD_BALANCER_TYPES.includes(type), `${id} is a load balancer type moto's CloudFormation can make (${MOTO_LOAD_BALANCER_TYPES.join(', ')})`,
      `Type ${type}: moto makes it an application load balancer, and a TCP/TLS/UDP listener then fails CreateStack`);
  }
  for (const [id, r] of ofType(t, 'AWS::ECR::Repository')) {
    const name = r.Properties?.RepositoryName;
    check(typeof name === 'string' && /^[a-z0-9._/-]+$/.test(name), `${id} has an explicit lower-case RepositoryName (moto rejects generated ones)`,
      `RepositoryName ${JSON.stringify(name)}`);
    equal(r.DeletionPolicy, 'Retain', `${id} DeletionPolicy`);
  }
  for (const [id, r] of ofType(t, 'AWS::SSM::Parameter')) {
    check(typeof r.Properties?.Name === 'string', `${id} has an explicit Name (moto needs it)`);
    check(r.Properties?.Tags === undefined, `${id} carries no Tags (moto crashes on them)`);
  }
  for (const type of ['AWS::ECR::Repository', 'AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition',
    'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::TargetGroup']) {
    check(types.has(type), `template has ${type}`);
  }
  const required = ['ServiceUrl', 'RepositoryUri', 'RepositoryName', 'ClusterName', 'ServiceName'];
  const missing = required.filter((k) => !t.Outputs?.[k]);
  check(missing.length === 0, `template outputs ${required.join(', ')}`, `missing ${missing.join(', ')}`);
  const counts = new Map<string, number>();
  for (const r of Object.values(t.Resources)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  console.log(`  ${Object.keys(t.Resources).length} resources: ${[...counts].map(([k, v]) => `${k}×${v}`).join(', ')}`);
  finish('template');
}

/** `cdk bootstrap` runs a change set, which moto may report as done on a half-made stack: look. */
async function bootstrappedPhase(): Promise<void> {
  console.log('Checks after bootstrap');
  const toolkit = (await cfn.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }))).Stacks?.[0];
  equal(toolkit?.StackStatus, 'CREATE_COMPLETE', 'CDKToolkit stack status');
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: 'CDKToolkit' }))).StackResources ?? [];
  console.log(`  CDKToolkit resources: ${resources.filter((r) => r.LogicalResourceId).map((r) => `${r.LogicalResourceId}=${r.PhysicalResourceId}`).join(', ')}`);
  // What `cdk deploy` needs from the bootstrap stack: the assets bucket and the version parameter.
  for (const id of ['StagingBucket', 'CdkBootstrapVersion']) {
    check(resources.some((r) => r.LogicalResourceId === id && !!r.PhysicalResourceId), `CDKToolkit has ${id}`);
  }
  if (!toolkit?.Outputs?.length) note('moto returns no outputs for a stack made by a change set (cdk bootstrap); the bootstrap outputs are not verified');
  finish('bootstrapped');
}

async function deployedPhase(tag: string, outputsFile: string): Promise<void> {
  console.log(`Checks after deploy (imageTag=${tag})`);
  const t = loadTemplate();
  const ids = await physicalIds();
  const fileOutputs = readOutputsFile(outputsFile);

  // Stack and outputs: the outputs file and DescribeStacks agree.
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  check(/_COMPLETE$/.test(stack?.StackStatus ?? '') && !/ROLLBACK/.test(stack?.StackStatus ?? ''), 'stack is complete', stack?.StackStatus);
  const apiOutputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  for (const key of Object.keys(t.Outputs ?? {})) {
    check(fileOutputs[key] !== undefined && fileOutputs[key] !== '', `outputs file has ${key}`, JSON.stringify(fileOutputs[key]));
    equal(apiOutputs[key], fileOutputs[key], `DescribeStacks output ${key} equals the outputs file`);
  }

  // Repository
  const [repoId, repoRes] = single(t, 'AWS::ECR::Repository');
  const repoName = repoRes.Properties?.RepositoryName;
  const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repoName] }))).repositories?.[0];
  equal(ids.get(repoId), repoName, `${repoId} physical id`);
  equal(repo?.imageTagMutability, repoRes.Properties?.ImageTagMutability, 'repository imageTagMutability (from template)');
  equal(repo?.imageTagMutability, 'IMMUTABLE', 'repository imageTagMutability');
  equal(repoRes.Properties?.ImageScanningConfiguration?.ScanOnPush, true, 'template repository ScanOnPush');
  const scanOnPush = repo?.imageScanningConfiguration?.scanOnPush;
  if (scanOnPush === undefined) {
    // moto 5.2 stores CloudFormation's {ScanOnPush} verbatim, so the SDK sees no scanOnPush.
    const stored = (await motoData()).ecr?.Repository?.find((r: any) => r.name === repoName)?.image_scanning_configuration;
    equal(stored, { ScanOnPush: true }, 'repository scan on push (moto\'s internal state, under CloudFormation\'s key ScanOnPush)');
    note('repository scanOnPush: moto keeps it under CloudFormation\'s key ScanOnPush, so DescribeRepositories shows it unset (checked in moto\'s internal state instead)');
  } else equal(scanOnPush, true, 'repository scanOnPush');
  equal(fileOutputs.RepositoryUri, repo?.repositoryUri, 'output RepositoryUri is the repository URI');
  equal(fileOutputs.RepositoryName, repoName, 'output RepositoryName');
  const wantEncryption = repoRes.Properties?.EncryptionConfiguration?.EncryptionType ?? 'AES256';
  if (repo?.encryptionConfiguration?.encryptionType === undefined && repoRes.Properties?.EncryptionConfiguration) {
    const stored = (await motoData()).ecr?.Repository?.find((r: any) => r.name === repoName)?.encryption_configuration;
    equal(stored?.EncryptionType, wantEncryption, 'repository encryption type (moto\'s internal state, under CloudFormation\'s key EncryptionType)');
    note('repository encryption: moto keeps it under CloudFormation\'s key EncryptionType, so DescribeRepositories shows none (checked in moto\'s internal state instead)');
  } else equal(repo?.encryptionConfiguration?.encryptionType, wantEncryption, 'repository encryption type');
  if (repoRes.Properties?.LifecyclePolicy) note('repository lifecycle policy is in the template but moto does not keep it (not verified)');

  // Cluster
  const clusterName = fileOutputs.ClusterName;
  const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: [clusterName], include: ['SETTINGS'] }))).clusters?.[0];
  equal(cluster?.status, 'ACTIVE', `cluster ${clusterName} status`);
  const [, clusterRes] = single(t, 'AWS::ECS::Cluster');
  const wantSettings = clusterRes.Properties?.ClusterSettings;
  if (wantSettings) {
    const kept = JSON.stringify(cluster?.settings ?? []) === JSON.stringify(wantSettings.map((s: any) => ({ name: s.Name, value: s.Value })));
    if (kept) pass(`cluster settings kept: ${JSON.stringify(wantSettings)}`);
    else note(`cluster settings ${JSON.stringify(wantSettings)} not kept by moto (got ${JSON.stringify(cluster?.settings ?? [])})`);
  }

  // Service and its task definition
  const { service, taskDef } = await describeService(clusterName, fileOutputs.ServiceName);
  const [, serviceRes] = single(t, 'AWS::ECS::Service');
  equal(service?.status, 'ACTIVE', 'service status');
  equal(service?.desiredCount, serviceRes.Properties?.DesiredCount ?? Defaults.desiredCount, 'service desiredCount (template, else the default)');
  const revision = revisionOf(service?.taskDefinition);
  check(Number.isInteger(revision) && revision >= 1, `service runs task definition revision ${revision}`);
  const image = taskDef?.containerDefinitions?.[0]?.image;
  equal(image, `${repo?.repositoryUri}:${tag}`, 'service container image is <repository uri>:tag');
  reportServiceProperties(serviceRes, service, taskDef);
  await reportDeploymentAlarms(t, serviceRes, service);

  // Load balancer, listeners, target groups
  const [lbId, lbRes] = single(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const lbArn = ids.get(lbId)!;
  const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).LoadBalancers?.[0];
  equal(lb?.Type, 'application', 'load balancer type');
  equal(lb?.Scheme, lbRes.Properties?.Scheme ?? 'internet-facing', 'load balancer scheme (from template)');
  check(!!lb?.DNSName && (fileOutputs.ServiceUrl ?? '').includes(lb.DNSName), 'output ServiceUrl points at the load balancer',
    `${fileOutputs.ServiceUrl} vs ${lb?.DNSName}`);

  const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? [];
  const templateListeners = ofType(t, 'AWS::ElasticLoadBalancingV2::Listener');
  equal(listeners.length, templateListeners.length, 'number of listeners');
  for (const [id, l] of templateListeners) {
    const live = listeners.find((x) => x.ListenerArn === ids.get(id));
    equal(live && [live.Port, live.Protocol], [l.Properties?.Port, l.Properties?.Protocol], `listener ${id} port/protocol`);
    const forward = l.Properties?.DefaultActions?.find((a: any) => a.Type === 'forward');
    if (forward?.TargetGroupArn?.Ref) {
      equal(live?.DefaultActions?.find((a) => a.Type === 'forward')?.TargetGroupArn, ids.get(forward.TargetGroupArn.Ref),
        `listener ${id} forwards to ${forward.TargetGroupArn.Ref}`);
    }
  }

  const templateTgs = ofType(t, 'AWS::ElasticLoadBalancingV2::TargetGroup');
  for (const [id, tg] of templateTgs) {
    const arn = ids.get(id)!;
    const live = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).TargetGroups?.[0];
    const p = tg.Properties ?? {};
    // The template must carry the library's fast-deploy defaults, and moto must have kept them.
    const fields: Array<[string, unknown, unknown, unknown]> = [
      ['HealthCheckIntervalSeconds', p.HealthCheckIntervalSeconds, live?.HealthCheckIntervalSeconds, Defaults.healthCheckInterval.toSeconds()],
      ['HealthCheckTimeoutSeconds', p.HealthCheckTimeoutSeconds, live?.HealthCheckTimeoutSeconds, Defaults.healthCheckTimeout.toSeconds()],
      ['HealthyThresholdCount', p.HealthyThresholdCount, live?.HealthyThresholdCount, Defaults.healthyThresholdCount],
      ['UnhealthyThresholdCount', p.UnhealthyThresholdCount, live?.UnhealthyThresholdCount, Defaults.unhealthyThresholdCount],
      // The path is the app's (the bin app's is /health); moto must keep whatever the template says.
      ['HealthCheckPath', p.HealthCheckPath, live?.HealthCheckPath, undefined],
      ['Matcher.HttpCode', p.Matcher?.HttpCode, live?.Matcher?.HttpCode, Defaults.healthyHttpCodes],
      ['Port', p.Port, live?.Port, undefined],
      ['Protocol', p.Protocol, live?.Protocol, undefined],
      ['TargetType', p.TargetType, live?.TargetType, 'ip'],
    ];
    for (const [name, inTemplate, inMoto, dflt] of fields) {
      if (dflt !== undefined) equal(inTemplate, dflt, `template ${id} ${name} (library default)`);
      equal(inMoto, inTemplate, `target group ${id} ${name} kept by moto`);
    }
    const attrs = new Map(((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))).Attributes ?? [])
      .map((a) => [a.Key!, a.Value!]));
    const wantAttrs: Array<{ Key: string; Value: string }> = p.TargetGroupAttributes ?? [];
    const dereg = wantAttrs.find((a) => a.Key === 'deregistration_delay.timeout_seconds');
    equal(dereg?.Value, String(Defaults.deregistrationDelay.toSeconds()), `template ${id} deregistration_delay.timeout_seconds (library default)`);
    for (const a of wantAttrs) {
      const live = attrs.get(a.Key);
      if (live === undefined) {
        note(`target group attribute ${a.Key}=${a.Value} is in the template but moto does not have it (not verified)`);
      } else if (MOTO_TARGET_GROUP_ATTRIBUTE_DEFAULTS[a.Key] === live) {
        // moto's CloudFormation ignores TargetGroupAttributes: a value equal to moto's own default proves nothing.
        note(`target group attribute ${a.Key}=${a.Value} not kept by moto (it returns its own default ${live}; not verified)`);
      } else equal(live, a.Value, `target group ${id} attribute ${a.Key} kept by moto`);
    }
  }

  saveState({ repositoryName: repoName, repositoryUri: repo?.repositoryUri, clusterName, serviceName: fileOutputs.ServiceName,
    serviceArn: service?.serviceArn, taskDefinitionArn: service?.taskDefinition, revision, tag, loadBalancerArn: lbArn,
    vpcIds: ofType(t, 'AWS::EC2::VPC').map(([id]) => ids.get(id)) });
  await pushPhase(tag, false);
  finish(`deployed ${tag}`);
}

/**
 * The deployment alarms and the deployment strategy: the template must name in the service
 * exactly the alarms it creates (with rollback), and what the emulator keeps is checked through
 * the SDK; what it does not keep is reported.
 */
async function reportDeploymentAlarms(t: CfnTemplate, serviceRes: CfnResource, service: any): Promise<void> {
  const dc = serviceRes.Properties?.DeploymentConfiguration ?? {};
  const names: unknown[] = dc.Alarms?.AlarmNames ?? [];
  check(dc.Alarms?.Enable === true && dc.Alarms?.Rollback === true && names.length > 0, 'template: the service has deployment alarms with rollback on alarm',
    JSON.stringify(dc.Alarms));
  const created = ofType(t, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties?.AlarmName);
  equal(names.filter((n) => typeof n === 'string' && !created.includes(n)), [], 'template: every literal deployment alarm name is an alarm of the stack');

  // No CloudWatch SDK call: the current SDK speaks CloudWatch's JSON protocol, which moto 5.2
  // refuses ("Unsupported protocol [json] for service cloudwatch"). moto's internal state shows
  // whether it created the alarms.
  const literal = names.filter((n): n is string => typeof n === 'string');
  const stored = Object.values((await motoData()).cloudwatch ?? {}).flat() as Array<Record<string, unknown>>;
  const inMoto = stored.filter((a) => literal.includes(String(a?.name ?? a?.alarm_name)));
  if (literal.length > 0 && inMoto.length === literal.length) pass(`deployment alarms ${JSON.stringify(literal)} exist in moto's CloudWatch`);
  else {
    note(`deployment alarms ${JSON.stringify(literal)} are not in moto's CloudWatch (found ${inMoto.length}): moto's CloudFormation skips AWS::CloudWatch::Alarm `
      + '(and moto 5.2 does not answer the CloudWatch SDK\'s JSON protocol), so the alarms themselves are not verified');
  }

  const live = service?.deploymentConfiguration;
  if (live?.alarms) {
    equal([live.alarms.alarmNames, live.alarms.enable, live.alarms.rollback], [names, true, true], 'service deployment alarms (names, rollback) kept by moto');
  } else note('service deployment alarms (names, enable, rollback) are in the template but moto does not keep them (not verified)');
  const strategy = dc.Strategy ?? 'ROLLING';
  if (live?.strategy) equal(live.strategy, strategy, 'service deployment strategy kept by moto');
  else note(`service deployment strategy ${strategy}${dc.BakeTimeInMinutes !== undefined ? `, bake ${dc.BakeTimeInMinutes} min` : ''}`
    + `${dc.CanaryConfiguration ? `, canary ${JSON.stringify(dc.CanaryConfiguration)}` : ''}${dc.LinearConfiguration ? `, linear ${JSON.stringify(dc.LinearConfiguration)}` : ''}`
    + ' is in the template but moto does not keep it (not verified)');
  const rebalancing = serviceRes.Properties?.AvailabilityZoneRebalancing;
  if (rebalancing !== undefined) {
    if (service?.availabilityZoneRebalancing !== undefined) equal(service.availabilityZoneRebalancing, rebalancing, 'service AZ rebalancing kept by moto');
    else note(`service AvailabilityZoneRebalancing ${rebalancing} is in the template but moto does not keep it (not verified)`);
  }
  const advanced = (serviceRes.Properties?.LoadBalancers ?? []).find((lb: any) => lb.AdvancedConfiguration);
  if (advanced) {
    const kept = (service?.loadBalancers ?? []).find((lb: any) => lb.advancedConfiguration);
    if (kept) pass('service alternate target group (advanced load balancer configuration) kept by moto');
    else note('service alternate target group and production listener rule (LoadBalancers AdvancedConfiguration) are in the template but moto does not keep them (not verified)');
  }
}

/** What the emulator keeps of the service: checked where kept, reported where not. */
function reportServiceProperties(serviceRes: CfnResource, service: any, taskDef: any): void {
  const p = serviceRes.Properties ?? {};
  const dc = p.DeploymentConfiguration;
  if (dc?.DeploymentCircuitBreaker) {
    const live = service?.deploymentConfiguration?.deploymentCircuitBreaker;
    if (live) equal([live.enable, live.rollback], [dc.DeploymentCircuitBreaker.Enable, dc.DeploymentCircuitBreaker.Rollback], 'service circuit breaker kept by moto');
    else note('service deployment circuit breaker/rollback is in the template but moto does not keep it (not verified)');
  }
  if (dc?.MinimumHealthyPercent !== undefined) {
    const live = service?.deploymentConfiguration;
    if (live?.minimumHealthyPercent !== undefined) {
      equal([live.minimumHealthyPercent, live.maximumPercent], [dc.MinimumHealthyPercent, dc.MaximumPercent], 'service min/max healthy percent kept by moto');
    } else note('service minimum/maximum healthy percent not kept by moto (not verified)');
  }
  if (p.LoadBalancers?.length && !service?.loadBalancers?.length) note('service load balancer attachment not kept by moto (not verified)');
  if (p.NetworkConfiguration && !service?.networkConfiguration) note('service network configuration (subnets, public IP, security groups) not kept by moto (not verified)');
  if (p.HealthCheckGracePeriodSeconds !== undefined) {
    if (service?.healthCheckGracePeriodSeconds !== undefined) equal(service.healthCheckGracePeriodSeconds, p.HealthCheckGracePeriodSeconds, 'service health-check grace period kept by moto');
    else note('service health-check grace period not kept by moto (not verified)');
  }
  if (!taskDef?.cpu) note('task definition cpu not kept by moto (not verified)');
  if (!taskDef?.networkMode) note('task definition network mode not kept by moto (not verified)');
  note('moto runs no tasks: container start, image pull, health checks and the rolling deploy itself are not exercised');
}

async function describeService(clusterName: string, serviceName: string): Promise<{ service: any; taskDef: any }> {
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: clusterName, services: [serviceName] }))).services?.[0];
  const taskDef = service?.taskDefinition
    ? (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition
    : undefined;
  return { service, taskDef };
}

/** A user's `docker push`: a fake image (manifest only) with the tag; immutability must refuse a second one. */
async function pushPhase(tag: string, standalone = true): Promise<void> {
  if (standalone) console.log(`Push a fake image ${tag}`);
  const { repositoryName } = loadState();
  const manifest = (seed: string): string => JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: `sha256:${createHash('sha256').update(seed).digest('hex')}` },
    layers: [],
  });
  const put = await attempt(`PutImage ${repositoryName}:${tag}`, () =>
    ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest(`rehearsal-${tag}`) })));
  if (put) pass(`pushed ${repositoryName}:${tag}`);
  try {
    await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest(`rehearsal-${tag}-again`) }));
    fail(`pushing a different image as ${tag} again is refused (IMMUTABLE tags): it was accepted`);
  } catch (e) {
    // AWS says ImageTagAlreadyExistsException; moto 5.2 says ImageAlreadyExistsException.
    check(['ImageTagAlreadyExistsException', 'ImageAlreadyExistsException'].includes((e as Error).name),
      `pushing a different image as ${tag} again is refused (IMMUTABLE tags)`, `${(e as Error).name}: ${(e as Error).message}`);
  }
  const pushed: string[] = loadState().pushedTags ?? [];
  saveState({ pushedTags: [...new Set([...pushed, tag])] });
  if (standalone) finish(`push ${tag}`);
}

async function updatedPhase(tag: string, outputsFile: string): Promise<void> {
  console.log(`Checks after the update (imageTag=${tag})`);
  const before = loadState();
  const t = loadTemplate();
  const outputs = readOutputsFile(outputsFile);
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  equal(stack?.StackStatus, 'UPDATE_COMPLETE', 'stack status');
  const apiOutputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  equal(apiOutputs, outputs, 'DescribeStacks outputs equal the outputs file');
  equal(outputs.RepositoryUri, before.repositoryUri, 'RepositoryUri unchanged by the update');
  const wantImage = `${before.repositoryUri}:${tag}`;

  // What CloudFormation made of the new template: the stack's task definition is a new revision.
  const [taskDefId] = single(t, 'AWS::ECS::TaskDefinition');
  const stackTaskDefArn = (await physicalIds()).get(taskDefId);
  const stackTaskDef = stackTaskDefArn
    ? (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: stackTaskDefArn }))).taskDefinition : undefined;
  const newRevision = revisionOf(stackTaskDefArn);
  check(newRevision > before.revision, `stack's ${taskDefId} is a new revision (${before.revision} → ${newRevision})`);
  const newImage = stackTaskDef?.containerDefinitions?.[0]?.image;
  if (newImage === undefined && stackTaskDef?.containerDefinitions?.length) {
    // moto 5.2 registers an updated task definition with CloudFormation's keys (Image, not image).
    const stored = (await motoData()).ecs?.TaskDefinition?.find((d: any) => d.arn === stackTaskDefArn)?.container_definitions;
    equal(stored?.[0]?.Image, wantImage,
      `revision ${newRevision} container image is <repository uri>:${tag} (moto's internal state, under CloudFormation's key Image)`);
    note('on update moto registers the task definition with CloudFormation\'s PascalCase keys, so DescribeTaskDefinition shows no image (checked in moto\'s internal state instead)');
  } else equal(newImage, wantImage, `revision ${newRevision} container image is <repository uri>:${tag}`);
  equal(stackTaskDef?.status, 'ACTIVE', `revision ${newRevision} status`);

  // What a user sees: the service runs the new revision.
  const { service, taskDef } = await describeService(outputs.ClusterName, outputs.ServiceName);
  equal(service?.status, 'ACTIVE', 'service status');
  const image: string | undefined = taskDef?.containerDefinitions?.[0]?.image;
  if (service?.taskDefinition === stackTaskDefArn) {
    pass(`service moved to task definition revision ${newRevision}`);
    check(!!image?.endsWith(`:${tag}`), `service container image ends with :${tag}`, image);
  } else if (service?.taskDefinition === before.taskDefinitionArn && newRevision > before.revision) {
    // moto 5.2 updates only resources whose own template JSON changed; the service's
    // `TaskDefinition: {Ref}` did not, so moto leaves it on the old revision, where
    // CloudFormation would update it. Reported, not failed: the template side is checked above.
    note(`moto does not carry a replaced task definition's new Ref into the service: the service still names revision ${before.revision} `
      + `(${image}); on AWS CloudFormation updates it to revision ${newRevision}. The service's move is not verified.`);
  } else {
    fail(`service runs neither the old nor the new task definition: ${service?.taskDefinition} (${image})`);
  }
  if (outputs.ServiceName !== before.serviceName) note(`moto recreated the service on update (${before.serviceName} → ${outputs.ServiceName})`);
  saveState({ revision: newRevision, taskDefinitionArn: stackTaskDefArn, tag, clusterName: outputs.ClusterName, serviceName: outputs.ServiceName });
  finish(`updated ${tag}`);
}

async function destroyedPhase(): Promise<void> {
  console.log('Checks after destroy');
  const state = loadState();
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    equal(stack?.StackStatus, 'DELETE_COMPLETE', 'stack is deleted');
  } catch (e) {
    check(/does not exist/.test((e as Error).message), 'stack is gone', (e as Error).message);
  }

  // RETAIN: the repository and every image pushed to it survive the stack.
  const repo = await attempt('repository still exists (RETAIN)', async () =>
    (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [state.repositoryName] }))).repositories?.[0]);
  if (repo) equal(repo.repositoryName, state.repositoryName, 'repository still exists (RETAIN)');
  const images = await attempt('list images', async () =>
    (await ecr.send(new DescribeImagesCommand({ repositoryName: state.repositoryName }))).imageDetails ?? []);
  const tags = new Set((images ?? []).flatMap((i) => i.imageTags ?? []));
  check((state.pushedTags ?? []).length > 0, 'images were pushed before destroy');
  for (const tag of state.pushedTags ?? []) check(tags.has(tag), `image ${state.repositoryName}:${tag} still there`, `tags: ${[...tags].join(', ')}`);

  // What moto does delete: the load balancer (and with it its listeners).
  try {
    const lbs = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [state.loadBalancerArn] }))).LoadBalancers ?? [];
    check(lbs.length === 0, 'load balancer is gone', `${lbs.length} left`);
  } catch (e) {
    check((e as Error).name === 'LoadBalancerNotFoundException', 'load balancer is gone', (e as Error).name);
  }

  // ECS: gone on AWS; moto 5.2 has no CloudFormation delete for ECS clusters, services or task definitions.
  const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: [state.clusterName] }))).clusters?.[0];
  let service: any;
  try {
    service = (await ecs.send(new DescribeServicesCommand({ cluster: state.clusterName, services: [state.serviceName] }))).services?.[0];
  } catch (e) {
    if (!/ClusterNotFound/.test((e as Error).name)) throw e;
  }
  const clusterGone = cluster === undefined || cluster.status === 'INACTIVE';
  const serviceGone = service === undefined || service.status !== 'ACTIVE';
  if (clusterGone && serviceGone) pass('cluster and service are gone');
  else if (cluster?.status === 'ACTIVE' && service?.status === 'ACTIVE') {
    note(`moto does not delete ECS clusters, services or task definitions with their stack (no CloudFormation delete in moto): `
      + `${state.clusterName} and its service are still ACTIVE there; their removal is not verified`);
  } else fail(`cluster/service half deleted: cluster ${cluster?.status}, service ${service?.status}`);

  await checkVpcsLeft(state.vpcIds ?? []);
  finish('destroyed');
}

/** The VPC: moto never deletes the route tables CloudFormation made, so it refuses to delete the VPC. */
async function checkVpcsLeft(vpcIds: string[]): Promise<void> {
  for (const vpcId of vpcIds) {
    const byVpc = { 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpcId };
    const vpcs = xmlValues(await ec2Query('DescribeVpcs', byVpc), 'vpcId');
    if (!vpcs.includes(vpcId)) {
      pass(`VPC ${vpcId} is gone`);
      continue;
    }
    const subnets = xmlValues(await ec2Query('DescribeSubnets', byVpc), 'subnetId');
    const groupsXml = await ec2Query('DescribeSecurityGroups', byVpc);
    const groups = xmlValues(groupsXml, 'groupName').filter((n) => n !== 'default');
    const routeTables = [...new Set(xmlValues(await ec2Query('DescribeRouteTables', byVpc), 'routeTableId'))];
    if (subnets.length === 0 && groups.length === 0 && routeTables.length > 1) {
      note(`moto could not delete VPC ${vpcId}: it keeps the route tables CloudFormation created (${routeTables.join(', ')}; `
        + 'moto 5.2 has no CloudFormation delete for AWS::EC2::RouteTable). Its subnets and security groups are gone.');
    } else fail(`VPC ${vpcId} is left with subnets [${subnets.join(', ')}], security groups [${groups.join(', ')}], route tables [${routeTables.join(', ')}]`);
  }
}

/**
 * After each deploy of the routes app: the stack is complete, every listener rule of the template
 * has its template priority, rules that stay are the same rules with the same priorities as
 * before, every service of the template is ACTIVE, and compareTemplates found no error in the
 * update just deployed. What moto does not do (delete removed rules and services) is reported.
 */
async function routesPhase(label: string): Promise<void> {
  console.log(`Checks after the routes app deploy (${label}): ${stackName}`);
  const t = loadTemplate();
  type Rules = Record<string, { arn: string; priority: string }>;
  const previous: { template?: CfnTemplate; rules?: Rules; leftBehind?: Rules; services?: Record<string, string> } = loadState().routes ?? {};
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  equal(stack?.StackStatus, previous.template ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', 'stack status');
  if (previous.template) {
    const errors = errorsOf(compareTemplates({ [stackName]: previous.template }, { [stackName]: t }, { app: 'routes' }));
    check(errors.length === 0, 'compareTemplates finds no update hazard between the previous template and this one', errors.map(describeHazard).join('; '));
  }
  const ids = await physicalIds();

  // Listener rules: template priority, and unchanged identity and priority for the rules that stay.
  const templateRules = ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
  const ruleArns = templateRules.map(([id]) => ids.get(id) ?? '');
  const live = ruleArns.every(Boolean)
    ? (await elb.send(new DescribeRulesCommand({ RuleArns: ruleArns }))).Rules ?? [] : [];
  const rules: Rules = {};
  for (const [id, r] of templateRules) {
    const rule = live.find((x) => x.RuleArn === ids.get(id));
    equal(rule?.Priority, String(r.Properties?.Priority), `${id} priority (from the template)`);
    rules[id] = { arn: rule?.RuleArn ?? '', priority: rule?.Priority ?? '' };
    const before = previous.rules?.[id];
    if (before) {
      equal(rules[id], before, `${id} stays the same rule with the same priority across the update`);
    } else if (previous.rules) pass(`${id} is new in this update, priority ${rule?.Priority}`);
  }
  const [listenerId] = single(t, 'AWS::ElasticLoadBalancingV2::Listener');
  const onListener = ((await elb.send(new DescribeRulesCommand({ ListenerArn: ids.get(listenerId) }))).Rules ?? []).filter((r) => !r.IsDefault);
  check(new Set(onListener.map((r) => r.Priority)).size === onListener.length, 'no two rules on the listener share a priority',
    onListener.map((r) => r.Priority).join(', '));
  // Rules an earlier update removed from the template, which moto left on the listener.
  const leftBehind: Record<string, { arn: string; priority: string }> = { ...previous.leftBehind };
  for (const [id, r] of Object.entries(previous.rules ?? {})) if (rules[id] === undefined) leftBehind[id] = r;
  const stale = onListener.filter((r) => !ruleArns.includes(r.RuleArn ?? ''));
  if (stale.length === 0) pass(`the listener holds exactly the template's ${templateRules.length} rules`);
  else {
    const removed = Object.entries(leftBehind).filter(([, r]) => stale.some((s) => s.RuleArn === r.arn)).map(([id, r]) => `${id} (priority ${r.priority})`);
    check(removed.length === stale.length, 'every extra rule on the listener is one an update removed from the template', stale.map((r) => r.RuleArn).join(', '));
    note(`moto does not delete listener rules removed from the template (its elbv2 models have no CloudFormation delete): ${removed.join(', ')} still on the listener; `
      + 'on AWS CloudFormation deletes them in the cleanup phase');
  }

  // Services: every service of the template is ACTIVE; removed ones are reported.
  const [clusterId] = single(t, 'AWS::ECS::Cluster');
  const cluster = ids.get(clusterId) ?? '';
  const templateServices = ofType(t, 'AWS::ECS::Service').map(([id]) => id);
  const services: Record<string, string> = Object.fromEntries(templateServices.map((id) => [id, ids.get(id) ?? '']));
  const described = (await ecs.send(new DescribeServicesCommand({ cluster, services: Object.values(services) }))).services ?? [];
  for (const id of templateServices) {
    const svc = described.find((d) => d.serviceArn === services[id] || d.serviceName === services[id]);
    equal(svc?.status, 'ACTIVE', `${id} ${previous.services && !previous.services[id] ? '(added by this update) ' : ''}is ACTIVE`);
  }
  equal(described.filter((d) => d.status === 'ACTIVE').length, templateServices.length, `DescribeServices shows all ${templateServices.length} services`);
  const gone = Object.entries(previous.services ?? {}).filter(([id]) => services[id] === undefined);
  if (gone.length > 0) {
    const left = (await ecs.send(new DescribeServicesCommand({ cluster, services: gone.map(([, arn]) => arn) }))).services ?? [];
    const active = left.filter((d) => d.status === 'ACTIVE');
    if (active.length === 0) pass(`removed service(s) ${gone.map(([id]) => id).join(', ')} are gone`);
    else note(`moto does not delete ECS services removed from the template: ${gone.map(([id]) => id).join(', ')} still ACTIVE; on AWS CloudFormation deletes them in the cleanup phase`);
  }
  saveState({ routes: { template: t, rules, leftBehind, services } });
  finish(`routes ${label}`);
}

// ---- EFS volumes: the EFS app (test/rehearsal/efs-app.ts) -----------------------------------------
/** The EFS app's template, before its deploy: deployable on moto, and a retained file system. */
async function efsTemplatePhase(): Promise<void> {
  console.log(`Template checks of the EFS app: ${stackName}`);
  const t = loadTemplate();
  const lambdaBacked = Object.entries(t.Resources).filter(([, r]) => r.Type.startsWith('Custom::') || LAMBDA_TYPES.includes(r.Type));
  check(lambdaBacked.length === 0, 'no Lambda functions or custom resources', lambdaBacked.map(([id, r]) => `${id} ${r.Type}`).join(', '));
  checkGetAtts(t);
  const [fsId, fs] = single(t, 'AWS::EFS::FileSystem');
  equal(fs.DeletionPolicy, 'Retain', `${fsId} DeletionPolicy (library default: retained)`);
  equal(fs.UpdateReplacePolicy, 'Retain', `${fsId} UpdateReplacePolicy`);
  check(ofType(t, 'AWS::EFS::MountTarget').length > 0 && ofType(t, 'AWS::EFS::AccessPoint').length === 1,
    'template has mount targets and one access point');
  finish('efs template');
}

/**
 * Physical ids of the template's resources of a type: CloudFormation's, or (where moto gives none)
 * moto's internal state's, among its records for which `where` holds (that state also lists
 * deleted objects, e.g. a previous run's).
 */
async function efsPhysicalIds(t: CfnTemplate, ids: Map<string, string>, type: string, key: string, where: (r: any) => boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const missing = ofType(t, type).map(([id]) => id).filter((id) => {
    if (ids.get(id)) out.set(id, ids.get(id)!);
    return !ids.get(id);
  });
  if (missing.length > 0) {
    const stored: any[] = (await motoData()).efs?.[type.split('::')[2]] ?? [];
    for (const id of missing) {
      const found = stored.filter((r) => r.logical_resource_id === id && where(r)).pop()?.[key];
      if (found) out.set(id, found);
    }
    note(`moto gives ${type} no physical id (no Ref: its model has no physical_resource_id; Ref yields the Python object), `
      + `so the checks find ${missing.join(', ')} in moto's internal state`);
  }
  return out;
}

/**
 * After the EFS app's deploy: the file system exists, encrypted, backed up, with the template's
 * throughput, performance mode and lifecycle; one mount target in each task subnet; the access
 * point with the app's POSIX user and root directory; the task definition mounts the volume
 * through that access point with IAM authorization and encryption in transit.
 */
async function efsDeployedPhase(): Promise<void> {
  console.log(`Checks after the EFS app deploy: ${stackName}`);
  const t = loadTemplate();
  const ids = await physicalIds();
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  equal(stack?.StackStatus, 'CREATE_COMPLETE', 'stack status');

  // File system: what the template asks for (the library's defaults) and what EFS holds.
  const [fsLogicalId, fsRes] = single(t, 'AWS::EFS::FileSystem');
  const fsp = fsRes.Properties ?? {};
  const fileSystemId = ids.get(fsLogicalId) ?? '';
  check(/^fs-[0-9a-f]+$/.test(fileSystemId), `${fsLogicalId} physical id is a file system id`, fileSystemId);
  equal(fsp.Encrypted, true, 'template file system Encrypted');
  equal(fsp.BackupPolicy?.Status, Defaults.fileSystemAutomaticBackups ? 'ENABLED' : 'DISABLED', 'template file system BackupPolicy (library default)');
  equal(fsp.ThroughputMode, Defaults.fileSystemThroughputMode, 'template file system ThroughputMode (library default)');
  equal(fsp.PerformanceMode, Defaults.fileSystemPerformanceMode, 'template file system PerformanceMode (library default)');
  equal(fsp.LifecyclePolicies, [{ TransitionToIA: Defaults.fileSystemLifecyclePolicy }, { TransitionToPrimaryStorageClass: Defaults.fileSystemOutOfInfrequentAccess }],
    'template file system LifecyclePolicies (library defaults)');
  const described = await efsApi(`/2015-02-01/file-systems?FileSystemId=${encodeURIComponent(fileSystemId)}`);
  const fs0 = described.body?.FileSystems?.[0];
  equal(fs0?.FileSystemId, fileSystemId, 'DescribeFileSystems finds the file system');
  equal(fs0?.LifeCycleState, 'available', 'file system LifeCycleState');
  equal(fs0?.Encrypted, true, 'file system Encrypted');
  equal(fs0?.ThroughputMode, fsp.ThroughputMode, 'file system ThroughputMode (from template)');
  equal(fs0?.PerformanceMode, fsp.PerformanceMode, 'file system PerformanceMode (from template)');
  const backup = await efsApi(`/2015-02-01/file-systems/${fileSystemId}/backup-policy`);
  equal(backup.body?.BackupPolicy?.Status, 'ENABLED', 'DescribeBackupPolicy: automatic backups ENABLED');
  const lifecycle = await efsApi(`/2015-02-01/file-systems/${fileSystemId}/lifecycle-configuration`);
  equal(lifecycle.body?.LifecyclePolicies, fsp.LifecyclePolicies, 'DescribeLifecycleConfiguration (from template)');
  if (fsp.FileSystemPolicy) {
    const policy = await efsApi(`/2015-02-01/file-systems/${fileSystemId}/policy`);
    if (policy.status === 200) {
      check(JSON.stringify(policy.body?.Policy ?? '').includes('aws:SecureTransport'), 'file system policy refuses connections without TLS');
    } else {
      note(`moto ignores FileSystemPolicy (DescribeFileSystemPolicy: ${policy.body?.__type}): the policy that refuses connections without TLS is not verified`);
    }
  }

  // Mount targets: one per task subnet (the service's subnets), each in the file system's security group.
  const [serviceLogicalId, serviceRes] = single(t, 'AWS::ECS::Service');
  const taskSubnets = ((serviceRes.Properties?.NetworkConfiguration?.AwsvpcConfiguration?.Subnets ?? []) as any[])
    .map((s) => ids.get(s?.Ref) ?? JSON.stringify(s)).sort();
  check(taskSubnets.length > 0, `the service's task subnets: ${taskSubnets.join(', ')}`);
  const templateMountTargets = ofType(t, 'AWS::EFS::MountTarget');
  const templateMountTargetSubnets = templateMountTargets.map(([, r]) => ids.get(r.Properties?.SubnetId?.Ref) ?? '').sort();
  equal(templateMountTargetSubnets, taskSubnets, 'template: one mount target in each task subnet');
  const mountTargets: any[] = (await efsApi(`/2015-02-01/mount-targets?FileSystemId=${encodeURIComponent(fileSystemId)}`)).body?.MountTargets ?? [];
  equal(mountTargets.map((m) => m.SubnetId).sort(), taskSubnets, 'DescribeMountTargets: one mount target per task subnet');
  equal(mountTargets.map((m) => m.MountTargetId).sort(), templateMountTargets.map(([id]) => ids.get(id)).sort(), 'the mount targets are the stack\'s');
  check(mountTargets.every((m) => m.LifeCycleState === 'available'), 'every mount target is available', mountTargets.map((m) => m.LifeCycleState).join(', '));
  equal(new Set(mountTargets.map((m) => m.AvailabilityZoneName)).size, mountTargets.length, 'mount targets in distinct Availability Zones');
  const wantGroups = (templateMountTargets[0]?.[1].Properties?.SecurityGroups ?? []).map((g: any) => ids.get(g?.['Fn::GetAtt']?.[0]) ?? JSON.stringify(g));
  for (const m of mountTargets) {
    const groups = (await efsApi(`/2015-02-01/mount-targets/${m.MountTargetId}/security-groups`)).body?.SecurityGroups;
    equal(groups, wantGroups, `mount target ${m.MountTargetId} security groups (from template)`);
  }

  // The NFS rule: the file system's security group admits 2049 from the tasks' security group.
  const taskGroups = ((serviceRes.Properties?.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups ?? []) as any[])
    .map((g) => ids.get(g?.['Fn::GetAtt']?.[0]) ?? '');
  const groupXml = await ec2Query('DescribeSecurityGroups', { 'GroupId.1': wantGroups[0] ?? '' });
  const ingress = /<ipPermissions>([\s\S]*?)<\/ipPermissions>/.exec(groupXml)?.[1] ?? '';
  // One <item><ipProtocol>… per permission; the peers are nested <groups><item><groupId>….
  const nfsPeers = ingress.split(/<item>\s*<ipProtocol>/).filter((perm) => /<fromPort>2049<\/fromPort>\s*<toPort>2049<\/toPort>/.test(perm))
    .flatMap((perm) => xmlValues(perm, 'groupId'));
  check(taskGroups.length > 0 && taskGroups.every((g) => nfsPeers.includes(g)),
    `the file system's security group admits NFS (2049) from the tasks' security group ${taskGroups.join(', ')}`, `NFS peers: ${nfsPeers.join(', ')}`);

  // Access point: the app's POSIX user and root directory, on this file system.
  const [apLogicalId, apRes] = single(t, 'AWS::EFS::AccessPoint');
  const app = apRes.Properties ?? {};
  equal(app.PosixUser, { Gid: String(EFS_POSIX_USER.gid), Uid: String(EFS_POSIX_USER.uid) }, 'template access point PosixUser (the app\'s)');
  equal(app.RootDirectory?.Path, EFS_ROOT_DIRECTORY, 'template access point root directory (the app\'s)');
  equal(app.RootDirectory?.CreationInfo, { OwnerGid: String(EFS_POSIX_USER.gid), OwnerUid: String(EFS_POSIX_USER.uid), Permissions: Defaults.efsDirectoryPermissions },
    'template access point creates the root directory owned by the POSIX user (library default permissions)');
  equal(app.FileSystemId, { Ref: fsLogicalId }, 'template access point is on the file system');
  const accessPointId = (await efsPhysicalIds(t, ids, 'AWS::EFS::AccessPoint', 'access_point_id', (r) => r.file_system_id === fileSystemId)).get(apLogicalId) ?? '';
  const accessPoints: any[] = (await efsApi(`/2015-02-01/access-points?FileSystemId=${encodeURIComponent(fileSystemId)}`)).body?.AccessPoints ?? [];
  equal(accessPoints.map((a) => a.AccessPointId), [accessPointId], 'DescribeAccessPoints: the file system has exactly the stack\'s access point');
  const ap = accessPoints.find((a) => a.AccessPointId === accessPointId);
  equal(ap?.LifeCycleState, 'available', 'access point LifeCycleState');
  equal(ap?.PosixUser, app.PosixUser, 'access point PosixUser (from template)');
  equal(ap?.RootDirectory, app.RootDirectory, 'access point RootDirectory: path and creation info (from template)');

  // The task definition: the volume through that access point, IAM authorization, TLS; the mount point.
  const [taskDefLogicalId, taskDefRes] = single(t, 'AWS::ECS::TaskDefinition');
  const templateVolume = ((taskDefRes.Properties?.Volumes ?? []) as any[]).find((v) => v.EFSVolumeConfiguration);
  const efsConfig = templateVolume?.EFSVolumeConfiguration ?? {};
  equal([efsConfig.FilesystemId, efsConfig.TransitEncryption, efsConfig.AuthorizationConfig?.IAM, efsConfig.AuthorizationConfig?.AccessPointId],
    [{ Ref: fsLogicalId }, 'ENABLED', 'ENABLED', { Ref: apLogicalId }],
    'template task volume: the file system, transit encryption, IAM authorization, through the access point');
  const taskDefArn = ids.get(taskDefLogicalId) ?? '';
  const taskDef = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefArn }))).taskDefinition;
  const volume = taskDef?.volumes?.find((v) => v.name === templateVolume?.Name);
  check(volume !== undefined, `task definition has the volume ${templateVolume?.Name}`);
  const live = volume?.efsVolumeConfiguration;
  if (live) {
    equal([live.fileSystemId, live.transitEncryption, live.authorizationConfig?.iam, live.authorizationConfig?.accessPointId],
      [fileSystemId, 'ENABLED', 'ENABLED', accessPointId], 'task volume: the file system, transit encryption, IAM authorization, through the access point');
  } else {
    note('moto drops the task definition\'s EFSVolumeConfiguration (its CloudFormation turns the key into "eFSVolumeConfiguration", which DescribeTaskDefinition never returns, '
      + 'and its Ref to the access point is a Python object): the registered volume\'s file system, access point, IAM authorization and transit encryption are checked in the template only');
  }
  const container = taskDef?.containerDefinitions?.find((c) => c.mountPoints?.some((m) => m.sourceVolume === templateVolume?.Name));
  const mountPoint = container?.mountPoints?.find((m) => m.sourceVolume === templateVolume?.Name);
  equal([mountPoint?.containerPath, mountPoint?.readOnly], [EFS_MOUNT_PATH, false],
    `container ${container?.name} mounts ${templateVolume?.Name} at ${EFS_MOUNT_PATH}, writable`);

  // The task role may mount and write through that access point only (IAM is not enforced by moto).
  const statements = ofType(t, 'AWS::IAM::Policy').flatMap(([, r]) => (r.Properties?.PolicyDocument?.Statement ?? []) as any[]);
  const grant = statements.find((st) => [st.Action].flat().includes('elasticfilesystem:ClientMount'));
  check(JSON.stringify(grant?.Condition?.StringEquals?.['elasticfilesystem:AccessPointArn'] ?? '').includes(`"Ref":"${apLogicalId}"`)
    && [grant?.Action].flat().includes('elasticfilesystem:ClientWrite'),
  'template: the task role may ClientMount and ClientWrite only through the access point', JSON.stringify(grant));
  note('moto does not enforce IAM, and its Ref to an access point yields no id, so the task role\'s AccessPointArn condition names no real access point there (checked in the template only)');

  // The service runs that task definition.
  const [clusterLogicalId] = single(t, 'AWS::ECS::Cluster');
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: ids.get(clusterLogicalId), services: [ids.get(serviceLogicalId) ?? ''] }))).services?.[0];
  equal([service?.status, service?.taskDefinition], ['ACTIVE', taskDefArn], `${serviceLogicalId} is ACTIVE and runs ${taskDefLogicalId}`);

  saveState({ efs: {
    fileSystemId, mountTargetIds: mountTargets.map((m) => m.MountTargetId), accessPointId,
    vpcIds: ofType(t, 'AWS::EC2::VPC').map(([id]) => ids.get(id)),
  } });
  finish('efs deployed');
}

/** After the EFS app's destroy: the file system (RETAIN) and its settings stay; mount targets and the access point are gone. */
async function efsDestroyedPhase(): Promise<void> {
  console.log(`Checks after the EFS app destroy: ${stackName}`);
  const state = loadState().efs ?? {};
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    equal(stack?.StackStatus, 'DELETE_COMPLETE', 'stack is deleted');
  } catch (e) {
    check(/does not exist/.test((e as Error).message), 'stack is gone', (e as Error).message);
  }
  const fs0 = (await efsApi(`/2015-02-01/file-systems?FileSystemId=${encodeURIComponent(state.fileSystemId)}`)).body?.FileSystems?.[0];
  equal(fs0?.FileSystemId, state.fileSystemId, 'file system still exists (RETAIN)');
  equal([fs0?.LifeCycleState, fs0?.Encrypted], ['available', true], 'retained file system is available and encrypted');
  const backup = await efsApi(`/2015-02-01/file-systems/${state.fileSystemId}/backup-policy`);
  equal(backup.body?.BackupPolicy?.Status, 'ENABLED', 'retained file system keeps its automatic backups');
  const mountTargets: any[] = (await efsApi(`/2015-02-01/mount-targets?FileSystemId=${encodeURIComponent(state.fileSystemId)}`)).body?.MountTargets ?? [];
  equal(mountTargets.map((m) => m.MountTargetId), [], 'the retained file system has no mount targets left');
  equal(fs0?.NumberOfMountTargets, 0, 'file system NumberOfMountTargets');
  for (const id of state.mountTargetIds ?? []) {
    const res = await efsApi(`/2015-02-01/mount-targets?MountTargetId=${id}`);
    check(res.status === 404 || (res.body?.MountTargets ?? []).length === 0, `mount target ${id} is gone`, `${res.status} ${JSON.stringify(res.body)}`);
  }
  const accessPoints: any[] = (await efsApi(`/2015-02-01/access-points?FileSystemId=${encodeURIComponent(state.fileSystemId)}`)).body?.AccessPoints ?? [];
  equal(accessPoints.map((a) => a.AccessPointId), [], 'the retained file system has no access point left');
  const ap = await efsApi(`/2015-02-01/access-points?AccessPointId=${state.accessPointId}`);
  check(ap.status === 404 || (ap.body?.AccessPoints ?? []).length === 0, `access point ${state.accessPointId} is gone`, `${ap.status} ${JSON.stringify(ap.body)}`);
  await checkVpcsLeft(state.vpcIds ?? []);
  finish('efs destroyed');
}

function summaryPhase(): void {
  const rows = fs.readFileSync(path.join(dir, 'results.txt'), 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
  const p = rows.reduce((n, r) => n + Number(r[1]), 0);
  const f = rows.reduce((n, r) => n + Number(r[2]), 0);
  const notesFile = path.join(dir, 'notes.txt');
  if (fs.existsSync(notesFile)) {
    console.log('Not verified by the emulator:');
    for (const n of new Set(fs.readFileSync(notesFile, 'utf8').trim().split('\n').map((l) => l.replace(/^[^:]*: /, '')))) console.log(`  - ${n}`);
  }
  console.log(`rehearsal: ${p} passed, ${f} failed`);
  process.exitCode = f > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const [phase, ...args] = process.argv.slice(2);
  switch (phase) {
    case 'template': return templatePhase();
    case 'bootstrapped': return bootstrappedPhase();
    case 'deployed': return deployedPhase(args[0], args[1]);
    case 'push': return pushPhase(args[0]);
    case 'updated': return updatedPhase(args[0], args[1]);
    case 'destroyed': return destroyedPhase();
    case 'routes': return routesPhase(args[0]);
    case 'efs-template': return efsTemplatePhase();
    case 'efs-deployed': return efsDeployedPhase();
    case 'efs-destroyed': return efsDestroyedPhase();
    case 'summary': return summaryPhase();
    default: throw new Error(`unknown phase ${phase}; use template|bootstrapped|deployed|push|updated|destroyed|routes|efs-template|efs-deployed|efs-destroyed|summary`);
  }
}

main().catch((e) => {
  console.error(e);
  fail(`unexpected error: ${(e as Error).message}`);
  process.exitCode = 1;
});
