/**
 * Two services behind one load balancer, routed by path: /api/* goes to the API, everything
 * else to the web front end. One ALB, one cluster, and a release repository for the API.
 *
 * Releases: the API shifts its traffic linearly (20 % more every 5 minutes); the front end
 * deploys blue/green, and the new revision answers on the test listener (port 8080, same paths)
 * before it takes production traffic: only the CI runners' addresses may call it there (give
 * yours with `-c testCallers=a.b.c.d/24`). Both roll back when their deployment alarms go off (5xx
 * rate), and the circuit breaker rolls back tasks that fail their health checks.
 *
 * The API's repository is created by this stack, empty: the first deploy cannot run an image
 * from it. So the API starts from the image asset (built and pushed by `cdk deploy` before the
 * service is created), and switches to a release tag once CI has pushed one:
 *
 *   npx cdk deploy                                    # first deploy: asset image, empty repository
 *   docker push <ApiRepository URI>:1.4.2             # CI pushes a release
 *   npx cdk deploy -c apiImageTag=1.4.2               # the API rolls to the release
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { DeploymentStrategy, ImageRepository, NetworkLayout, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'SharedLoadBalancer', { env: { region: 'eu-central-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  // The front end's unreleased revision answers on the test listener during each deployment:
  // callers of the internet-facing load balancer arrive from public addresses, so name them
  // (a documentation range stands in for your CI runners).
  const testCallers = String(app.node.tryGetContext('testCallers') ?? '203.0.113.0/24');
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc, testListenerAllowedCidrs: [testCallers] });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows path routing without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  const apiImages = new ImageRepository(stack, 'ApiRepository');
  const appDirectory = path.join(__dirname, 'app');
  // `-c apiImageTag=` (empty) means no release yet, as leaving it out does.
  const apiImageTagContext: unknown = app.node.tryGetContext('apiImageTag');
  const apiImageTag = apiImageTagContext == null || apiImageTagContext === '' ? undefined : String(apiImageTagContext);

  const api = new WebService(stack, 'Api', {
    cluster,
    loadBalancer,
    image: apiImageTag !== undefined
      ? ServiceImage.fromImageRepository(apiImages, { tag: apiImageTag })
      : ServiceImage.fromAsset(appDirectory),
    pathPatterns: ['/api/*'],
    healthCheck: { path: '/api/health' },
    environment: { LOG_LEVEL: 'info', BASE_PATH: '/api' },
    scaling: { minCapacity: 1, maxCapacity: 6, targetCpuPercent: 65 },
    deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 20 }) },
  });
  Validations.of(api.taskDefinition).acknowledge({
    id: 'AwsSolutions::AwsSolutions-ECS2',
    reason: 'LOG_LEVEL and BASE_PATH are configuration, not secrets; credentials go through `secrets` (Secrets Manager/SSM).',
  });
  if (apiImageTag !== undefined) {
    Validations.of(api).acknowledge({
      id: 'Annotation::ecs-service-kit:image-from-new-repository',
      reason: 'apiImageTag is only given after the first deploy created the repository and CI pushed that tag to it.',
    });
  }
  new WebService(stack, 'Frontend', {
    cluster,
    loadBalancer,
    image: ServiceImage.fromAsset(appDirectory),
    healthCheck: { path: '/health' },
    deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) },
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
