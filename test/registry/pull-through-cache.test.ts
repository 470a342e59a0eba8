import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CacheUpstream, LifecycleRules, PullThroughCache } from '../../lib/registry';
import { CACHE_PREFIX_IDENTITY_WARNING } from '../../lib/registry/pull-through-cache';
import { describeWithSchemas, schemaFacts } from '../util/cfn-schemas';
import { testApp, testStack } from '../util/test-app';

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

describe('PullThroughCache for ECR Public (defaults)', () => {
  // GIVEN one cache with no options (one synth)
  let stack: Stack;
  let template: Template;
  let cache: PullThroughCache;
  beforeAll(() => {
    stack = testStack(testApp());
    cache = new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    template = Template.fromStack(stack);
  });

  test('a rule for public.ecr.aws under the prefix ecr-public, without credentials, with a stable logical id', () => {
    template.resourceCountIs('AWS::ECR::PullThroughCacheRule', 1);
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'ecr-public',
      UpstreamRegistry: 'ecr-public',
      UpstreamRegistryUrl: 'public.ecr.aws',
      CredentialArn: Match.absent(),
    });
    expect(Object.keys(template.findResources('AWS::ECR::PullThroughCacheRule'))).toEqual([expect.stringMatching(/^CacheRule[0-9A-F]{8}$/)]);
    expect(Object.keys(template.findResources('AWS::ECR::RepositoryCreationTemplate'))).toEqual([expect.stringMatching(/^CacheCreationTemplate[0-9A-F]{8}$/)]);
  });

  test('a creation template for the same prefix: AES256, mutable tags, untagged images expire after 7 days', () => {
    const [, tpl] = Object.entries(template.findResources('AWS::ECR::RepositoryCreationTemplate'))[0] as any;
    expect(tpl.Properties).toEqual(expect.objectContaining({
      Prefix: 'ecr-public',
      AppliedFor: ['PULL_THROUGH_CACHE'],
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      ImageTagMutability: 'MUTABLE',
    }));
    expect(JSON.parse(tpl.Properties.LifecyclePolicy).rules).toEqual([{
      rulePriority: 1,
      description: 'Expire untagged images after 7 days',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
      action: { type: 'expire' },
    }]);
  });

  test('create and destroy: the rule and the template do not depend on each other, and both are deleted with the stack (no Retain); the cached repositories are not in the template', () => {
    for (const type of ['AWS::ECR::PullThroughCacheRule', 'AWS::ECR::RepositoryCreationTemplate']) {
      const [resource] = Object.values(template.findResources(type)) as any[];
      expect(resource.DependsOn).toBeUndefined();
      expect(resource.DeletionPolicy).toBeUndefined();
    }
    // ECR creates the cached repositories on first pull, outside CloudFormation: destroy leaves them.
    template.resourceCountIs('AWS::ECR::Repository', 0);
  });

  test('imageUri names the cached repository in this account\'s registry', () => {
    expect(stack.resolve(cache.imageUri('nginx/nginx', '1.27'))).toEqual({
      'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/ecr-public/nginx/nginx:1.27']],
    });
  });
});

describe('PullThroughCache upstreams and options', () => {
  test('Docker Hub with a secret named ecr-pullthroughcache/...: the rule names the secret ARN', () => {
    const stack = testStack(testApp());
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Hub', 'ecr-pullthroughcache/docker-hub');
    new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.dockerHub(secret) });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'docker-hub',
      UpstreamRegistry: 'docker-hub',
      UpstreamRegistryUrl: 'registry-1.docker.io',
      CredentialArn: Match.anyValue(),
    });
  });

  test('Docker Hub official images: a one-part name is pulled under library/ (ECR needs it for official images); other paths are kept', () => {
    // GIVEN
    const stack = testStack(testApp());
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Hub', 'ecr-pullthroughcache/docker-hub');
    const hub = new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.dockerHub(secret) });
    const ecrPublic = new PullThroughCache(stack, 'Public', { upstream: CacheUpstream.ecrPublic() });
    // WHEN / THEN
    const uri = (cache: PullThroughCache, repository: string) => JSON.stringify(stack.resolve(cache.imageUri(repository, '1.27')));
    expect(hub.cachedRepositoryName('nginx')).toBe('docker-hub/library/nginx');
    expect(uri(hub, 'nginx')).toContain('/docker-hub/library/nginx:1.27"');
    expect(uri(hub, 'library/nginx')).toContain('/docker-hub/library/nginx:1.27"');
    expect(uri(hub, 'bitnami/redis')).toContain('/docker-hub/bitnami/redis:1.27"');
    // Only Docker Hub has official images: elsewhere a one-part path stays as it is
    expect(ecrPublic.cachedRepositoryName('nginx')).toBe('ecr-public/nginx');
  });

  test('GHCR with a secret created in the stack; Quay and Kubernetes without', () => {
    const stack = testStack(testApp());
    const secret = new secretsmanager.Secret(stack, 'GhcrToken', { secretName: 'ecr-pullthroughcache/ghcr' });
    new PullThroughCache(stack, 'Ghcr', { upstream: CacheUpstream.githubContainerRegistry(secret) });
    new PullThroughCache(stack, 'Quay', { upstream: CacheUpstream.quay() });
    new PullThroughCache(stack, 'K8s', { upstream: CacheUpstream.kubernetes(), repositoryPrefix: 'kube/mirror' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'ghcr', UpstreamRegistryUrl: 'ghcr.io', CredentialArn: { Ref: Match.stringLikeRegexp('^GhcrToken') } });
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'quay', UpstreamRegistryUrl: 'quay.io' });
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'kube/mirror', UpstreamRegistry: 'k8s' });
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: 'kube/mirror' });
  });

  test('a custom lifecycle and immutable tags reach the creation template', () => {
    const stack = testStack(testApp());
    new PullThroughCache(stack, 'Cache', {
      upstream: CacheUpstream.ecrPublic(),
      lifecycle: LifecycleRules.empty().archiveNotPulledFor(60).expireArchivedAfter(90),
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
    });
    const [tpl] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::RepositoryCreationTemplate')) as any[];
    expect(tpl.Properties.ImageTagMutability).toBe('IMMUTABLE');
    expect(JSON.parse(tpl.Properties.LifecyclePolicy).rules.map((r: any) => r.action.type)).toEqual(['transition', 'expire']);
  });

  test('LifecycleRules.empty(): no lifecycle policy on the template', () => {
    const stack = testStack(testApp());
    new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.ecrPublic(), lifecycle: LifecycleRules.empty() });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { LifecyclePolicy: Match.absent() });
  });

  test('grantPullThrough: create, import and pull scoped to the prefix, and an auth token', () => {
    const stack = testStack(testApp());
    const cache = new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    cache.grantPullThrough(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:123456789012:repository/ecr-public/*']] },
          },
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        ],
      },
    });
  });
});

describe('PullThroughCache validation', () => {
  function make(props: ConstructorParameters<typeof PullThroughCache>[2], stack = testStack(testApp())) {
    return () => new PullThroughCache(stack, 'Cache', props);
  }

  test('Docker Hub needs a secret', () => {
    expect(make({ upstream: (CacheUpstream as any).dockerHub(undefined) }))
      .toThrow(/^TestStack\/Cache: upstream "registry-1\.docker\.io" needs credentials; give a Secrets Manager secret named ecr-pullthroughcache\/\.\.\./);
  });

  test('a secret created without a secretName is rejected: CloudFormation would name it after its logical id', () => {
    const stack = testStack(testApp());
    const secret = new secretsmanager.Secret(stack, 'Hub');
    expect(make({ upstream: CacheUpstream.dockerHub(secret) }, stack))
      .toThrow(/^TestStack\/Cache: upstream\.credentials "TestStack\/Hub" is created without a secretName, so CloudFormation names it after its logical id and ECR refuses it; create the secret with secretName: 'ecr-pullthroughcache\/docker-hub'/);
  });

  test('a secret whose name does not start with ecr-pullthroughcache/ is rejected', () => {
    const stack = testStack(testApp());
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Hub', 'dockerhub-token');
    expect(make({ upstream: CacheUpstream.dockerHub(secret) }, stack))
      .toThrow(/^TestStack\/Cache: upstream\.credentials "dockerhub-token" does not start with "ecr-pullthroughcache\/"; ECR only uses secrets named ecr-pullthroughcache\/<name>/);
  });

  test.each([
    ['a'], ['Upper'], ['x'.repeat(31)], ['trailing/'], ['double..dot'], ['-lead'],
  ])('prefix %p is rejected', (prefix) => {
    expect(make({ upstream: CacheUpstream.ecrPublic(), repositoryPrefix: prefix }))
      .toThrow(/^TestStack\/Cache: repositoryPrefix .* does not match|^TestStack\/Cache: repositoryPrefix .*use 2 to 30 lowercase letters/);
  });

  test('ROOT is rejected', () => {
    expect(make({ upstream: CacheUpstream.ecrPublic(), repositoryPrefix: 'ROOT' }))
      .toThrow(/^TestStack\/Cache: repositoryPrefix "ROOT" caches into the registry root/);
  });

  test('two caches with one prefix in one account and region: rejected', () => {
    const stack = testStack(testApp());
    new PullThroughCache(stack, 'A', { upstream: CacheUpstream.ecrPublic() });
    expect(() => new PullThroughCache(stack, 'B', { upstream: CacheUpstream.quay(), repositoryPrefix: 'ecr-public' }))
      .toThrow(/^TestStack\/B: repositoryPrefix "ecr-public" is already the pull through cache prefix of TestStack\/A/);
  });

  test('the same prefix in another region is fine', () => {
    const app = new App();
    new PullThroughCache(new Stack(app, 'East', { env: { account: '123456789012', region: 'us-east-1' } }), 'C', { upstream: CacheUpstream.ecrPublic() });
    expect(() => new PullThroughCache(new Stack(app, 'West', { env: { account: '123456789012', region: 'us-west-2' } }), 'C', { upstream: CacheUpstream.ecrPublic() })).not.toThrow();
  });

  test('imageTagMutability with exclusion is not taken', () => {
    expect(make({ upstream: CacheUpstream.ecrPublic(), imageTagMutability: ecr.TagMutability.MUTABLE_WITH_EXCLUSION }))
      .toThrow(/^TestStack\/Cache: imageTagMutability "MUTABLE_WITH_EXCLUSION" is not allowed/);
  });

  test('a lifecycle rule error names the cache', () => {
    expect(make({ upstream: CacheUpstream.ecrPublic(), lifecycle: LifecycleRules.empty().expireArchivedAfter(10) }))
      .toThrow(/^TestStack\/Cache: lifecycle\.expireArchivedAfter\.days 10 is less than ECR's minimum of 90 days/);
  });
});

describe('PullThroughCache: the prefix is the identity of the rule and the template', () => {
  test('synth warns (acknowledgeably): the registry must have neither for the prefix, and a replacement that keeps it fails; how to change safely', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    const cache = new PullThroughCache(stack, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    // THEN
    const [warning] = warnings(stack);
    expect(warning).toMatch(/^The prefix ecr-public identifies this cache's pull through cache rule and repository creation template in the ECR registry of account 123456789012 in us-east-1/);
    expect(warning).toMatch(/another upstream with the same repositoryPrefix, another credentials secret \(a new value in the same secret is fine\), or this construct renamed or moved/);
    expect(warning).toMatch(/Change repositoryPrefix in that same deploy .* or remove the cache in one deploy and add it back in the next/);
    Validations.of(cache).acknowledge({ id: `Annotation::${CACHE_PREFIX_IDENTITY_WARNING}`, reason: 'the prefix and the secret stay as they are' });
    expect(warnings(stack)).toEqual([]);
  });
});

describeWithSchemas('PullThroughCache against the AWS::ECR::PullThroughCacheRule and RepositoryCreationTemplate schemas', () => {
  const rule = schemaFacts('AWS::ECR::PullThroughCacheRule');
  const template = schemaFacts('AWS::ECR::RepositoryCreationTemplate');

  /** The rule and the template of one version of the app. */
  function version(props: (stack: Stack) => ConstructorParameters<typeof PullThroughCache>[2], id = 'Cache') {
    const stack = testStack(testApp());
    new PullThroughCache(stack, id, props(stack));
    const t = Template.fromStack(stack);
    const one = (type: string) => {
      const [[logicalId, resource]] = Object.entries(t.findResources(type)) as Array<[string, any]>;
      return { logicalId, properties: resource.Properties };
    };
    return { rule: one('AWS::ECR::PullThroughCacheRule'), template: one('AWS::ECR::RepositoryCreationTemplate'), warnings: warnings(stack) };
  }

  /** What CloudFormation does with one resource from `before` to `after`: update, a replacement under a new identifier, or one that keeps it (fails). */
  function change(before: { logicalId: string; properties: any }, after: { logicalId: string; properties: any }, facts: typeof rule): string {
    const differs = (p: string) => JSON.stringify(before.properties[p]) !== JSON.stringify(after.properties[p]);
    const replaced = before.logicalId !== after.logicalId || facts.createOnly.some(differs);
    if (!replaced) return 'update';
    return facts.primaryIdentifier.some(differs) ? 'replace, new identifier' : 'replace, same identifier: already exists';
  }

  const hub = (name: string) => (stack: Stack) => ({ upstream: CacheUpstream.dockerHub(secretsmanager.Secret.fromSecretNameV2(stack, 'Hub', name)) });

  test('both are identified by the prefix, and every property the rule sets is create-only', () => {
    expect(rule.primaryIdentifier).toEqual(['EcrRepositoryPrefix']);
    expect(template.primaryIdentifier).toEqual(['Prefix']);
    const { rule: r } = version(hub('ecr-pullthroughcache/docker-hub'));
    expect(Object.keys(r.properties).filter((p) => !rule.createOnly.includes(p))).toEqual([]);
    expect(template.createOnly).toEqual(['Prefix']);
  });

  test.each<[string, string, string, (stack: Stack) => ConstructorParameters<typeof PullThroughCache>[2]]>([
    ['another credentials secret, same prefix', 'replace, same identifier: already exists', 'update', hub('ecr-pullthroughcache/docker-hub-2')],
    ['another upstream, same explicit prefix', 'replace, same identifier: already exists', 'update', () => ({ upstream: CacheUpstream.quay(), repositoryPrefix: 'docker-hub' })],
    ['another upstream with its default prefix', 'replace, new identifier', 'replace, new identifier', () => ({ upstream: CacheUpstream.quay() })],
    ['a new prefix with the new secret', 'replace, new identifier', 'replace, new identifier', (stack) => ({ ...hub('ecr-pullthroughcache/docker-hub-2')(stack), repositoryPrefix: 'hub' })],
    ['a new lifecycle and tag mutability', 'update', 'update', (stack) => ({ ...hub('ecr-pullthroughcache/docker-hub')(stack), lifecycle: LifecycleRules.empty().expireUntaggedAfter(1), imageTagMutability: ecr.TagMutability.IMMUTABLE })],
  ])('next version, %s: rule: %s; template: %s', (_name, ruleChange, templateChange, next) => {
    // GIVEN the previous version: Docker Hub under docker-hub
    const before = version(hub('ecr-pullthroughcache/docker-hub'));
    // WHEN
    const after = version(next);
    // THEN
    expect([change(before.rule, after.rule, rule), change(before.template, after.template, template)]).toEqual([ruleChange, templateChange]);
    // and every version carries the warning that names the unsafe cases
    expect(after.warnings.some((w) => w.includes('another credentials secret'))).toBe(true);
  });

  test('next version, the construct renamed: both are replaced under new logical ids with the same prefix (already exists), as the warning says', () => {
    const before = version(hub('ecr-pullthroughcache/docker-hub'));
    const after = version(hub('ecr-pullthroughcache/docker-hub'), 'DockerHub');
    expect([change(before.rule, after.rule, rule), change(before.template, after.template, template)])
      .toEqual(['replace, same identifier: already exists', 'replace, same identifier: already exists']);
    expect(after.warnings.some((w) => w.includes('this construct renamed or moved'))).toBe(true);
  });
});
