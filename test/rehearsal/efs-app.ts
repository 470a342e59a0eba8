/**
 * The deploy rehearsal's EFS app (scripts/rehearse.sh, "EFS volumes"): a cluster, a
 * ServiceFileSystem with the library's defaults (encrypted, retained, backed up, elastic
 * throughput, Infrequent Access after 30 days) and a worker that mounts it at /data through an
 * access point with a POSIX user and a root directory of its own, so the rehearsal can deploy
 * it with the real CLI, check what moto made of it, destroy it and check what is left.
 *
 * A worker without a queue keeps the stack small (no load balancer, no SQS). PUBLIC_ONLY, no
 * repository and no default-security-group custom resource: moto runs no Lambda. One deviation
 * from what a user's app synthesizes, for moto only: the task role's grant names the file system
 * by an ARN built from its Ref instead of `Fn::GetAtt [FileSystem, Arn]` (same value on AWS).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { NetworkLayout, ServiceCluster, ServiceFileSystem, ServiceImage, WorkerService } from '../../lib';
import { EFS_MOUNT_PATH, EFS_POSIX_USER, EFS_ROOT_DIRECTORY, EFS_STACK } from './efs-app-settings';

export function buildEfsApp(app: App): Stack {
  const stack = new Stack(app, EFS_STACK, { env: { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PUBLIC_ONLY, restrictDefaultSecurityGroup: false });
  const files = new ServiceFileSystem(stack, 'Files', { cluster });
  // moto 5.2.5 has no Fn::GetAtt for AWS::EFS::FileSystem (its model lacks get_cfn_attribute: the
  // CreateStack request fails with a Python AttributeError), and the task role's ClientMount grant
  // names the file system by `Fn::GetAtt [FileSystem, Arn]`. The same ARN, built from the
  // file system's Ref, is what AWS answers for that GetAtt; only this app builds it so.
  Object.defineProperty(files.fileSystem, 'fileSystemArn', {
    value: stack.formatArn({ service: 'elasticfilesystem', resource: 'file-system', resourceName: files.fileSystem.fileSystemId }),
  });
  const worker = new WorkerService(stack, 'Worker', {
    cluster,
    image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    efsVolumes: [{
      fileSystem: files.fileSystem,
      mountPath: EFS_MOUNT_PATH,
      rootDirectory: EFS_ROOT_DIRECTORY,
      posixUser: EFS_POSIX_USER,
    }],
  });
  Validations.of(worker).acknowledge({
    id: 'Annotation::ecs-service-kit:no-deployment-alarms',
    reason: 'A rehearsal app about EFS volumes: moto runs no tasks and no release.',
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildEfsApp(app);
  app.synth();
}
