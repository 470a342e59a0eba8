#!/usr/bin/env node
/**
 * The example app: one stack per stage with a repository, a cluster, a load balancer and a
 * web service. Configured from cdk.json context (`-c key=value` overrides):
 *
 *   stage            dev | prod | rehearsal (settings under context `stages.<stage>`)
 *   imageTag         run `<repository>:<imageTag>` (an image CI pushed); empty: build `assetDirectory`
 *   assetDirectory   the Dockerfile directory built as an image asset (default examples/app)
 *   domainName       serve HTTPS at this name (with hostedZoneId + hostedZoneName)
 *   previousVersion  a directory with the templates deployed now (the last deploy's cdk.out): the
 *                    deploy checks then also name what this update would break
 */
import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AlarmNotifications, AppMonitoring, Architecture, ContainerWebApp, DeployChecks, DeploymentStrategy, ImageRepository, NetworkLayout, ServiceImage } from '../lib';

/** One stage's settings, from cdk.json's `stages` context. */
interface StageSettings {
  readonly network?: string;
  readonly architecture?: string;
  readonly cpu?: number;
  readonly memoryMiB?: number;
  readonly minTasks?: number;
  readonly maxTasks?: number;
  readonly spotWeight?: number;
  readonly repositoryName?: string;
  readonly restrictDefaultSecurityGroup?: boolean;
  /** Operational alarms, a dashboard and an encrypted SNS topic for notifications (AppMonitoring). */
  readonly monitoring?: boolean;
  /** rolling (default) | canary | linear | blue-green: how releases roll out (deployment alarms roll back any of them). */
  readonly strategy?: string;
}

const STACK_PREFIX = 'ecs-service-kit';

/** Reads a context value as a non-empty string, or undefined. */
function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function enumValue<T extends Record<string, string>>(values: T, key: string, value: string | undefined, stage: string): T[keyof T] | undefined {
  if (value === undefined) return undefined;
  if (!Object.values(values).includes(value)) {
    throw new Error(`cdk.json: stages.${stage}.${key} "${value}" is not allowed; use one of ${Object.values(values).join(', ')}`);
  }
  return value as T[keyof T];
}

/** The stage's release strategy, by name. */
function strategyOf(value: string | undefined, stage: string): DeploymentStrategy | undefined {
  const strategies: Record<string, () => DeploymentStrategy> = {
    'rolling': () => DeploymentStrategy.rolling(),
    'canary': () => DeploymentStrategy.canary(),
    'linear': () => DeploymentStrategy.linear(),
    'blue-green': () => DeploymentStrategy.blueGreen(),
  };
  if (value === undefined) return undefined;
  const make = strategies[value];
  if (!make) throw new Error(`cdk.json: stages.${stage}.strategy "${value}" is not allowed; use one of ${Object.keys(strategies).join(', ')}`);
  return make();
}

/** Builds the stack of the stage named in the context. */
export function buildApp(app: App): Stack[] {
  const stage = contextString(app, 'stage') ?? 'dev';
  const stages = (app.node.tryGetContext('stages') ?? {}) as Record<string, StageSettings>;
  const settings = stages[stage];
  if (!settings) {
    throw new Error(`cdk.json: stage "${stage}" is not defined; use one of ${Object.keys(stages).join(', ') || '(none: add a "stages" entry to the context)'}`);
  }
  const imageTag = contextString(app, 'imageTag');
  const assetDirectory = contextString(app, 'assetDirectory') ?? 'examples/app';
  const domainName = contextString(app, 'domainName');
  const hostedZoneId = contextString(app, 'hostedZoneId');
  const hostedZoneName = contextString(app, 'hostedZoneName');
  const architecture = enumValue(Architecture, 'architecture', settings.architecture, stage) ?? Architecture.X86_64;

  const stack = new Stack(app, `${STACK_PREFIX}-${stage}`, {
    description: `ecs-service-kit example web service (${stage})`,
    // Region only: the account stays a deploy-time value, so synth needs no credentials and no AZ lookup.
    env: { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  });

  const repository = new ImageRepository(stack, 'Repository', { repositoryName: settings.repositoryName });
  if (settings.repositoryName !== undefined) {
    const reason = `stages.${stage}.repositoryName is fixed so the push commands and the rehearsal's checks know the name; a re-created stack needs the retained repository deleted or imported first.`;
    Validations.of(repository).acknowledge(
      { id: 'Annotation::ecs-service-kit:retained-physical-name', reason },
      { id: `${DeployChecks.PLUGIN_NAME}::ESK-RET1`, reason },
    );
  }
  const hostedZone = hostedZoneId && hostedZoneName
    ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId, zoneName: hostedZoneName })
    : undefined;

  const web = new ContainerWebApp(stack, 'Web', {
    repository,
    image: imageTag
      ? ServiceImage.fromImageRepository(repository, { tag: imageTag })
      : ServiceImage.fromAsset(assetDirectory),
    architecture,
    cpu: settings.cpu,
    memoryMiB: settings.memoryMiB,
    network: enumValue(NetworkLayout, 'network', settings.network, stage),
    domainName,
    hostedZone,
    healthCheck: { path: '/health' },
    scaling: settings.maxTasks !== undefined ? { minCapacity: settings.minTasks, maxCapacity: settings.maxTasks } : undefined,
    spot: settings.spotWeight ? { spotWeight: settings.spotWeight } : undefined,
    restrictDefaultSecurityGroup: settings.restrictDefaultSecurityGroup,
    deployment: { strategy: strategyOf(settings.strategy, stage) },
  });

  if (!domainName) {
    Validations.of(web.loadBalancer).acknowledge({
      id: 'Annotation::ecs-service-kit:http-only',
      reason: 'No domainName in the context, so no certificate: give -c domainName=… -c hostedZoneId=… -c hostedZoneName=… for HTTPS.',
    });
  }
  if (imageTag) {
    const reason = 'imageTag names a release CI pushed (DockerPushCommand) to the repository an earlier deploy of this stack created; the first deploy runs the image asset.';
    Validations.of(web.service).acknowledge(
      { id: 'Annotation::ecs-service-kit:image-from-new-repository', reason },
      { id: `${DeployChecks.PLUGIN_NAME}::ESK-ECR1`, reason },
    );
  }
  if (settings.monitoring) {
    // Alarms page whoever subscribes to the topic (output AlarmTopicArn); the dashboard shows the
    // service, the load balancer and every alarm, deployment alarms included.
    const monitoring = new AppMonitoring(stack, 'Monitoring', { notifications: AlarmNotifications.newTopic() });
    monitoring.addLoadBalancer(web.loadBalancer);
    monitoring.addWebService(web.service);
    new CfnOutput(stack, 'AlarmTopicArn', {
      value: monitoring.topic!.topicArn,
      description: 'Subscribe to the alarm notifications: aws sns subscribe --topic-arn <this> --protocol email --notification-endpoint <you>',
    });
  }
  const nextTag = imageTag ? `${imageTag}-next` : 'v1';
  const docker = repository.dockerCommands(nextTag, { architecture, directory: assetDirectory });
  new CfnOutput(stack, 'ServiceUrl', { value: web.url, description: 'Where the service answers' });
  new CfnOutput(stack, 'RepositoryUri', { value: repository.repositoryUri, description: 'Push release images here' });
  new CfnOutput(stack, 'RepositoryName', { value: repository.repositoryName });
  new CfnOutput(stack, 'ClusterName', { value: web.cluster.clusterName });
  new CfnOutput(stack, 'ServiceName', { value: web.service.serviceName });
  new CfnOutput(stack, 'DockerLoginCommand', { value: docker.loginCommand, description: '1. Log Docker in to the repository' });
  new CfnOutput(stack, 'DockerBuildCommand', { value: docker.buildCommand, description: '2. Build the image (pick your own tag)' });
  new CfnOutput(stack, 'DockerPushCommand', { value: docker.pushCommand, description: '3. Push it' });
  new CfnOutput(stack, 'DeployCommand', {
    value: `npx cdk deploy -c stage=${stage} -c imageTag=${nextTag}`,
    description: '4. Roll the service to the pushed image',
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  // The library's deploy checks run on every `cdk synth` of the example app, as users add them to
  // theirs; `-c previousVersion=<dir>` (the cdk.out of the last deploy) adds the update rules.
  Validations.of(app).addPlugins(new DeployChecks({ previousVersion: contextString(app, 'previousVersion') }));
  buildApp(app);
  app.synth();
}
