import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { Architecture, ServiceImage } from '../../lib/image';
import { toCpuArchitecture } from '../../lib/image/architecture';
import { CacheUpstream, ImageRepository, PullThroughCache } from '../../lib/registry';
import { testApp, testStack } from '../util/test-app';

const EXAMPLE_APP = path.join(__dirname, '..', '..', 'examples', 'app');
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** A Fargate task definition running `image` on `architecture`, the way the service constructs use it. */
function runImage(scope: Construct, id: string, image: ServiceImage, architecture = Architecture.X86_64) {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, id, {
    runtimePlatform: { cpuArchitecture: toCpuArchitecture(architecture), operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  const config = image.bind(taskDefinition, architecture);
  taskDefinition.addContainer('App', { image: config.image, portMappings: [{ containerPort: 8080 }] });
  return { taskDefinition, config };
}

function containerImageOf(template: Template, taskDefinitionPrefix: string): any {
  const [, td] = Object.entries(template.findResources('AWS::ECS::TaskDefinition'))
    .find(([id]) => id.startsWith(taskDefinitionPrefix))!;
  return (td as any).Properties.ContainerDefinitions[0].Image;
}

describe('ServiceImage.fromRepository / fromImageRepository', () => {
  // GIVEN one stack with an image by tag, by digest, and from an ImageRepository (one synth)
  let stack: Stack;
  let template: Template;
  let byTag: ReturnType<typeof runImage>;
  let byDigest: ReturnType<typeof runImage>;
  let fromOurs: ReturnType<typeof runImage>;
  beforeAll(() => {
    stack = testStack(testApp());
    const repo = ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/web');
    const ours = new ImageRepository(stack, 'Repo', { repositoryName: 'ours' });
    byTag = runImage(stack, 'ByTag', ServiceImage.fromRepository(repo, { tag: 'v1.2.3' }));
    byDigest = runImage(stack, 'ByDigest', ServiceImage.fromRepository(repo, { digest: DIGEST }), Architecture.ARM64);
    fromOurs = runImage(stack, 'Ours', ServiceImage.fromImageRepository(ours, { tag: 'git-0a1b2c3' }));
    template = Template.fromStack(stack);
  });

  test('a tag renders as URI:tag', () => {
    expect(containerImageOf(template, 'ByTag')).toEqual({
      'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/team/web:v1.2.3']],
    });
  });

  test('a digest renders as URI@sha256:...', () => {
    expect(containerImageOf(template, 'ByDigest')).toEqual({
      'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, `/team/web@${DIGEST}`]],
    });
  });

  test('an ImageRepository image points at that repository', () => {
    expect(JSON.stringify(containerImageOf(template, 'Ours'))).toMatch(/"\/",\{"Ref":"RepoRepository[0-9A-F]{8}"\},":git-0a1b2c3"\]/);
    expect(fromOurs.config.repository).toBeDefined();
    expect(stack.resolve(fromOurs.config.repository!.repositoryName)).toEqual({ Ref: expect.stringMatching(/^RepoRepository/) });
  });

  test('the config names the repository and tag or digest', () => {
    expect(byTag.config.description).toBe('team/web:v1.2.3');
    expect(byDigest.config.description).toBe(`team/web@${DIGEST}`);
    expect(byTag.config.repository!.repositoryName).toBe('team/web');
  });

  test('the execution role may pull from the repository', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ByTagExecutionRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([':ecr:us-east-1:123456789012:repository/team/web'])] },
          }),
        ]),
      },
    });
  });

  test('the task runs on the chosen architecture', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });
});

describe('ServiceImage.fromRepository validation (errors name the consumer and image.*)', () => {
  const bindWith = (options: { tag?: string; digest?: string } | undefined) => () => {
    const stack = testStack(testApp());
    const repo = ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/web');
    ServiceImage.fromRepository(repo, options).bind(new Construct(stack, 'Web'), Architecture.X86_64);
  };

  test('both tag and digest', () => {
    expect(bindWith({ tag: 'v1', digest: DIGEST }))
      .toThrow(/^TestStack\/Web: image\.tag "v1" cannot be combined with image\.digest; give either image\.tag or image\.digest, not both$/);
  });

  test('neither tag nor digest ("latest" is not assumed)', () => {
    expect(bindWith({})).toThrow(/^TestStack\/Web: image\.tag undefined is missing; give image\.tag or image\.digest/);
    expect(bindWith(undefined)).toThrow(/image\.tag undefined is missing/);
  });

  test.each([['-v1'], ['v1 beta'], ['v1:2'], ['x'.repeat(129)], ['']])('tag %p is not valid', (tag) => {
    expect(bindWith({ tag })).toThrow(new RegExp(`^TestStack/Web: image\\.tag ${JSON.stringify(tag)} is not valid; use 1 to 128 letters`));
  });

  test.each([['sha256:abc'], [`sha512:${'a'.repeat(64)}`], [`sha256:${'A'.repeat(64)}`], ['ab12'.repeat(16)]])('digest %p is not valid', (digest) => {
    expect(bindWith({ digest })).toThrow(new RegExp(`^TestStack/Web: image\\.digest "${digest}" is not valid; use "sha256:" followed by 64 lowercase hex digits`));
  });
});

describe('ServiceImage.fromAsset', () => {
  test('one architecture drives both the asset build platform and the task platform', () => {
    // GIVEN the example app for ARM64, and a copy of it with an extra file to exclude for X86_64
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
    fs.cpSync(EXAMPLE_APP, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'NOTES.md'), 'not part of the image');
    const app = testApp();
    const stack = testStack(app);
    const arm = runImage(stack, 'Arm', ServiceImage.fromAsset(EXAMPLE_APP), Architecture.ARM64);
    const x86 = runImage(stack, 'X86', ServiceImage.fromAsset(copy, {
      file: 'Dockerfile', buildArgs: { NODE_ENV: 'production' }, target: 'runtime-stage', exclude: ['*.md'],
    }), Architecture.X86_64);

    // WHEN
    const assembly = app.synth();
    fs.rmSync(copy, { recursive: true, force: true });

    // THEN the asset manifest builds each image for its platform, with the build options
    const manifest = assembly.artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
    const images = Object.values(manifest.contents.dockerImages ?? {});
    expect(images.map(i => i.source.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    const armSource = images.find(i => i.source.platform === 'linux/arm64')!.source;
    const x86Source = images.find(i => i.source.platform === 'linux/amd64')!.source;
    expect(armSource.dockerBuildArgs).toBeUndefined();
    expect(x86Source).toMatchObject({ dockerFile: 'Dockerfile', dockerBuildArgs: { NODE_ENV: 'production' }, dockerBuildTarget: 'runtime-stage' });
    // and the staged build contexts hold the app, minus excluded files
    const staged = (source: { directory?: string }) => fs.readdirSync(path.join(assembly.directory, source.directory!)).sort();
    expect(staged(armSource)).toEqual(expect.arrayContaining(['Dockerfile', 'server.js']));
    expect(staged(x86Source)).toEqual(expect.arrayContaining(['Dockerfile', 'server.js']));
    expect(staged(x86Source)).not.toContain('NOTES.md');

    // and the task definitions run on the same platforms, with the asset images
    const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64' } });
    expect(JSON.stringify(containerImageOf(template, 'Arm'))).toContain('cdk-hnb659fds-container-assets-123456789012-us-east-1');
    expect(arm.config.description).toBe(`asset ${EXAMPLE_APP}`);
    expect(x86.config.description).toBe(`asset ${copy} (Dockerfile)`);
    expect(arm.config.repository).toBeUndefined();
  });

  describe('validation', () => {
    let emptyDir: string;
    beforeAll(() => { emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-dockerfile-')); });
    afterAll(() => fs.rmSync(emptyDir, { recursive: true, force: true }));

    const bind = (image: ServiceImage) => () => image.bind(new Construct(testStack(testApp()), 'Web'), Architecture.ARM64);

    test('a directory that does not exist', () => {
      expect(bind(ServiceImage.fromAsset('no/such/dir')))
        .toThrow(/^TestStack\/Web: image\.directory "no\/such\/dir" is not a directory \(resolved to .*no\/such\/dir\)/);
    });

    test('a directory without a Dockerfile', () => {
      expect(bind(ServiceImage.fromAsset(emptyDir)))
        .toThrow(new RegExp(`^TestStack/Web: image\\.directory "${emptyDir}" has no Dockerfile`));
    });

    test('a file that is not in the directory', () => {
      expect(bind(ServiceImage.fromAsset(EXAMPLE_APP, { file: 'Dockerfile.prod' })))
        .toThrow(/^TestStack\/Web: image\.file "Dockerfile\.prod" does not exist in .*examples\/app/);
    });

    test('an empty directory string', () => {
      expect(bind(ServiceImage.fromAsset(''))).toThrow(/^TestStack\/Web: image\.directory "" is empty/);
    });

    test('build args only known at deploy time', () => {
      const token = Lazy.string({ produce: () => 'x' });
      expect(bind(ServiceImage.fromAsset(EXAMPLE_APP, { buildArgs: { VERSION: token } })))
        .toThrow(/^TestStack\/Web: image\.buildArgs\.VERSION ".*" is only known at deploy time/);
    });

    test('an empty target', () => {
      expect(bind(ServiceImage.fromAsset(EXAMPLE_APP, { target: '' }))).toThrow(/^TestStack\/Web: image\.target "" is empty/);
    });
  });
});

describe('ServiceImage.fromRegistry', () => {
  test('renders the name as given, with optional credentials', () => {
    // GIVEN
    const stack = testStack(testApp());
    const secret = new secretsmanager.Secret(stack, 'HubLogin');
    // WHEN
    const pub = runImage(stack, 'Public', ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'));
    runImage(stack, 'Private', ServiceImage.fromRegistry('ghcr.io/acme/web:2.0', { credentials: secret }));
    // THEN
    const template = Template.fromStack(stack);
    expect(containerImageOf(template, 'Public')).toBe('public.ecr.aws/nginx/nginx:1.27');
    expect(pub.config.description).toBe('public.ecr.aws/nginx/nginx:1.27');
    expect(pub.config.repository).toBeUndefined();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Image: 'ghcr.io/acme/web:2.0',
        RepositoryCredentials: { CredentialsParameter: { Ref: Match.stringLikeRegexp('^HubLogin') } },
      })],
    });
  });

  test.each([
    ['nginx'], ['nginx:1.27-alpine'], ['library/nginx:latest'], ['docker.io/library/nginx:1'],
    ['localhost:5000/team/app:v1'], [`public.ecr.aws/nginx/nginx@${DIGEST}`], [`nginx:1.27@${DIGEST}`], ['my_org/my__app'],
  ])('accepts %p', (name) => {
    const image = ServiceImage.fromRegistry(name);
    expect(image.bind(new Construct(new App(), 'Web'), Architecture.X86_64).description).toBe(name);
  });

  test.each([
    ['Nginx:1'], ['nginx:'], ['nginx:1 2'], [''], ['nginx@sha256:xyz'], ['/nginx'], ['nginx//x'], [`a/${'b'.repeat(255)}`],
  ])('rejects %p, naming image.imageName', (name) => {
    const esc = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(() => ServiceImage.fromRegistry(name).bind(new Construct(testStack(testApp()), 'Web'), Architecture.X86_64))
      .toThrow(new RegExp(`^TestStack/Web: image\\.imageName ${esc} is not a valid image reference; use \\[registry/\\]repository`));
  });
});

describe('an image by tag or digest from a repository the same stack creates', () => {
  const WARNING = 'ecs-service-kit:image-from-new-repository';
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING));

  test('warns: the first deploy creates the repository empty, so the tasks cannot pull the image', () => {
    // GIVEN a repository and a task using it by tag, in one stack
    const stack = testStack(testApp());
    const repo = new ImageRepository(stack, 'Repo');
    runImage(stack, 'Task', ServiceImage.fromImageRepository(repo, { tag: 'v1' }));
    // THEN a warning names the repository, the tag and what to do instead
    const warnings = warningsOf(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toBe('/TestStack/Task');
    expect(String(warnings[0].entry.data)).toMatch(/tag v1 of repository TestStack\/Repo.*created in the same stack.*ServiceImage\.fromAsset/);
  });

  test('warns for a digest and for an ecr.Repository created in the stack too', () => {
    const stack = testStack(testApp());
    const repo = new ecr.Repository(stack, 'Plain');
    runImage(stack, 'Task', ServiceImage.fromRepository(repo, { digest: DIGEST }));
    expect(warningsOf(stack)).toHaveLength(1);
  });

  test('does not warn for a repository in another stack, an imported one, or an asset', () => {
    // GIVEN a registry stack deployed before the service stack, and an imported repository
    const app = testApp();
    const registry = testStack(app, 'Registry');
    const services = testStack(app, 'Services');
    const repo = new ImageRepository(registry, 'Repo');
    runImage(services, 'FromOtherStack', ServiceImage.fromImageRepository(repo, { tag: 'v1' }));
    runImage(services, 'Imported', ServiceImage.fromRepository(ecr.Repository.fromRepositoryName(services, 'Existing', 'team/web'), { tag: 'v1' }));
    runImage(services, 'Asset', ServiceImage.fromAsset(EXAMPLE_APP));
    // THEN no warning
    expect(warningsOf(services)).toEqual([]);
  });

  test('can be acknowledged with a reason, for a later deploy of a stack whose repository holds the tag', () => {
    const stack = testStack(testApp());
    const repo = new ImageRepository(stack, 'Repo');
    const { taskDefinition } = runImage(stack, 'Task', ServiceImage.fromImageRepository(repo, { tag: 'v1' }));
    Validations.of(taskDefinition).acknowledge({ id: `Annotation::${WARNING}`, reason: 'CI pushed v1 before this deploy.' });
    expect(warningsOf(stack)).toEqual([]);
  });
});

describe('ServiceImage.fromPullThroughCache', () => {
  // GIVEN an ECR Public cache and a task definition running nginx through it (one synth)
  let stack: Stack;
  let template: Template;
  beforeAll(() => {
    stack = testStack(testApp());
    const cache = new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    runImage(stack, 'Web', ServiceImage.fromPullThroughCache(cache, 'nginx/nginx', { tag: '1.27' }));
    runImage(stack, 'Pinned', ServiceImage.fromPullThroughCache(cache, 'nginx/nginx', { digest: DIGEST }));
    template = Template.fromStack(stack);
  });

  test('the image URI is the cached repository in this account\'s registry', () => {
    expect(containerImageOf(template, 'Web')).toEqual({
      'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/ecr-public/nginx/nginx:1.27']],
    });
    expect(containerImageOf(template, 'Pinned')).toEqual({
      'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, `/ecr-public/nginx/nginx@${DIGEST}`]],
    });
  });

  test('the execution role may create the cached repository and import the image, scoped to the prefix', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: expect.arrayContaining(['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository', 'ecr:BatchGetImage']),
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:123456789012:repository/ecr-public/*']] },
    })]));
    // Nothing wider than the prefix: no repository/* grant.
    expect(JSON.stringify(statements)).not.toContain(':repository/*"');
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(policies.every((p) => p.Properties.Roles.every((r: any) => roles.includes(r.Ref)))).toBe(true);
  });

  test('create order: the task definition depends on the rule and the creation template (so the service starts after them and is deleted before them)', () => {
    const [, td] = Object.entries(template.findResources('AWS::ECS::TaskDefinition')).find(([id]) => id.startsWith('Web'))! as any;
    const ids = Object.keys({ ...template.findResources('AWS::ECR::PullThroughCacheRule'), ...template.findResources('AWS::ECR::RepositoryCreationTemplate') });
    expect(ids).toHaveLength(2);
    expect(td.DependsOn).toEqual(expect.arrayContaining(ids));
  });

  test('update: a new prefix changes the image URI, so the next deploy starts tasks that pull through the new prefix', () => {
    // (Removing the cache while an image uses it cannot be written: the image source needs the cache object.)
    const next = testStack(testApp());
    const cache = new PullThroughCache(next, 'Cache', { upstream: CacheUpstream.ecrPublic(), repositoryPrefix: 'mirror' });
    runImage(next, 'Web', ServiceImage.fromPullThroughCache(cache, 'nginx/nginx', { tag: '1.27' }));
    // Changing the prefix changes the image URI, so ECS rolls out tasks pulling through the new prefix.
    expect(JSON.stringify(containerImageOf(Template.fromStack(next), 'Web'))).toContain('/mirror/nginx/nginx:1.27');
  });

  test.each([
    [{ upstream: 'Nginx', options: { tag: '1' } }, /image\.upstreamRepository "Nginx" does not match|image\.upstreamRepository "Nginx".*use the lowercase repository path/],
    [{ upstream: 'public.ecr.aws/nginx/nginx:1.27', options: { tag: '1' } }, /image\.upstreamRepository "public\.ecr\.aws\/nginx\/nginx:1\.27"/],
    [{ upstream: 'nginx/nginx', options: {} }, /image\.tag undefined is missing; give image\.tag or image\.digest of the upstream image/],
    [{ upstream: 'nginx/nginx', options: { tag: 'bad tag' } }, /image\.tag "bad tag"/],
  ])('%j is rejected', ({ upstream, options }, message) => {
    const s = testStack(testApp());
    const cache = new PullThroughCache(s, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    expect(() => runImage(s, 'Web', ServiceImage.fromPullThroughCache(cache, upstream, options as any))).toThrow(message);
  });

  test('Docker Hub: fromPullThroughCache(cache, \'nginx\') pulls the official image under library/ (ECR fails the pull without it)', () => {
    // GIVEN
    const s = testStack(testApp());
    const secret = secretsmanager.Secret.fromSecretNameV2(s, 'Hub', 'ecr-pullthroughcache/docker-hub');
    const cache = new PullThroughCache(s, 'Cache', { upstream: CacheUpstream.dockerHub(secret) });
    // WHEN
    const image = ServiceImage.fromPullThroughCache(cache, 'nginx', { tag: '1.27' });
    runImage(s, 'Web', image);
    // THEN
    expect(containerImageOf(Template.fromStack(s), 'Web')).toEqual({
      'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/docker-hub/library/nginx:1.27']],
    });
    expect(image.bind(s, Architecture.X86_64).description).toBe('docker-hub/library/nginx:1.27 (cached from registry-1.docker.io)');
  });

  test('a cache in another region is rejected', () => {
    const app = new App();
    const cacheStack = new Stack(app, 'Cache', { env: { account: '123456789012', region: 'eu-west-1' } });
    const cache = new PullThroughCache(cacheStack, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    const serviceStack = new Stack(app, 'Service', { env: { account: '123456789012', region: 'us-east-1' } });
    expect(() => runImage(serviceStack, 'Web', ServiceImage.fromPullThroughCache(cache, 'nginx/nginx', { tag: '1.27' })))
      .toThrow(/^Service\/Web: image\.cache "Cache\/Cache" is in region eu-west-1, the service in us-east-1/);
  });
});
