/**
 * Coming from AWS Copilot: the Copilot workspace in examples/from-copilot (an application
 * "shop" with a Load Balanced Web Service, a Backend Service, a Worker Service that subscribes
 * to the web service's topic, and a Scheduled Job, and its "prod" environment) built from this
 * library's constructs, field by field. The manifests build examples/app (`image.build:
 * ../app/Dockerfile`: paths start at the workspace, as with `copilot deploy`). Every member is a construct of this library, so the app
 * goes on in CDK: here, the API's URL as a stack output.
 */
import * as path from 'path';
import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { CopilotApplication } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'FromCopilot', { env: { region: 'us-east-1' } });
  const shop = new CopilotApplication(stack, 'Shop', {
    workspace: path.join(__dirname, 'from-copilot'),
    environment: 'prod',
  });
  for (const loadBalancer of [shop.loadBalancer!, shop.internalLoadBalancer!]) {
    Validations.of(loadBalancer).acknowledge({
      id: 'Annotation::ecs-service-kit:http-only',
      reason: 'The example environment imports no certificate (http.public.certificates in its manifest gives HTTPS).',
    });
  }
  for (const name of ['api', 'orders']) {
    Validations.of(shop.webService(name).taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: 'The manifests\' variables are a log level and a base path, not secrets; the database password is in `secrets`.',
    });
  }
  Validations.of(shop.webService('orders')).acknowledge({
    id: 'Annotation::ecs-service-kit:copilot-service-discovery',
    reason: 'Callers reach orders through the internal load balancer at orders.prod.shop.internal, not by its Cloud Map name.',
  });
  new CfnOutput(stack, 'ApiUrl', { value: shop.loadBalancer!.url });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
