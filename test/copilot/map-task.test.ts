import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigurationErrors, CopilotApplication } from '../../lib';
import { testStack } from '../util/test-app';
import { writeWorkspace, yaml } from './workspace-fixture';

const WORKER = yaml('name: worker', 'type: Worker Service', 'image:', '  build: app/Dockerfile');

function synth(files: Record<string, string>): { stack: Stack; template: Template } {
  const stack = testStack();
  new CopilotApplication(stack, 'Shop', { workspace: writeWorkspace(files), environment: 'prod' });
  return { stack, template: Template.fromStack(stack) };
}

describe('env_file and labels, on the main container and a sidecar', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN files from the workspace root, as copilot deploy read them
    ({ template } = synth({
      'config/worker.env': 'LOG_LEVEL=info\n',
      'config/agent.env': 'AGENT_MODE=sidecar\n',
      'copilot/worker/manifest.yml': WORKER + yaml(
        '  labels:', '    com.example.team: shop',
        'env_file: config/worker.env',
        'sidecars:', '  agent:', '    image: public.ecr.aws/nginx/nginx:1.27', '    env_file: config/agent.env', '    labels:', '      com.example.role: agent'),
    }));
  });

  test('each container reads its file from S3 (uploaded with the app\'s assets) and has its Docker labels', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ DockerLabels: { 'com.example.team': 'shop' }, EnvironmentFiles: [{ Type: 's3', Value: Match.anyValue() }] }),
        Match.objectLike({ Name: 'agent', DockerLabels: { 'com.example.role': 'agent' }, EnvironmentFiles: [{ Type: 's3', Value: Match.anyValue() }] }),
      ],
    });
  });

  test('the execution role may read the two files when a task starts', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
    const getObject = statements.find((s) => s.Action === 's3:GetObject');
    expect((getObject?.Resource as unknown[])).toHaveLength(2);
  });
});

test('an env_file named .env, as Copilot accepts it, is uploaded under a key ECS accepts', () => {
  const { template } = synth({ '.env': 'LOG_LEVEL=info\n', 'copilot/worker/manifest.yml': WORKER + yaml('env_file: .env') });
  const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  expect(JSON.stringify(taskDefinition.Properties.ContainerDefinitions[0].EnvironmentFiles)).toMatch(/[0-9a-f]{64}\.env"/);
});

describe('env_file Copilot would refuse, or that is not there, fails at the manifest', () => {
  const errorOf = (files: Record<string, string>): string => {
    try {
      synth(files);
    } catch (e) {
      expect(ConfigurationErrors.isConfigurationError(e)).toBe(true);
      return String(e);
    }
    throw new Error('expected the construct to fail');
  };

  test('a file not named .env', () => {
    expect(errorOf({ 'config/worker.txt': 'A=1\n', 'copilot/worker/manifest.yml': WORKER + yaml('env_file: config/worker.txt') }))
      .toMatch(/copilot\/worker\/manifest\.yml:5 env_file.*is not named \*\.env/);
  });

  test('a file the workspace does not have', () => {
    expect(errorOf({ 'copilot/worker/manifest.yml': WORKER + yaml('env_file: config/missing.env') }))
      .toMatch(/copilot\/worker\/manifest\.yml:5 env_file.*is not a file in the workspace/);
  });
});

test('image.credentials and a sidecar\'s credentialsParameter log in to a private registry; the execution role may read exactly those secrets', () => {
  // GIVEN images of another registry, the main one's login by secret name, the sidecar's by ARN
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-creds-AbCdEf';
  const { template } = synth({
    'copilot/worker/manifest.yml': yaml('name: worker', 'type: Worker Service', 'image:', '  location: registry.example.com/shop/worker:1.4', '  credentials: registry-login',
      'sidecars:', '  agent:', '    image: docker.io/example/agent:2', `    credentialsParameter: '${arn}'`),
  });
  // THEN
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [
      Match.objectLike({ Image: 'registry.example.com/shop/worker:1.4', RepositoryCredentials: { CredentialsParameter: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':secret:registry-login$')])] } } }),
      Match.objectLike({ Name: 'agent', RepositoryCredentials: { CredentialsParameter: arn } }),
    ],
  });
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
    .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
  expect(statements.map((s) => JSON.stringify(s.Resource))).toEqual(expect.arrayContaining([JSON.stringify(arn), expect.stringContaining('registry-login-??????')]));
});

test('credentials that are not a Secrets Manager secret fail at the manifest', () => {
  expect(() => synth({
    'copilot/worker/manifest.yml': yaml('name: worker', 'type: Worker Service', 'image:', '  location: registry.example.com/w:1', '  credentials: arn:aws:ssm:us-east-1:123456789012:parameter/login'),
  })).toThrow(/copilot\/worker\/manifest\.yml:5 image\.credentials.*is not a Secrets Manager secret/);
});

describe('network.vpc of a workload', () => {
  test('security_groups (ids and from_cfn exports) are joined by the tasks, after their own group; placement private is the library\'s own', () => {
    // GIVEN a worker and a job, one in the list form, one in the map form with deny_default
    const { stack, template } = synth({
      'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    placement: private', '    security_groups:', '      - sg-0123456789abcdef0', '      - from_cfn: shop-db-sg'),
      'copilot/job/manifest.yml': yaml('name: job', 'type: Scheduled Job', 'image:', '  build: app/Dockerfile', 'on:', '  schedule: "@daily"',
        'network:', '  vpc:', '    security_groups:', '      deny_default: true', '      groups: [sg-0123456789abcdef0]'),
    });
    // THEN
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups.slice(1)).toEqual(['sg-0123456789abcdef0', { 'Fn::ImportValue': 'shop-db-sg' }]);
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    expect(schedule.Properties.Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[1]).toBe('sg-0123456789abcdef0');
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('network\\.vpc'));
    expect(warnings).toEqual([]);
  });

  test('placement public is named at synth: the tasks run in private subnets', () => {
    const { stack } = synth({ 'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    placement: public') });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('network\\.vpc\\.placement is not mapped'));
    expect(warnings).toHaveLength(1);
  });

  test('a security group that is not an id fails at the manifest', () => {
    expect(() => synth({ 'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    security_groups: [default]') }))
      .toThrow(/copilot\/worker\/manifest\.yml:7 network\.vpc\.security_groups\[0\].*is not a security group id/);
  });
});

test('a misspelt field under network.vpc.security_groups is still named at synth', () => {
  const { stack } = synth({ 'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    security_groups:', '      deny_defualt: true', '      groups: [sg-0123456789abcdef0]') });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('security_groups\\.deny_defualt'));
  expect(warnings).toHaveLength(1);
});
