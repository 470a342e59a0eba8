import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Architecture } from '../../lib/image';
import { ImageRepository, LifecycleRules, RepositoryEncryption } from '../../lib/registry';
import { testApp, testStack } from '../util/test-app';

const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

function lifecyclePolicyOf(template: Template, logicalIdPrefix: string): any {
  const [id, repo] = Object.entries(template.findResources('AWS::ECR::Repository'))
    .find(([logicalId]) => logicalId.startsWith(logicalIdPrefix))!;
  expect(id).toBeDefined();
  return JSON.parse((repo as any).Properties.LifecyclePolicy.LifecyclePolicyText);
}

describe('ImageRepository defaults', () => {
  // GIVEN a repository with no props (one synth shared by the assertions below)
  let stack: Stack;
  let template: Template;
  let repo: ImageRepository;
  beforeAll(() => {
    stack = testStack(testApp());
    repo = new ImageRepository(stack, 'Repo');
    template = Template.fromStack(stack);
  });

  test('one repository with a stable logical id', () => {
    template.resourceCountIs('AWS::ECR::Repository', 1);
    expect(Object.keys(template.findResources('AWS::ECR::Repository'))[0]).toMatch(/^RepoRepository[0-9A-F]{8}$/);
  });

  test('immutable tags, scan on push, AES256 written out, generated name', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'AES256', KmsKey: Match.absent() },
      RepositoryName: Match.absent(),
      EmptyOnDelete: Match.absent(),
      RepositoryPolicyText: Match.absent(),
    });
  });

  test('retained on delete and on replacement', () => {
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('recommended lifecycle: release tags claimed first, expire untagged after 7 days, then keep the last 30 images', () => {
    const policy = lifecyclePolicyOf(template, 'RepoRepository');
    expect(policy.rules).toEqual([
      {
        rulePriority: 1,
        description: 'Keep release images (tags v*): no later rule may expire them',
        selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 999999 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep release images (tags *.*): no later rule may expire them',
        selection: { tagStatus: 'tagged', tagPatternList: ['*.*'], countType: 'imageCountMoreThan', countNumber: 999999 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 3,
        description: 'Expire untagged images after 7 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 4,
        description: 'Keep the last 30 images',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      },
    ]);
  });

  test('no custom resource for emptying the repository', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::ECRAutoDeleteImages', 0);
  });

  test('exposes the repository and its attributes', () => {
    expect(repo.ecrRepository).toBeInstanceOf(ecr.Repository);
    expect(stack.resolve(repo.repositoryName)).toEqual({ Ref: expect.stringMatching(/^RepoRepository/) });
    expect(stack.resolve(repo.repositoryArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RepoRepository/), 'Arn'] });
    expect(stack.resolve(repo.repositoryUri)).toMatchObject({ 'Fn::Join': expect.any(Array) });
    expect(repo.encryption).toBe(RepositoryEncryption.AES256);
  });
});

describe('ImageRepository options', () => {
  // GIVEN one stack holding a repository per option set (one synth)
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    stack = testStack(testApp());
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ImageRepository(stack, 'Named', { repositoryName: 'team/web-app' });
    new ImageRepository(stack, 'KmsDefault', { encryption: RepositoryEncryption.KMS });
    new ImageRepository(stack, 'KmsKey', { encryptionKey: key });
    new ImageRepository(stack, 'Disposable', { removalPolicy: RemovalPolicy.DESTROY, emptyOnDelete: true });
    new ImageRepository(stack, 'Mutable', { imageTagMutability: ecr.TagMutability.MUTABLE, imageScanOnPush: false });
    new ImageRepository(stack, 'NoLifecycle', { lifecycle: LifecycleRules.empty() });
    new ImageRepository(stack, 'Shared', { pullAccountIds: ['210987654321', '109876543210'] });
    const pushed = new ImageRepository(stack, 'Granted');
    pushed.grantPull(new iam.Role(stack, 'PullRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }));
    pushed.grantPush(new iam.Role(stack, 'PushRole', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }));
    pushed.grantPullPush(new iam.Role(stack, 'CiRole', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }));
    pushed.grantPullToAccount('210987654321');
    pushed.grantPullToAccount('210987654321');
    template = Template.fromStack(stack);
  });

  function repoProps(prefix: string): any {
    const [, repo] = Object.entries(template.findResources('AWS::ECR::Repository')).find(([id]) => id.startsWith(prefix))!;
    return repo;
  }

  test('repositoryName is passed through', () => {
    expect(repoProps('NamedRepository').Properties.RepositoryName).toBe('team/web-app');
  });

  test('KMS without a key uses the AWS managed key', () => {
    expect(repoProps('KmsDefaultRepository').Properties.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS' });
  });

  test('an encryptionKey implies KMS with that key', () => {
    expect(repoProps('KmsKeyRepository').Properties.EncryptionConfiguration).toEqual({
      EncryptionType: 'KMS',
      KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    });
  });

  test('DESTROY with emptyOnDelete uses the native EmptyOnDelete property', () => {
    const repo = repoProps('DisposableRepository');
    expect(repo.Properties.EmptyOnDelete).toBe(true);
    expect(repo.DeletionPolicy).toBe('Delete');
    expect(repo.UpdateReplacePolicy).toBe('Delete');
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('tag mutability and scan on push can be turned off', () => {
    const repo = repoProps('MutableRepository');
    expect(repo.Properties.ImageTagMutability).toBe('MUTABLE');
    expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: false });
  });

  test('LifecycleRules.empty() writes no lifecycle policy', () => {
    expect(repoProps('NoLifecycleRepository').Properties.LifecyclePolicy).toBeUndefined();
  });

  test('pullAccountIds become repository policy statements for those accounts', () => {
    expect(repoProps('SharedRepository').Properties.RepositoryPolicyText).toEqual({
      Version: '2012-10-17',
      Statement: ['210987654321', '109876543210'].map(account => ({
        Sid: `PullFromAccount${account}`,
        Effect: 'Allow',
        Action: PULL_ACTIONS,
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] } },
      })),
    });
  });

  test('grantPullToAccount adds one statement per account, however often it is called', () => {
    const statements = repoProps('GrantedRepository').Properties.RepositoryPolicyText.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Sid: 'PullFromAccount210987654321', Action: PULL_ACTIONS });
  });

  test('grantPull gives pull actions on the repository and an auth token', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PullRole') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GrantedRepository'), 'Arn'] },
          },
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        ],
      },
    });
  });

  test('grantPush gives push actions only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PushRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['ecr:CompleteLayerUpload', 'ecr:PutImage']),
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GrantedRepository'), 'Arn'] },
          }),
        ]),
      },
    });
    const push = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p: any) => p.Properties.Roles[0].Ref.startsWith('PushRole')) as any;
    expect(JSON.stringify(push.Properties.PolicyDocument)).not.toContain('ecr:BatchGetImage');
  });

  test('grantPullPush gives both', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CiRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['ecr:BatchGetImage', 'ecr:PutImage']) }),
        ]),
      },
    });
  });
});

describe('ImageRepository.dockerCommands', () => {
  test('login, build, tag and push for a tag, with the build platform', () => {
    // GIVEN
    const stack = testStack(testApp());
    const repo = new ImageRepository(stack, 'Repo', { repositoryName: 'web' });
    // WHEN
    const plain = repo.dockerCommands('v1.2.3');
    const arm = repo.dockerCommands('v1.2.3', { architecture: Architecture.ARM64, directory: 'examples/app', localImage: 'web:dev' });
    // THEN
    const uri = stack.resolve(repo.imageUriForTag('v1.2.3'));
    const text = (s: string | undefined) => JSON.stringify(stack.resolve(s));
    expect(text(plain.loginCommand)).toBe(JSON.stringify({
      'Fn::Join': ['', ['aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }]],
    }));
    expect(text(plain.buildCommand)).toContain('"docker build -t ');
    expect(text(plain.buildCommand)).toContain(':v1.2.3 ."');
    expect(text(plain.pushCommand)).toContain('"docker push ');
    expect(stack.resolve(plain.imageUri)).toEqual(uri);
    expect(plain.tagCommand).toBeUndefined();
    expect(text(arm.buildCommand)).toContain('"docker build --platform linux/arm64 -t ');
    expect(text(arm.buildCommand)).toContain(':v1.2.3 examples/app"');
    expect(text(arm.tagCommand)).toContain('"docker tag web:dev ');
  });

  test('rejects a bad tag, naming it', () => {
    const repo = new ImageRepository(testStack(testApp()), 'Repo');
    expect(() => repo.dockerCommands('-bad')).toThrow(/TestStack\/Repo: tag "-bad" is not valid; use 1 to 128 letters/);
  });
});

describe('ImageRepository validation', () => {
  const make = (props: ConstructorParameters<typeof ImageRepository>[2]) => () => new ImageRepository(testStack(testApp()), 'Repo', props);

  test.each([
    ['Bad_Name'], ['a'], ['team//app'], ['-app'], ['app-'], ['x'.repeat(257)],
  ])('repositoryName %p is rejected', (name) => {
    const shown = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(make({ repositoryName: name })).toThrow(new RegExp(`^TestStack/Repo: repositoryName ${shown} is not valid; use 2 to 256 lowercase`));
  });

  test.each([['ab'], ['team/web-app'], ['a.b_c-d/e'], ['x'.repeat(256)]])('repositoryName %p is accepted', (name) => {
    expect(make({ repositoryName: name })).not.toThrow();
  });

  test('encryption AES256 with an encryptionKey', () => {
    const stack = testStack(testApp());
    const key = new kms.Key(stack, 'Key');
    expect(() => new ImageRepository(stack, 'Repo', { encryption: RepositoryEncryption.AES256, encryptionKey: key }))
      .toThrow(/TestStack\/Repo: encryption "AES256" cannot be combined with encryptionKey/);
  });

  test('emptyOnDelete without removalPolicy DESTROY', () => {
    expect(make({ emptyOnDelete: true }))
      .toThrow(/TestStack\/Repo: emptyOnDelete true needs removalPolicy RemovalPolicy.DESTROY \(got "retain"\)/);
    expect(make({ emptyOnDelete: true, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }))
      .toThrow(/emptyOnDelete true needs removalPolicy RemovalPolicy.DESTROY \(got "retain-on-update-or-delete"\)/);
  });

  test('removalPolicy SNAPSHOT is not supported by ECR', () => {
    expect(make({ removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/TestStack\/Repo: removalPolicy "snapshot" is not allowed; use one of "retain", "destroy"/);
  });

  test('imageTagMutability with exclusion is set through mutableTagPatterns, not directly', () => {
    expect(make({ imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION }))
      .toThrow(/TestStack\/Repo: imageTagMutability "IMMUTABLE_WITH_EXCLUSION" is not allowed; use one of "IMMUTABLE", "MUTABLE"/);
  });

  test('pullAccountIds entries must be 12-digit account ids', () => {
    expect(make({ pullAccountIds: ['210987654321', '1234'] }))
      .toThrow(/TestStack\/Repo: pullAccountIds\[1\] "1234" is not valid; use a 12-digit AWS account id/);
  });

  test('grantPullToAccount checks the account id', () => {
    const repo = new ImageRepository(testStack(testApp()), 'Repo');
    expect(() => repo.grantPullToAccount('21098765432a')).toThrow(/TestStack\/Repo: accountId "21098765432a" is not valid/);
  });

  test('lifecycle rules are checked against the repository path', () => {
    expect(make({ lifecycle: LifecycleRules.empty().keepLastTagged(0, ['v']) }))
      .toThrow(/^TestStack\/Repo: lifecycle.keepLastTagged.count 0 is not a positive integer/);
  });
});

describe('ImageRepository mutableTagPatterns (IMMUTABLE_WITH_EXCLUSION)', () => {
  function make(props: ConstructorParameters<typeof ImageRepository>[2]) {
    return () => new ImageRepository(testStack(testApp()), 'Repo', props);
  }

  test('latest and dev move, every other tag stays immutable; checkov CKV_AWS_51 is skipped with the reason', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    new ImageRepository(stack, 'Repo', { mutableTagPatterns: ['latest', 'dev'] });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'dev' },
      ],
    });
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0] as any;
    expect(repo.Metadata.checkov.skip).toEqual(expect.arrayContaining([
      { id: 'CKV_AWS_51', comment: expect.stringMatching(/^Tags are immutable except latest, dev .*no release tag pattern overlaps them/) },
    ]));
  });

  test('without mutableTagPatterns there are no filters and no CKV_AWS_51 skip', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo');
    const repo = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0] as any;
    expect(repo.Properties.ImageTagMutabilityExclusionFilters).toBeUndefined();
    expect(JSON.stringify(repo.Metadata ?? {})).not.toContain('CKV_AWS_51');
  });

  test('with a custom release scheme, a wildcard that cannot meet it is accepted', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { releaseTagPatterns: ['release-*'], mutableTagPatterns: ['dev-*', 'pr-*'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', { ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' });
  });

  test.each([
    [['dev-*'], /mutableTagPatterns\[0\] "dev-\*" would make release tags mutable: the tag "dev-[^"]*" matches it and the release tag pattern "\*\.\*"/],
    [['latest', 'v*'], /mutableTagPatterns\[1\] "v\*" would make release tags mutable: the tag "v[^"]*" matches it and the release tag pattern "v\*"/],
    [['1.x'], /mutableTagPatterns\[0\] "1\.x" would make release tags mutable: the tag "1\.x" matches it and the release tag pattern "\*\.\*"/],
  ])('%j overlaps a default release tag pattern: rejected', (patterns, message) => {
    expect(make({ mutableTagPatterns: patterns })).toThrow(message);
  });

  test.each([
    [[], /mutableTagPatterns \[\] is not a list of 1 to 5 patterns/],
    [['a', 'b', 'c', 'd', 'e', 'f'], /mutableTagPatterns \["a", "b", "c", "d", "e", "f"\] is not a list of 1 to 5 patterns/],
    [['bad tag'], /mutableTagPatterns\[0\] "bad tag" is not a valid exclusion filter; use 1 to 128 letters/],
    [['x'.repeat(129)], /mutableTagPatterns\[0\] "x{129}" is not a valid exclusion filter/],
    [['**'], /mutableTagPatterns\[0\] "\*\*" matches every tag/],
    [['latest', 'latest'], /mutableTagPatterns\[1\] "latest" is listed twice/],
  ])('%j is rejected', (patterns, message) => {
    expect(make({ releaseTagPatterns: [], mutableTagPatterns: patterns })).toThrow(message);
  });

  test('only with immutable tags', () => {
    expect(make({ imageTagMutability: ecr.TagMutability.MUTABLE, mutableTagPatterns: ['latest'] }))
      .toThrow(/^TestStack\/Repo: mutableTagPatterns \["latest"\] cannot be combined with imageTagMutability "MUTABLE"/);
  });
});

describe('the ecrRepository escape hatch', () => {
  test('is the L2, and the deprecated repository alias returns it', () => {
    const stack = new Stack(testApp(), 'S');
    const repo = new ImageRepository(stack, 'Repo');
    expect(repo.ecrRepository).toBeInstanceOf(ecr.Repository);
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    expect(repo.repository).toBe(repo.ecrRepository);
  });

  test('a lifecycle rule added to it would be dropped from the policy, so it fails by name instead', () => {
    // GIVEN a repository whose policy comes from the lifecycle prop
    const stack = new Stack(testApp(), 'S');
    const repo = new ImageRepository(stack, 'Repo');
    // WHEN / THEN
    expect(() => repo.ecrRepository.addLifecycleRule({ maxImageCount: 5 }))
      .toThrow(/^S\/Repo: ecrRepository.addLifecycleRule \{"maxImageCount":5\} would be ignored: this repository writes its lifecycle policy from the lifecycle prop; give the rule through lifecycle/);
  });
});
