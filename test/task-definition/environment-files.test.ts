import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceTaskOptions } from '../../lib/task-definition';
import { WorkerService } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-files-'));

function envFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function worker(options: Partial<ServiceTaskOptions>): Stack {
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  new WorkerService(stack, 'Worker', { cluster, image: NGINX, ...options });
  return stack;
}

describe('environment files', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN a local file for the main container and an object in a bucket for a sidecar
    const app = envFile('app.env', '# settings\n\nLOG_LEVEL=debug\nGREETING=hello world\n');
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Config', 'shop-config');
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    new WorkerService(stack, 'Worker', {
      cluster,
      image: NGINX,
      environmentFiles: [ecs.EnvironmentFile.fromAsset(app)],
      dockerLabels: { 'com.example.team': 'shop' },
      sidecars: [{ containerName: 'agent', image: NGINX, environmentFiles: [ecs.EnvironmentFile.fromBucket(bucket, 'agent/prod.env')] }],
    });
    // WHEN
    template = Template.fromStack(stack);
  });

  test('each container reads its files from S3, and keeps its Docker labels', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Name: 'app', DockerLabels: { 'com.example.team': 'shop' }, EnvironmentFiles: [{ Type: 's3', Value: Match.anyValue() }] }),
        Match.objectLike({ Name: 'agent', EnvironmentFiles: [{ Type: 's3', Value: { 'Fn::Join': ['', Match.arrayWith([':s3:::shop-config/agent/prod.env'])] } }] }),
      ]),
    });
  });

  test('the execution role may read exactly those objects and locate their buckets, which ECS needs at task start', () => {
    // THEN: aws-cdk-lib grants nothing for environment files; without these every task fails to start
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('ExecutionRole'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const getObject = statements.find((s) => s.Action === 's3:GetObject');
    const location = statements.find((s) => s.Action === 's3:GetBucketLocation');
    expect(JSON.stringify(getObject?.Resource)).toContain(':s3:::shop-config/agent/prod.env');
    expect(JSON.stringify(getObject?.Resource)).toMatch(/cdk-[a-z0-9]+-assets-.*\.env/);
    expect(JSON.stringify(getObject?.Resource)).not.toContain('*');
    expect(JSON.stringify(location?.Resource)).toContain(':s3:::shop-config"');
    expect(JSON.stringify(location?.Resource)).not.toContain('/');
  });
});

test('a container may read two local files (aws-cdk-lib alone fails on the second)', () => {
  // GIVEN / WHEN
  const stack = worker({ environmentFiles: [ecs.EnvironmentFile.fromAsset(envFile('a.env', 'A=1\n')), ecs.EnvironmentFile.fromAsset(envFile('b.env', 'B=1\n'))] });
  // THEN
  Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({ EnvironmentFiles: [Match.objectLike({ Type: 's3' }), Match.objectLike({ Type: 's3' })] })],
  });
});

test('a file named .env is uploaded under a key that ends in .env, which ECS requires (the asset key keeps only an extension)', () => {
  // GIVEN a file named exactly .env, as Copilot workspaces often have
  const dotEnvDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dot-env-'));
  fs.writeFileSync(path.join(dotEnvDir, '.env'), 'A=1\n');
  // WHEN
  const stack = worker({ environmentFiles: [ecs.EnvironmentFile.fromAsset(path.join(dotEnvDir, '.env'))] });
  // THEN
  const container = Template.fromStack(stack).toJSON().Resources;
  const taskDefinition = Object.values(container).find((r: any) => r.Type === 'AWS::ECS::TaskDefinition') as any;
  expect(JSON.stringify(taskDefinition.Properties.ContainerDefinitions[0].EnvironmentFiles)).toMatch(/[0-9a-f]{64}\.env"/);
});

test('one file object given to task definitions in two stacks is uploaded with each stack, and each reads its own bucket\'s object', () => {
  // GIVEN
  const app = testApp();
  const file = ecs.EnvironmentFile.fromAsset(envFile('shared.env', 'A=1\n'));
  const stacks = ['One', 'Two'].map((name) => {
    const stack = testStack(app, name);
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    new WorkerService(stack, 'Worker', { cluster, image: NGINX, environmentFiles: [file] });
    return stack;
  });
  // WHEN
  const assembly = app.synth();
  // THEN every stack's asset manifest has the file, and its template depends on no other stack
  for (const stack of stacks) {
    const artifact = assembly.getStackByName(stack.stackName);
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.stackName}.assets.json`), 'utf-8'));
    expect(Object.values(manifest.files).some((f: any) => String(f.source.path).endsWith('.env'))).toBe(true);
    expect(artifact.dependencies.map((d) => d.id)).not.toContain(stacks.find((s) => s !== stack)!.stackName);
  }
});

describe('bad environment files fail at synth, naming the prop, the file and the line', () => {
  test.each([
    ['a file not named .env', () => envFile('app.txt', 'A=1\n'), /environmentFiles\[0\].*app\.txt.*is not named \*\.env/],
    ['a missing file', () => path.join(dir, 'missing.env'), /environmentFiles\[0\].*missing\.env.*is not a file/],
    ['a name with whitespace', () => envFile('space.env', 'MY VAR=1\n'), /space\.env:1.*sets a variable named "MY VAR": ECS keeps the whitespace/],
    ['an indented line (ECS keeps the spaces in the name)', () => envFile('indented.env', '# settings\n  LOG_LEVEL=debug\n'), /indented\.env:2.*sets a variable named " {2}LOG_LEVEL".*look for LOG_LEVEL in vain/],
    ['a file that is not UTF-8', () => envFile('latin1.env', Buffer.from([0x41, 0x3d, 0xe9, 0x0a]).toString('binary')), /latin1\.env.*is not UTF-8/],
  ])('%s', (_name, file, message) => {
    const p = file();
    if (p.endsWith('latin1.env')) fs.writeFileSync(p, Buffer.from([0x41, 0x3d, 0xe9, 0x0a]));
    expect(() => worker({ environmentFiles: [ecs.EnvironmentFile.fromAsset(p)] })).toThrow(message);
  });

  test('more than ten files in the task', () => {
    const file = envFile('ok.env', 'A=1\n');
    const six = Array.from({ length: 6 }, () => ecs.EnvironmentFile.fromAsset(file));
    expect(() => worker({ environmentFiles: six, sidecars: [{ containerName: 'agent', image: NGINX, environmentFiles: six }] }))
      .toThrow(/environmentFiles.*12.*more than the 10 ECS takes per task definition/);
  });

  test('an S3 object not named .env', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Config', 'shop-config');
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    expect(() => new WorkerService(stack, 'Worker', { cluster, image: NGINX, environmentFiles: [ecs.EnvironmentFile.fromBucket(bucket, 'prod.txt')] }))
      .toThrow(/environmentFiles.*prod\.txt.*is not an object named \*\.env/);
  });

  test('lines ECS skips (an empty value, no name, no =) warn, naming each line: the app would find no such variable', () => {
    // GIVEN
    const stack = worker({ environmentFiles: [ecs.EnvironmentFile.fromAsset(envFile('skips.env', 'A=1\nEMPTY=\n=2\nJUST_A_NAME\n\n'))] });
    // THEN
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('env-file-line-skipped'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toMatch(/skips\.env:2 sets EMPTY to nothing; .*skips\.env:3 has no name before =; .*skips\.env:4 has no =/);
  });

  test('an empty Docker label name', () => {
    expect(() => worker({ dockerLabels: { '': 'x' } })).toThrow(/dockerLabels.*is not a label/);
  });
});
