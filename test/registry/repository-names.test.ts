import { RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ImageRepository } from '../../lib/registry';
import { TEST_ENV, testApp, testStack } from '../util/test-app';

describe('ImageRepository: one repositoryName per registry in an app', () => {
  test('two repositories with one name in one stack: a named error', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'First', { repositoryName: 'shop/api' });
    expect(() => new ImageRepository(stack, 'Second', { repositoryName: 'shop/api' }))
      .toThrow(/^TestStack\/Second: repositoryName "shop\/api" is already the ECR repository name of TestStack\/First, in the same stack: .*"already exists"; give each a different repositoryName/);
  });

  test('across stacks (and stages) of the same account and region: an error', () => {
    const app = testApp();
    new ImageRepository(testStack(app, 'One'), 'Repo', { repositoryName: 'shop/api' });
    const stage = new Stage(app, 'Prod');
    expect(() => new ImageRepository(new Stack(stage, 'Two', { env: TEST_ENV }), 'Repo', { repositoryName: 'shop/api' }))
      .toThrow(/^Prod\/Two\/Repo: repositoryName "shop\/api" is already the ECR repository name of One\/Repo, in the same account and region \(account 123456789012, us-east-1\)/);
  });

  test('an environment-agnostic stack may or may not share the account and region: a warning naming both, not an error', () => {
    const app = testApp();
    new ImageRepository(testStack(app, 'One'), 'Repo', { repositoryName: 'shop/api' });
    const agnostic = new Stack(app, 'Agnostic');
    new ImageRepository(agnostic, 'Repo', { repositoryName: 'shop/api' });
    Annotations.fromStack(agnostic).hasWarning('/Agnostic/Repo', Match.stringLikeRegexp(
      'repositoryName "shop/api" of Agnostic/Repo \\(any account, any region\\) is also the ECR repository name of One/Repo \\(account 123456789012, us-east-1\\).*'
      + 'if they land in one .*the second deploy fails with "already exists" in the registry.*Annotation::ecs-service-kit:possible-duplicate-name'));
  });

  test('the possible-duplicate warning is acknowledgeable', () => {
    const app = testApp();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    new ImageRepository(first, 'Repo', { repositoryName: 'shop/api' });
    const repo = new ImageRepository(second, 'Repo', { repositoryName: 'shop/api' });
    Validations.of(repo).acknowledge({ id: 'Annotation::ecs-service-kit:possible-duplicate-name', reason: 'First and Second deploy to different accounts.' });
    Annotations.fromStack(second).hasNoWarning('/Second/Repo', Match.stringLikeRegexp('possible-duplicate-name'));
  });

  test('other regions or accounts (known) may share the name', () => {
    const app = testApp();
    new ImageRepository(testStack(app, 'East'), 'Repo', { repositoryName: 'shop/api' });
    new ImageRepository(testStack(app, 'West', { env: { ...TEST_ENV, region: 'us-west-2' } }), 'Repo', { repositoryName: 'shop/api' });
    expect(() => new ImageRepository(testStack(app, 'Other', { env: { ...TEST_ENV, account: '210987654321' } }), 'Repo', { repositoryName: 'shop/api' }))
      .not.toThrow();
  });

  test('separate apps do not see each other, and generated names never clash', () => {
    new ImageRepository(testStack(testApp()), 'Repo', { repositoryName: 'shop/api' });
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { repositoryName: 'shop/api' });
    new ImageRepository(stack, 'A');
    expect(() => new ImageRepository(stack, 'B')).not.toThrow();
  });
});

describe('ImageRepository: a fixed name on a retained repository', () => {
  const WARNING = 'ecs-service-kit:retained-physical-name';

  test('warns with the reason and what to do', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Repo', { repositoryName: 'shop/api' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Repo', Match.stringLikeRegexp(
      `repositoryName "shop/api" names the ECR repository, which is kept when the stack is deleted \\(removalPolicy RemovalPolicy.RETAIN\\).*already exists.*Leave repositoryName out.*RemovalPolicy.DESTROY.*Annotation::${WARNING}`));
  });

  test('RETAIN_ON_UPDATE_OR_DELETE warns too; DESTROY and generated names do not', () => {
    const stack = testStack(testApp());
    new ImageRepository(stack, 'Kept', { repositoryName: 'kept', removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    new ImageRepository(stack, 'Disposable', { repositoryName: 'disposable', removalPolicy: RemovalPolicy.DESTROY });
    new ImageRepository(stack, 'Generated');
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Kept', Match.stringLikeRegexp('RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE'));
    annotations.hasNoWarning('/TestStack/Disposable', Match.anyValue());
    annotations.hasNoWarning('/TestStack/Generated', Match.anyValue());
  });

  test('the warning can be acknowledged by its id', () => {
    const stack = testStack(testApp());
    const repo = new ImageRepository(stack, 'Repo', { repositoryName: 'shop/api' });
    Validations.of(repo).acknowledge({ id: `Annotation::${WARNING}`, reason: 'Re-created only after importing the kept repository.' });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Repo', Match.anyValue());
  });
});
