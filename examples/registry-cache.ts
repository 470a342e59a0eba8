/**
 * The registry beyond one repository: a service whose image is pulled through an ECR pull through
 * cache of ECR Public (no Docker Hub rate limits, no public egress for image pulls once cached),
 * an application repository whose CI builds are archived when nobody pulls them and whose
 * `latest` tag may move while release tags stay immutable, and replication of the application
 * repositories to a second region.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import {
  CacheUpstream, ContainerWebApp, ImageRepository, LifecycleRules, PullThroughCache, RegistryReplication, ServiceImage,
} from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'RegistryCache', { env: { account: '123456789012', region: 'us-east-1' } });

  // Images of public.ecr.aws are pulled as 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/...
  const cache = new PullThroughCache(stack, 'EcrPublicCache', { upstream: CacheUpstream.ecrPublic() });

  // The application's own images: CI builds not pulled for 30 days go to the archive storage class
  // (cheaper, not pullable until restored) and are deleted after 180 days there. Release tags
  // (v*, *.*) are never archived; `latest` may move, release tags never do.
  new ImageRepository(stack, 'AppRepository', {
    mutableTagPatterns: ['latest'],
    lifecycle: LifecycleRules.empty()
      .expireUntaggedAfter(7)
      .archiveTaggedNotPulledFor(30, ['sha-'])
      .expireArchivedAfter(180),
  });

  // One replication configuration per account and region: this stack owns it, for every
  // repository (repositoryPrefixes narrows it to names starting with given prefixes).
  new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'us-west-2' }] });

  const web = new ContainerWebApp(stack, 'Web', {
    image: ServiceImage.fromPullThroughCache(cache, 'nginx/nginx', { tag: '1.27' }),
    containerPort: 80,
    cpu: 256,
    memoryMiB: 512,
    healthCheck: { path: '/' },
  });
  Validations.of(web.service).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:ecr:us-east-1:123456789012:repository/ecr-public/*]',
    reason: 'ECR creates one repository per upstream image under the cache prefix on first pull, so the grant names the prefix, not a repository.',
  });
  Validations.of(web.loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example is about the registry and has no domain, so no certificate: see https-domain for HTTPS.',
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
