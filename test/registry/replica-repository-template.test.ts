import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { CacheUpstream, ImageRepository, LifecycleRules, PullThroughCache, RegistryReplication, ReplicaRepositoryTemplate } from '../../lib/registry';
import { CREATION_TEMPLATE_EXISTS_WARNING } from '../../lib/registry/replica-repository-template';
import { describeWithSchemas, schemaFacts } from '../util/cfn-schemas';
import { testApp } from '../util/test-app';

const ACCOUNT = '123456789012';

/** A source stack in us-east-1 with a repository and replication to us-west-2, and a destination stack in us-west-2. */
function regions(app: App = testApp()) {
  const source = new Stack(app, 'Source', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const destination = new Stack(app, 'Destination', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const repository = new ImageRepository(source, 'Repo');
  const replication = new RegistryReplication(source, 'Replication', { destinations: [{ region: 'us-west-2' }] });
  return { app, source, destination, repository, replication };
}

function templateOf(stack: Stack): any {
  const found = Object.entries(Template.fromStack(stack).findResources('AWS::ECR::RepositoryCreationTemplate'));
  expect(found).toHaveLength(1);
  return { id: found[0][0], ...(found[0][1] as any) };
}

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

describe('ReplicaRepositoryTemplate (defaults)', () => {
  test('replicas get the settings of an ImageRepository: immutable tags, AES256, the same lifecycle policy; for every replicated repository (ROOT)', () => {
    // GIVEN
    const { source, destination, replication } = regions();
    // WHEN
    new ReplicaRepositoryTemplate(destination, 'ReplicaTemplate', { replication });
    // THEN
    const template = templateOf(destination);
    const [repository] = Object.values(Template.fromStack(source).findResources('AWS::ECR::Repository')) as any[];
    expect(template.Properties).toEqual({
      Prefix: 'ROOT',
      AppliedFor: ['REPLICATION'],
      Description: 'Replicated repositories',
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      ImageTagMutability: repository.Properties.ImageTagMutability,
      LifecyclePolicy: repository.Properties.LifecyclePolicy.LifecyclePolicyText,
    });
    expect(template.Properties.ImageTagMutability).toBe('IMMUTABLE');
    // The rules keep release images, as on the source repository
    expect(JSON.parse(template.Properties.LifecyclePolicy).rules[0].selection.tagPatternList).toEqual(['v*']);
  });

  test('before it: nothing in its stack; the replication\'s stack deploys after it (so the template exists before the first replica)', () => {
    // GIVEN
    const { app, source, destination, replication } = regions();
    // WHEN
    new ReplicaRepositoryTemplate(destination, 'ReplicaTemplate', { replication });
    // THEN
    expect(templateOf(destination).DependsOn).toBeUndefined();
    expect(source.dependencies).toEqual([destination]);
    const assembly = app.synth();
    expect(assembly.getStackByName('Source').dependencies.map((d) => d.id)).toContain('Destination');
  });

  test('cdk destroy: the replication\'s stack goes first (replication retained), then the template is deleted (no Retain): replicas already created keep their settings', () => {
    // GIVEN
    const { destination, replication } = regions();
    // WHEN
    new ReplicaRepositoryTemplate(destination, 'ReplicaTemplate', { replication });
    // THEN
    expect(templateOf(destination).DeletionPolicy).toBeUndefined();
    // The repositories ECR created are not CloudFormation's
    Template.fromStack(destination).resourceCountIs('AWS::ECR::Repository', 0);
  });

  test('neighbours: the two stacks share no reference, only deploy order, so a next version that removes the replication leaves the template as it is, and one that removes the template leaves the replication as it is (later replicas then get ECR\'s defaults)', () => {
    // GIVEN
    const { source, destination, replication } = regions();
    new ReplicaRepositoryTemplate(destination, 'ReplicaTemplate', { replication });
    // THEN no output, import or parameter ties them
    for (const stack of [source, destination]) {
      const json = Template.fromStack(stack).toJSON();
      expect([stack.stackName, json.Outputs, JSON.stringify(json).includes('Fn::ImportValue'), JSON.stringify(json).includes('Fn::GetStackOutput')])
        .toEqual([stack.stackName, undefined, false, false]);
    }
    // WHEN the next version drops the replication, the template renders the same
    const { destination: next } = (() => {
      const app = testApp();
      const d = new Stack(app, 'Destination', { env: { account: ACCOUNT, region: 'us-west-2' } });
      new ReplicaRepositoryTemplate(d, 'ReplicaTemplate');
      return { destination: d };
    })();
    expect(templateOf(next)).toEqual(templateOf(destination));
  });

  test('synth warns (acknowledgeably) that the destination must have no template for the prefix, and that a renamed construct fails the same way', () => {
    // GIVEN
    const { destination, replication } = regions();
    // WHEN
    const template = new ReplicaRepositoryTemplate(destination, 'ReplicaTemplate', { replication });
    // THEN
    const [warning] = warnings(destination);
    expect(warning).toMatch(/^The ECR registry of account 123456789012 in us-west-2 must have no repository creation template for prefix ROOT before this stack creates one/);
    expect(warning).toMatch(/a renamed or moved one is a new template created while the old one exists/);
    Validations.of(template).acknowledge({ id: `Annotation::${CREATION_TEMPLATE_EXISTS_WARNING}`, reason: 'no ROOT template in us-west-2' });
    expect(warnings(destination)).toEqual([]);
  });
});

describe('ReplicaRepositoryTemplate options', () => {
  test('a namespace prefix, moving tags and a custom lifecycle', () => {
    // GIVEN
    const { destination } = regions();
    // WHEN
    new ReplicaRepositoryTemplate(destination, 'T', {
      repositoryPrefix: 'team/web',
      mutableTagPatterns: ['latest'],
      lifecycle: LifecycleRules.empty().expireUntaggedAfter(3),
    });
    // THEN
    const { Properties: p } = templateOf(destination);
    expect(p.Prefix).toBe('team/web');
    expect(p.Description).toBe('Replicated repositories under team/web/');
    expect(p.ImageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(p.ImageTagMutabilityExclusionFilters).toEqual([{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' }]);
    expect(JSON.parse(p.LifecyclePolicy).rules.map((r: any) => r.selection.tagStatus)).toEqual(['tagged', 'tagged', 'untagged']);
  });

  test('MUTABLE tags, and LifecycleRules.empty() leaves the lifecycle policy out', () => {
    const { destination } = regions();
    new ReplicaRepositoryTemplate(destination, 'T', { imageTagMutability: ecr.TagMutability.MUTABLE, lifecycle: LifecycleRules.empty() });
    const { Properties: p } = templateOf(destination);
    expect(p.ImageTagMutability).toBe('MUTABLE');
    expect(p.LifecyclePolicy).toBeUndefined();
  });
});

describe('ReplicaRepositoryTemplate validation', () => {
  test('in the replication\'s own stack: rejected (ECR applies templates of the registry it creates the replica in)', () => {
    const { source, replication } = regions();
    expect(() => new ReplicaRepositoryTemplate(source, 'T', { replication }))
      .toThrow(/^Source\/T: replication "Source\/Replication" is in the same stack; ECR applies the template in the registry it creates the replica in/);
  });

  test('in a region the replication does not replicate to: rejected', () => {
    const { app, replication } = regions();
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    expect(() => new ReplicaRepositoryTemplate(elsewhere, 'T', { replication }))
      .toThrow(/^Elsewhere\/T: replication "Source\/Replication" does not replicate to account 123456789012 in eu-west-1, where this template is; put the template in a stack of one of its destinations: 123456789012\/us-west-2/);
  });

  test('a prefix a pull through cache of the same registry uses: rejected (the prefix identifies a creation template)', () => {
    const { destination } = regions();
    new PullThroughCache(destination, 'Cache', { upstream: CacheUpstream.ecrPublic() });
    expect(() => new ReplicaRepositoryTemplate(destination, 'T', { repositoryPrefix: 'ecr-public' }))
      .toThrow(/^Destination\/T: repositoryPrefix "ecr-public" is already the repository creation template prefix of Destination\/Cache/);
  });

  test.each([
    [{ repositoryPrefix: 'Team' }, /repositoryPrefix "Team"/],
    [{ repositoryPrefix: 'team/' }, /repositoryPrefix "team\/"/],
    [{ imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION }, /imageTagMutability "IMMUTABLE_WITH_EXCLUSION" is not allowed/],
    [{ mutableTagPatterns: ['v*'] }, /mutableTagPatterns\[0\] "v\*" would make release tags mutable/],
  ])('%j is rejected', (props, message) => {
    const { destination } = regions();
    expect(() => new ReplicaRepositoryTemplate(destination, 'T', props)).toThrow(message);
  });
});

describeWithSchemas('ReplicaRepositoryTemplate against the AWS::ECR::RepositoryCreationTemplate schema', () => {
  const facts = schemaFacts('AWS::ECR::RepositoryCreationTemplate');

  function version(props: ConstructorParameters<typeof ReplicaRepositoryTemplate>[2], id = 'T') {
    const { destination } = regions();
    new ReplicaRepositoryTemplate(destination, id, props);
    return templateOf(destination);
  }

  test('every required property is set', () => {
    const t = version({});
    expect(facts.required.filter((p) => t.Properties[p] === undefined)).toEqual([]);
  });

  test('next version: a new lifecycle or tag mutability updates in place (only Prefix is create-only)', () => {
    expect(facts.createOnly).toEqual(['Prefix']);
    const before = version({});
    const after = version({ lifecycle: LifecycleRules.empty().expireUntaggedAfter(1), imageTagMutability: ecr.TagMutability.MUTABLE });
    expect(after.id).toBe(before.id);
    expect(facts.createOnly.filter((p) => JSON.stringify(before.Properties[p]) !== JSON.stringify(after.Properties[p]))).toEqual([]);
  });

  test('next version: a new prefix replaces it under a new identifier (no collision); a renamed construct keeps the identifier under a new logical id (the warning\'s case)', () => {
    expect(facts.primaryIdentifier).toEqual(['Prefix']);
    const before = version({});
    const newPrefix = version({ repositoryPrefix: 'team' });
    expect(newPrefix.Properties.Prefix).not.toBe(before.Properties.Prefix);
    const renamed = version({}, 'Renamed');
    expect([renamed.id === before.id, renamed.Properties.Prefix]).toEqual([false, before.Properties.Prefix]);
  });
});
