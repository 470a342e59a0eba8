import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ALL_APPS } from '../../examples';
import { ServiceImage } from '../../lib/image';
import { ServiceTaskDefinition } from '../../lib/task-definition';
import { readSnapshotTemplates } from '../quality/stateful-guard';
import { testApp, testStack } from '../util/test-app';

const EXAMPLE_APP = path.join(__dirname, '..', '..', 'examples', 'app');
const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const WARNING = 'ecs-service-kit:writable-path-owner';

/** One Dockerfile instruction: keyword and arguments, continuation lines joined. */
interface Instruction { readonly keyword: string; readonly args: string }

function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined.split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
      return { keyword: keyword.toUpperCase(), args };
    });
}

/** The paths of a VOLUME instruction: JSON array or space separated. */
function volumePaths(args: string): string[] {
  return args.startsWith('[') ? JSON.parse(args) : args.split(/\s+/);
}

/** Shell commands of a RUN line (split at && and ;), each as words. */
function commandsOf(args: string): string[][] {
  return args.split(/&&|;/).map((command) => command.trim().split(/\s+/)).filter((words) => words[0] !== '');
}

/** Where the Dockerfile creates, hands over and declares `target`: instruction indexes, -1 when it does not. */
function provisioning(instructions: Instruction[], target: string, user: string) {
  let created = -1;
  let owned = -1;
  let declared = -1;
  let changedAfterVolume = false;
  instructions.forEach((instruction, index) => {
    if (instruction.keyword === 'VOLUME' && volumePaths(instruction.args).includes(target)) declared = index;
    if (instruction.keyword !== 'RUN') return;
    for (const [command, ...words] of commandsOf(instruction.args)) {
      const paths = words.filter((word) => word.startsWith('/'));
      if (!paths.includes(target)) continue;
      if (declared >= 0) changedAfterVolume = true;
      if (command === 'mkdir' && words.includes('-p')) created = index;
      const owner = words.find((word) => !word.startsWith('-') && !word.startsWith('/'));
      if (command === 'chown' && owner?.split(':')[0] === user) owned = index;
    }
  });
  return { created, owned, declared, changedAfterVolume };
}

/**
 * Every container mount path of the examples and bin-app stages whose image is built from an
 * image asset (examples/app is the only Dockerfile among the examples).
 *
 * The templates are the committed snapshots of test/examples, which fails when an example's
 * template differs from them (asset hashes are normalized there, the `container-assets` image
 * URI stays): the same templates, without a second synth of every app.
 */
function assetMountPaths(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const templates = readSnapshotTemplates(path.join(__dirname, '..', 'examples', '__snapshots__', 'examples.test.ts.snap'));
  for (const entry of ALL_APPS) {
    const ofApp = [...templates.entries()].filter(([key]) => key.startsWith(`${entry.name} `));
    expect([entry.name, ofApp.length > 0]).toEqual([entry.name, true]);
    for (const [, template] of ofApp) {
      for (const td of Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::ECS::TaskDefinition') as any[]) {
        // An EFS volume's directory is owned through its access point (posixUser), not by the image.
        const efsVolumes = new Set((td.Properties.Volumes ?? []).filter((v: any) => v.EFSVolumeConfiguration).map((v: any) => v.Name));
        for (const container of td.Properties.ContainerDefinitions) {
          if (!JSON.stringify(container.Image).includes('container-assets')) continue;
          for (const mount of container.MountPoints ?? []) {
            if (efsVolumes.has(mount.SourceVolume)) continue;
            found.set(mount.ContainerPath, [...(found.get(mount.ContainerPath) ?? []), `${entry.name}:${container.Name}`]);
          }
        }
      }
    }
  }
  return found;
}

describe('the example app\'s image can write to every writable path its tasks mount', () => {
  const instructions = parseDockerfile(fs.readFileSync(path.join(EXAMPLE_APP, 'Dockerfile'), 'utf-8'));
  const users = instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
  const user = users[users.length - 1];
  let mounts: Map<string, string[]>;
  beforeAll(() => {
    mounts = assetMountPaths();
  });

  test('examples/app is the only image built from a Dockerfile in the examples', () => {
    const dockerfiles = fs.readdirSync(path.join(EXAMPLE_APP, '..'), { recursive: true } as any)
      .map(String).filter((file) => path.basename(file) === 'Dockerfile');
    expect(dockerfiles).toEqual([path.join('app', 'Dockerfile')]);
  });

  test('the image runs as a non-root user, and the examples mount writable paths for it', () => {
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user.split(':')[0]);
    expect([...mounts.keys()]).toContain('/tmp');
  });

  test('each mounted path is created, chowned to the USER, then declared a VOLUME, and left alone after', () => {
    const problems: string[] = [];
    for (const [mountPath, where] of mounts) {
      const p = provisioning(instructions, mountPath, user);
      if (p.created < 0) problems.push(`${mountPath} (${where[0]}): no RUN mkdir -p ${mountPath}`);
      if (p.owned < p.created || p.owned < 0) problems.push(`${mountPath}: no RUN chown ${user} ${mountPath} after it is created`);
      if (p.declared <= p.owned) problems.push(`${mountPath}: no VOLUME ["${mountPath}"] after the chown`);
      if (p.changedAfterVolume) problems.push(`${mountPath}: changed after its VOLUME line (Docker discards that)`);
    }
    expect(problems).toEqual([]);
  });

  test('the image declares no VOLUME the tasks do not mount (an unmounted VOLUME stays on the read-only root)', () => {
    const declared = instructions.filter((i) => i.keyword === 'VOLUME').flatMap((i) => volumePaths(i.args));
    expect(declared.filter((p) => !mounts.has(p))).toEqual([]);
  });

  test('server.js writes no files itself: /tmp (Node\'s os.tmpdir()) is the only place it could', () => {
    const server = fs.readFileSync(path.join(EXAMPLE_APP, 'server.js'), 'utf-8');
    expect(server).not.toMatch(/require\(['"](node:)?fs(\/promises)?['"]\)|from ['"](node:)?fs/);
  });

  test('the parser catches a Dockerfile that declares the VOLUME before the chown', () => {
    const bad = parseDockerfile('FROM x\nUSER node\nVOLUME ["/tmp"]\nRUN mkdir -p /tmp && chown node /tmp\n');
    expect(provisioning(bad, '/tmp', 'node')).toEqual({ created: 3, owned: 3, declared: 2, changedAfterVolume: true });
  });
});

describe('a non-root user with writable paths: a synth warning with the Dockerfile lines', () => {
  test('warns with mkdir, chown and VOLUME for each path', () => {
    const stack = testStack(testApp());
    new ServiceTaskDefinition(stack, 'Task', { image: NGINX, user: '1000:1000', writablePaths: ['/tmp', '/var/cache/app'] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Task', Match.stringLikeRegexp(
      'Container "app" runs as user "1000:1000" on a read-only root filesystem; its writable paths \\(/tmp, /var/cache/app\\).*root with mode 0755.*'
      + 'RUN mkdir -p /tmp /var/cache/app && chown 1000:1000 /tmp /var/cache/app then VOLUME \\["/tmp", "/var/cache/app"\\].*'
      + `Annotation::${WARNING}`));
  });

  test('sidecars are checked too', () => {
    const stack = testStack(testApp());
    new ServiceTaskDefinition(stack, 'Task', { image: NGINX, sidecars: [{ containerName: 'agent', image: NGINX, user: 'agent' }] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Task', Match.stringLikeRegexp('Container "agent" runs as user "agent".*chown agent /tmp'));
  });

  test.each([
    ['no user (the image decides)', {}],
    ['root by name', { user: 'root' }],
    ['root by uid:gid', { user: '0:0' }],
    ['a writable root filesystem', { user: 'node', readonlyRootFilesystem: false }],
    ['no writable paths', { user: 'node', writablePaths: [] }],
  ])('no warning with %s', (_name, props) => {
    const stack = testStack(testApp());
    new ServiceTaskDefinition(stack, 'Task', { image: NGINX, ...props });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Task', Match.stringLikeRegexp(WARNING));
  });

  test('acknowledged on the construct that holds the task: no warning', () => {
    const stack = testStack(testApp());
    const task = new ServiceTaskDefinition(stack, 'Task', { image: NGINX, user: 'node' });
    Validations.of(task).acknowledge({ id: `Annotation::${WARNING}`, reason: 'The image creates, chowns and declares /tmp.' });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Task', Match.anyValue());
  });
});
