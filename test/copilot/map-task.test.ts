import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CopilotApplication } from '../../lib';
import { testStack } from '../util/test-app';
import { configurationErrorOf, writeWorkspace, yaml } from './workspace-fixture';

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
  const errorOf = (files: Record<string, string>): string => configurationErrorOf(() => synth(files));

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
  test('security_groups (ids and from_cfn exports) are joined by the tasks after their own group, in the VPC the user passes; placement private is the library\'s own', () => {
    // GIVEN the environment's VPC passed as vpc, a worker in the list form, a job in the map form with deny_default
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-a', 'subnet-b'] });
    new CopilotApplication(stack, 'Shop', {
      environment: 'prod', vpc,
      workspace: writeWorkspace({
        'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    placement: private', '    security_groups:', '      - sg-0123456789abcdef0', '      - from_cfn: shop-db-sg'),
        'copilot/job/manifest.yml': yaml('name: job', 'type: Scheduled Job', 'image:', '  build: app/Dockerfile', 'on:', '  schedule: "@daily"',
          'network:', '  vpc:', '    security_groups:', '      deny_default: true', '      groups: [sg-0123456789abcdef0]'),
      }),
    });
    const template = Template.fromStack(stack);
    // THEN
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups.slice(1)).toEqual(['sg-0123456789abcdef0', { 'Fn::ImportValue': 'shop-db-sg' }]);
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    expect(schedule.Properties.Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[1]).toBe('sg-0123456789abcdef0');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('network\\.vpc|copilot-security-group-vpc'))).toEqual([]);
  });

  test('an existing group next to a VPC this app creates fails at the manifest: ECS refuses groups of another VPC (review finding)', () => {
    expect(() => synth({ 'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    security_groups: [sg-0123456789abcdef0]') }))
      .toThrow(/copilot\/worker\/manifest\.yml:7 network\.vpc\.security_groups\[0\].*is an existing group, so in another VPC than the one this application creates.*pass the environment's VPC as the vpc prop/);
  });

  test('an exported group next to a VPC this app creates warns, naming the export (review finding)', () => {
    const { stack } = synth({ 'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    security_groups:', '      - from_cfn: shop-db-sg') });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-security-group-vpc'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toMatch(/imports the groups of the exports shop-db-sg; this application creates its own VPC/);
  });

  test('more groups than ECS takes beside the task\'s own and the load balancer\'s fails at the manifest (review finding)', () => {
    const web = yaml('name: web', 'type: Load Balanced Web Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'http:', '  path: /',
      'network:', '  vpc:', '    security_groups:', ...[1, 2, 3, 4].map((i) => `      - from_cfn: group-${i}`));
    expect(() => synth({ 'copilot/web/manifest.yml': web })).toThrow(/copilot\/web\/manifest\.yml:10 network\.vpc\.security_groups.*lists 4 groups, and with the task's own and the load balancer's target group ECS takes five per task; list at most 3/);
  });

  test('deny_default keeps a connected workload out of the Service Connect rules, as it kept out of Copilot\'s shared group (review finding)', () => {
    const api = yaml('name: api', 'type: Backend Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'network:', '  connect: true');
    const { template } = synth({
      'copilot/api/manifest.yml': api,
      'copilot/worker/manifest.yml': WORKER + yaml('network:', '  connect: true', '  vpc:', '    security_groups:', '      deny_default: true'),
    });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => String(r.Properties.Description).includes('network.connect'));
    expect(ingress).toEqual([]);
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
  const { stack } = synth({ 'copilot/worker/manifest.yml': WORKER + yaml('network:', '  vpc:', '    security_groups:', '      deny_defualt: true', '      groups: [{from_cfn: shop-db-sg}]') });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('security_groups\\.deny_defualt'));
  expect(warnings).toHaveLength(1);
});

test('a secret named with a hyphen and six characters at its end fails at the manifest: Secrets Manager would take them for an ARN suffix (review finding)', () => {
  expect(() => synth({
    'copilot/worker/manifest.yml': yaml('name: worker', 'type: Worker Service', 'image:', '  location: registry.example.com/w:1', '  credentials: dockerhub-secret'),
  })).toThrow(/copilot\/worker\/manifest\.yml:5 image\.credentials.*names the secret dockerhub-secret.*give the secret's complete ARN/);
  expect(() => synth({ 'copilot/worker/manifest.yml': WORKER + yaml('secrets:', '  DB_PASSWORD:', "    secretsmanager: 'prod/db-secret:password::'") }))
    .toThrow(/secrets\.DB_PASSWORD\.secretsmanager.*names the secret prod\/db-secret/);
});
