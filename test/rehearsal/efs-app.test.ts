/**
 * The rehearsal's EFS app (efs-app.ts) stays deployable on moto and keeps asking for what the
 * rehearsal checks (checks.rehearsal.ts efs-*): `npm run rehearse` is not part of `npm test`, so
 * a change that breaks its app shows here first.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { MOTO_NO_GETATT_TYPES } from './moto-facts';
import { buildEfsApp } from './efs-app';
import { EFS_MOUNT_PATH, EFS_POSIX_USER, EFS_ROOT_DIRECTORY } from './efs-app-settings';
import { testApp } from '../util/test-app';

function getAttTargets(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => getAttTargets(n, into));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Fn::GetAtt') into.push(String((v as unknown[])[0]));
      else getAttTargets(v, into);
    }
  }
  return into;
}

describe('rehearsal EFS app', () => {
  const template = Template.fromStack(buildEfsApp(testApp()));
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: any }>;
  const fileSystemId = Object.keys(template.findResources('AWS::EFS::FileSystem'))[0];

  test('no Fn::GetAtt on a type moto has no GetAtt for (its CreateStack would fail)', () => {
    const noGetAtt = Object.keys(resources).filter((id) => MOTO_NO_GETATT_TYPES.includes(resources[id].Type));
    expect(noGetAtt.length).toBeGreaterThan(0);
    expect(getAttTargets(resources).filter((id) => noGetAtt.includes(id))).toEqual([]);
  });

  test('the task role is granted the file system by the ARN AWS answers for GetAtt Arn, built from its Ref', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement as any[]);
    const grant = statements.find((s) => [s.Action].flat().includes('elasticfilesystem:ClientMount'));
    expect(grant.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticfilesystem:us-east-1:', { Ref: 'AWS::AccountId' }, ':file-system/', { Ref: fileSystemId }]],
    });
  });

  test('a retained file system, mounted at the app\'s path through an access point with the app\'s POSIX user and root directory', () => {
    template.hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: String(EFS_POSIX_USER.uid), Gid: String(EFS_POSIX_USER.gid) },
      RootDirectory: { Path: EFS_ROOT_DIRECTORY },
    });
    const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as any;
    const volume = taskDefinition.Properties.Volumes.find((v: any) => v.EFSVolumeConfiguration);
    expect(taskDefinition.Properties.ContainerDefinitions[0].MountPoints).toContainEqual({ ContainerPath: EFS_MOUNT_PATH, ReadOnly: false, SourceVolume: volume.Name });
  });
});
