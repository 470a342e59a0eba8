/**
 * The registry beyond one repository: a service whose image is pulled through an ECR pull through
 * cache of ECR Public (no Docker Hub rate limits, no public egress for image pulls once cached),
 * the application's repository, whose CI builds are archived when nobody pulls them and whose
 * `latest` tag may move while release tags stay immutable, a nightly job that runs a release from
 * it, and replication of the registry to a second region, where a creation template gives the
 * replicas the same settings.
 *
 * Deploy order (cdk deploy --all follows it): RegistryCacheWest (the replicas' template), then
 * RegistryCache (cache, repository, replication, web service), then push v1.0.0 to the repository
 * (see its push commands), then RegistryCacheJobs (the job that runs it).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import {
  CacheUpstream, ContainerWebApp, ImageRepository, LifecycleRules, PullThroughCache, RegistryReplication,
  ReplicaRepositoryTemplate, ScheduledTask, ServiceImage, TaskSchedule,
} from '../lib';

const ACCOUNT = '123456789012';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'RegistryCache', { env: { account: ACCOUNT, region: 'us-east-1' } });

  // Images of public.ecr.aws are pulled as 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/...
  const cache = new PullThroughCache(stack, 'EcrPublicCache', { upstream: CacheUpstream.ecrPublic() });
  Validations.of(cache).acknowledge({
    id: 'Annotation::ecs-service-kit:cache-prefix-identity',
    reason: 'The account has no ecr-public rule or template of its own, and the cache keeps its id, prefix and upstream.',
  });

  // The application's own images: CI builds not pulled for 30 days go to the archive storage class
  // (cheaper, not pullable until restored) and are deleted after 180 days there. Release tags
  // (v*, *.*) are never archived; `latest` may move, release tags never do.
  const appRepository = new ImageRepository(stack, 'AppRepository', {
    mutableTagPatterns: ['latest'],
    lifecycle: LifecycleRules.empty()
      .expireUntaggedAfter(7)
      .archiveTaggedNotPulledFor(30, ['sha-'])
      .expireArchivedAfter(180),
  });

  // One replication configuration per account and region: this stack owns it, for every
  // repository (repositoryPrefixes narrows it to names starting with given prefixes). It is kept
  // on cdk destroy: deleting it would switch replication off for the whole registry.
  const replication = new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'us-west-2' }] });
  Validations.of(replication).acknowledge({
    id: 'Annotation::ecs-service-kit:registry-replication-exists',
    reason: 'The example account replicates nothing yet (aws ecr describe-registry shows no rule).',
  });

  // In the destination registry: replicas get the repository's tag rules and lifecycle policy,
  // not ECR's defaults (mutable tags, no lifecycle policy).
  const west = new Stack(app, 'RegistryCacheWest', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const replicas = new ReplicaRepositoryTemplate(west, 'Replicas', { replication, mutableTagPatterns: ['latest'] });
  Validations.of(replicas).acknowledge({
    id: 'Annotation::ecs-service-kit:creation-template-exists',
    reason: 'The example account has no ROOT repository creation template in us-west-2.',
  });

  const web = new ContainerWebApp(stack, 'Web', {
    image: ServiceImage.fromPullThroughCache(cache, 'nginx/nginx', { tag: '1.27' }),
    // The app's repository is the bundle's: no second, empty one.
    repository: appRepository,
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

  // A release of the application, run nightly on the web app's cluster. Its own stack deploys
  // after the repository exists and CI pushed v1.0.0: a task of the repository's stack could not
  // pull an image on that stack's first deploy.
  const jobs = new Stack(app, 'RegistryCacheJobs', { env: { account: ACCOUNT, region: 'us-east-1' } });
  // By name: the job's stack builds the URI and ARN from its own account and region, and takes
  // only the name from the repository's stack.
  const releases = ecr.Repository.fromRepositoryName(jobs, 'AppReleases', appRepository.ecrRepository.repositoryName);
  new ScheduledTask(jobs, 'NightlyReport', {
    cluster: web.cluster,
    image: ServiceImage.fromRepository(releases, { tag: 'v1.0.0' }),
    command: ['node', 'report.js'],
    schedule: TaskSchedule.cron({ hour: '4', minute: '0' }),
  });
  return [west, stack, jobs];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
