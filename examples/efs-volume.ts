/**
 * A web service with lasting, shared storage: an encrypted EFS file system (retained on stack
 * delete, backed up daily) mounted at /data in every task through an access point that makes
 * the image's non-root user (1000:1000) the owner of its directory. Uploads written by one
 * task are seen by all the others and survive every deploy.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { NetworkLayout, ServiceCluster, ServiceFileSystem, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'EfsVolume', { env: { region: 'us-east-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  // One file system for the app: each service that mounts it gets its own access point.
  const files = new ServiceFileSystem(stack, 'Files', { cluster });

  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows EFS storage without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  new WebService(stack, 'Web', {
    cluster,
    loadBalancer,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    healthCheck: { path: '/health' },
    efsVolumes: [{
      fileSystem: files.fileSystem,
      mountPath: '/data',
      // The image runs as its user "node" (uid and gid 1000 in the node images): files are
      // created as 1000:1000, and EFS creates /data owned by them (mode 750).
      posixUser: { uid: 1000, gid: 1000 },
    }],
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
