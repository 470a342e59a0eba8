/**
 * The facts generated from the CloudFormation registry schemas (lib/deploy-checks/
 * schema-facts.generated.ts, by scripts/schema-facts.mjs): that they are current for the pinned
 * cfn-lint, decode to what the schemas say, and feed the one physical-name table.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEPLOY_CHECK_RULES } from '../../lib/deploy-checks/pack';
import { physicalName, typesNamedByHand } from '../../lib/deploy-checks/physical-names';
import { schemaFacts, schemaTypes, valueAt } from '../../lib/deploy-checks/schema-facts';

const ROOT = path.join(__dirname, '..', '..');
const VENV_LIB = path.join(ROOT, '.venv', 'lib');
const PYTHON_DIR = fs.existsSync(VENV_LIB) ? fs.readdirSync(VENV_LIB).find((d) => d.startsWith('python3')) : undefined;
const SCHEMAS = path.join(VENV_LIB, PYTHON_DIR ?? 'python3', 'site-packages', 'cfnlint', 'data', 'schemas');

(fs.existsSync(path.join(SCHEMAS, 'providers', 'us-east-1.json')) ? test : test.skip)(
  'the generated facts are current for the pinned cfn-lint schemas (node scripts/schema-facts.mjs --check)', () => {
    // THEN the generator, run on the venv's schemas, writes exactly the committed file
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'schema-facts.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
  });

describe('schemaFacts', () => {
  test('create-only paths, nested ones kept apart; a wholly create-only object collapsed', () => {
    expect(schemaFacts('AWS::ECS::CapacityProvider')!.createOnly).toEqual([['AutoScalingGroupProvider', 'AutoScalingGroupArn'], ['Name'], ['ClusterName']]);
    expect(schemaFacts('AWS::ECR::Repository')!.createOnly).toEqual([['RepositoryName'], ['EncryptionConfiguration']]);
    const service = schemaFacts('AWS::ECS::Service')!;
    expect(service.createOnly.map((p) => p.join('/'))).toEqual(['Cluster', 'Role', 'SchedulingStrategy', 'ServiceName', 'LaunchType']);
    expect([...service.conditional]).toEqual(['LaunchType']);
  });

  test('primary identifiers, generated parts marked; names where the template sets the whole identifier', () => {
    expect(schemaFacts('AWS::ECS::Service')!.primaryIdentifier).toEqual([{ property: 'ServiceArn', generated: true }, { property: 'Cluster', generated: false }]);
    expect(schemaFacts('AWS::ECS::Service')!.name).toBeUndefined();
    expect(schemaFacts('AWS::CloudWatch::Alarm')!.name).toBe('AlarmName');
    expect(schemaFacts('AWS::ECS::CapacityProvider')!.name).toBe('Name');
    expect(schemaFacts('AWS::ECR::PullThroughCacheRule')!.name).toBe('EcrRepositoryPrefix');
    const hook = schemaFacts('AWS::AutoScaling::LifecycleHook')!;
    expect([hook.name, hook.nameScope]).toEqual(['LifecycleHookName', ['AutoScalingGroupName']]);
  });

  test('one per account and region: the identifier is the account or its registry', () => {
    const singletons = schemaTypes().filter((t) => schemaFacts(t)!.accountSingleton);
    expect(singletons).toEqual(expect.arrayContaining([
      'AWS::ECR::ReplicationConfiguration', 'AWS::ECR::RegistryPolicy', 'AWS::ECR::RegistryScanningConfiguration', 'AWS::ApiGateway::Account',
    ]));
    expect(singletons).not.toContain('AWS::ECR::PullThroughCacheRule');
    expect(singletons).not.toContain('AWS::Organizations::Account');
    expect(schemaFacts('AWS::ECR::ReplicationConfiguration')!.deleteResets).toBe(true);
    // Its delete only reads (apigateway:GET): API Gateway keeps the account's role.
    expect(schemaFacts('AWS::ApiGateway::Account')!.deleteResets).toBe(false);
    expect(schemaFacts('AWS::NoSuch::Type')).toBeUndefined();
    expect(schemaFacts('Custom::Thing')).toBeUndefined();
  });

  test('valueAt: paths, array items, and a token standing for everything under it', () => {
    const props = { A: { B: 1, C: [{ D: 'x' }, { D: 'y' }] }, T: { 'Fn::If': ['c', { B: 1 }, { B: 2 }] } };
    expect(valueAt(props, ['A', 'B'])).toBe(1);
    expect(valueAt(props, ['A', 'C', '*', 'D'])).toEqual(['x', 'y']);
    expect(valueAt(props, ['T', 'B'])).toEqual(props.T);
    expect(valueAt(props, ['Missing', 'B'])).toBeUndefined();
  });
});

describe('physicalName: one table', () => {
  test('keeps every name of the two former tables (update-hazards PHYSICAL_NAMES, deploy-checks PHYSICAL_NAME_PROPERTIES)', () => {
    const former: Record<string, string> = {
      'AWS::ECR::Repository': 'RepositoryName', 'AWS::ECS::Cluster': 'ClusterName', 'AWS::ECS::Service': 'ServiceName', 'AWS::ECS::CapacityProvider': 'Name',
      'AWS::SQS::Queue': 'QueueName', 'AWS::S3::Bucket': 'BucketName', 'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
      'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name', 'AWS::ElasticLoadBalancingV2::Listener': 'Port', 'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::Scheduler::Schedule': 'Name', 'AWS::Scheduler::ScheduleGroup': 'Name', 'AWS::EC2::SecurityGroup': 'GroupName',
      'AWS::EC2::LaunchTemplate': 'LaunchTemplateName', 'AWS::AutoScaling::AutoScalingGroup': 'AutoScalingGroupName', 'AWS::IAM::Role': 'RoleName',
      'AWS::IAM::InstanceProfile': 'InstanceProfileName', 'AWS::CloudWatch::Alarm': 'AlarmName', 'AWS::ServiceDiscovery::HttpNamespace': 'Name',
      'AWS::ServiceDiscovery::PrivateDnsNamespace': 'Name', 'AWS::ServiceDiscovery::Service': 'Name', 'AWS::Route53::RecordSet': 'Name',
      'AWS::KMS::Alias': 'AliasName', 'AWS::SecretsManager::Secret': 'Name', 'AWS::SSM::Parameter': 'Name', 'AWS::Lambda::Function': 'FunctionName',
      'AWS::DynamoDB::Table': 'TableName', 'AWS::DynamoDB::GlobalTable': 'TableName', 'AWS::SNS::Topic': 'TopicName',
      'AWS::IAM::ManagedPolicy': 'ManagedPolicyName', 'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
    };
    expect(Object.fromEntries(Object.keys(former).map((t) => [t, physicalName(t)?.name]))).toEqual(former);
    expect(physicalName('AWS::ECS::Service')).toMatchObject({ scope: ['Cluster'], defaults: { Cluster: 'default' } });
    expect([physicalName('AWS::S3::Bucket')!.unique, physicalName('AWS::IAM::Role')!.unique, physicalName('AWS::SQS::Queue')!.unique]).toEqual(['global', 'account', 'region']);
  });

  test('agrees with the synth-time name claims of lib/validation/unique-names.ts (claimUniqueName): the same property, unique as widely', () => {
    // Each claim as its construct makes it: CloudFormation type, property, and whether the claim is regionless
    const claims: [string, string, 'region' | 'account'][] = [
      ['AWS::CloudWatch::Dashboard', 'DashboardName', 'account'], ['AWS::ECR::Repository', 'RepositoryName', 'region'],
      ['AWS::ECR::PullThroughCacheRule', 'EcrRepositoryPrefix', 'region'], ['AWS::CloudWatch::Alarm', 'AlarmName', 'region'],
      ['AWS::Scheduler::Schedule', 'Name', 'region'],
    ];
    expect(claims.map(([type]) => [type, physicalName(type)?.name, physicalName(type)?.unique])).toEqual(claims);
    // RegistryReplication claims the registry's one replication configuration: one per account and region
    expect(schemaFacts('AWS::ECR::ReplicationConfiguration')!.accountSingleton).toBe(true);
  });

  test('names listed by hand are types the schemas know, whose identifier leaves the name out or too wide', () => {
    for (const type of typesNamedByHand()) {
      const facts = schemaFacts(type);
      expect([type, facts !== undefined]).toEqual([type, true]);
    }
  });
});

describe('the README states what the checks cover, computed from the generated table', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8').replace(/\s+/g, ' ');
  const number = (pattern: RegExp): number => Number((pattern.exec(readme) ?? [])[1]);

  test('resource types, replacements, identifiers, physical names, singletons', () => {
    const types = schemaTypes();
    const facts = types.map((t) => schemaFacts(t)!);
    expect({
      types: number(/The checks cover the (\d+) resource types of those schemas/),
      createOnly: number(/(\d+) with create-only properties/),
      identified: number(/(\d+) with a primary identifier the template sets in full/),
      named: number(/(\d+) with a physical name/),
      namedByHand: number(/of which (\d+) are listed by hand/),
      singletons: number(/and (\d+) that are one per account and region/),
    }).toEqual({
      types: types.length,
      createOnly: facts.filter((f) => f.createOnly.length > 0).length,
      identified: facts.filter((f) => f.primaryIdentifier.length > 0 && f.primaryIdentifier.every((p) => !p.generated)).length,
      named: types.filter((t) => physicalName(t) !== undefined).length,
      namedByHand: typesNamedByHand().length,
      singletons: facts.filter((f) => f.accountSingleton).length,
    });
  });

  test('the rule count, and a row for every rule in docs/constructs.md', () => {
    const rules = DEPLOY_CHECK_RULES.map((r) => r.id);
    expect(number(/The (\d+) rules \(ESK-/)).toBe(rules.length);
    const table = fs.readFileSync(path.join(ROOT, 'docs', 'constructs.md'), 'utf-8');
    const rows = [...table.matchAll(/^\| (ESK-[A-Z]+\d+) \| (error|warning) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows.sort()).toEqual(DEPLOY_CHECK_RULES.map((r) => `${r.id} ${r.severity}`).sort());
  });
});
