import { Template } from 'aws-cdk-lib/assertions';
import { CopilotApplication } from '../../lib';
import { testStack } from '../util/test-app';
import { configurationErrorOf, writeWorkspace, yaml } from './workspace-fixture';

const WORKER = yaml('name: worker', 'type: Worker Service', 'image:', '  build: app/Dockerfile');
const SIDECARS = yaml(
  'sidecars:',
  '  proxy:', '    image: public.ecr.aws/nginx/nginx:1.27', '    healthcheck:', '      command: ["CMD-SHELL", "true"]',
  '  migrate:', '    image: public.ecr.aws/nginx/nginx:1.27', '    essential: false',
);

function containersOf(files: Record<string, string>): { Name: string; DependsOn?: unknown }[] {
  const stack = testStack();
  new CopilotApplication(stack, 'Shop', { workspace: writeWorkspace(files), environment: 'prod' });
  return Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions;
}

function errorOf(files: Record<string, string>): string {
  return configurationErrorOf(() => containersOf(files));
}

test('depends_on orders the containers\' start as written', () => {
  // GIVEN the main container waiting for the proxy to be healthy and the migration to succeed; the migration waiting for the proxy to start
  const containers = containersOf({
    'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    proxy: healthy', '    migrate: success')
      + SIDECARS + yaml('    depends_on:', '      proxy: start'),
  });
  // THEN
  const main = containers[0];
  expect(main.DependsOn).toEqual([{ ContainerName: 'proxy', Condition: 'HEALTHY' }, { ContainerName: 'migrate', Condition: 'SUCCESS' }]);
  expect(containers.find((c) => c.Name === 'migrate')!.DependsOn).toEqual([{ ContainerName: 'proxy', Condition: 'START' }]);
});

test('the main container is named by the workload, as in Copilot: a sidecar may wait for it', () => {
  const containers = containersOf({ 'copilot/worker/manifest.yml': WORKER + SIDECARS + yaml('    depends_on:', '      worker: start') });
  expect(containers.find((c) => c.Name === 'migrate')!.DependsOn).toEqual([{ ContainerName: containers[0].Name, Condition: 'START' }]);
});

describe('depends_on that Copilot refuses, or ECS could not honour, fails at the manifest', () => {
  test('a container the task does not have', () => {
    expect(errorOf({ 'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    firelens_log_router: start') }))
      .toMatch(/copilot\/worker\/manifest\.yml:6 image\.depends_on\.firelens_log_router.*names firelens_log_router, which is not a container of this task.*use one of worker/);
  });

  test('a condition that is not one of ECS\'s', () => {
    expect(errorOf({ 'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    proxy: ready') + SIDECARS }))
      .toMatch(/image\.depends_on\.proxy.*is not a container condition.*start, healthy, complete or success/);
  });

  test('an essential container awaited to complete (it does not while the task runs)', () => {
    expect(errorOf({ 'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    proxy: complete') + SIDECARS }))
      .toMatch(/image\.depends_on\.proxy.*waits for the essential container proxy to complete/);
  });

  test('healthy, of a container without a health check', () => {
    expect(errorOf({ 'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    migrate: healthy') + SIDECARS }))
      .toMatch(/image\.depends_on\.migrate.*has no health check.*sidecars\.migrate\.healthcheck/);
  });

  test('a circle', () => {
    expect(errorOf({
      'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    proxy: start') + SIDECARS.replace('    essential: false\n', '    essential: false\n')
        .replace('      command: ["CMD-SHELL", "true"]\n', '      command: ["CMD-SHELL", "true"]\n    depends_on:\n      worker: start\n'),
    })).toMatch(/image\.depends_on.*starts a circle of containers waiting for each other \(worker → proxy → worker\)/);
  });

  test('a container waiting for itself', () => {
    expect(errorOf({ 'copilot/worker/manifest.yml': WORKER + yaml('  depends_on:', '    worker: start') }))
      .toMatch(/image\.depends_on\.worker.*makes the container wait for itself/);
  });
});
