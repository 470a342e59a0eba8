import { CfnResource, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ServiceNetwork } from '../network/service-network';
import { fail } from '../validation/checks';
import { IEventTopic } from './event-topic';

/**
 * A service publishing to a topic. Internal: ServiceBase.publishTo calls it.
 */

/** The variables publishTo set on each container, with the topic each names. */
const topicVariables = new WeakMap<ecs.ContainerDefinition, Map<string, string>>();

/** The variables this library sets itself (a worker's queue URL). */
const LIBRARY_VARIABLES = ['QUEUE_URL'];

/** The environment variable names the container has now (the user's `environment` and what was added since). */
function environmentNames(container: ecs.ContainerDefinition): string[] {
  const rendered = container.renderContainerDefinition();
  const environment = (rendered.environment ?? []) as Array<{ name?: string }>;
  const secrets = (rendered.secrets ?? []) as Array<{ name?: string }>;
  return [...environment, ...secrets].map((v) => v.name ?? '');
}

/** The parts of a service that publishing touches. */
export interface Publisher {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly ecsService: ecs.BaseService;
  /** The cluster's network, when the library made it (it adds endpoints on demand). */
  readonly network?: ServiceNetwork;
}

/**
 * Lets the task role publish to `topic` (sns:Publish, and kms:GenerateDataKey* and kms:Decrypt on
 * its key), gives the main container the topic's ARN in `topic.arnVariableName`, and in a
 * PRIVATE_WITH_ENDPOINTS network adds the SNS endpoint the tasks publish through.
 */
export function addPublisher(scope: IConstruct, publisher: Publisher, topic: IEventTopic): iam.Grant {
  const { taskDefinition, container } = publisher;
  const taskRole = taskDefinition.taskRole;
  if (!topic) fail(scope, 'publishTo(topic)', topic, 'is missing', 'give an EventTopic, or one from EventTopic.fromTopicArn');
  const variable = topic.arnVariableName;
  let ours = topicVariables.get(container);
  if (!ours) {
    ours = new Map();
    topicVariables.set(container, ours);
  }
  const previous = ours.get(variable);
  if (previous !== undefined) {
    fail(scope, 'publishTo(topic)', topic.node.path, previous === topic.node.path
      ? 'is already published to by this service'
      : `sets ${variable}, which already holds the ARN of ${previous}`,
    previous === topic.node.path ? 'call publishTo once per topic' : 'give one of the topics another arnVariableName');
  }
  const existing = environmentNames(container);
  if (existing.includes(variable)) {
    fail(scope, 'publishTo(topic)', topic.node.path, `sets ${variable}, which the service's environment or secrets already hold`,
      `remove ${variable} from environment and secrets, or give the topic another arnVariableName`);
  }
  const grant = topic.grantPublish(taskRole);
  // Tasks in a PRIVATE_WITH_ENDPOINTS network reach SNS only through its interface endpoint (one
  // per network); they start once it exists. Other layouts: nothing.
  const endpoint = publisher.network?.addInterfaceEndpoint('SnsEndpoint', ec2.InterfaceVpcEndpointAwsService.SNS);
  if (endpoint) {
    (publisher.ecsService.node.defaultChild as CfnResource).addResourceDependency(endpoint.node.defaultChild as CfnResource,
      'the tasks publish to their topic through the SNS endpoint');
  }
  if (topic.encryptionKey) {
    Validations.of(taskRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to a KMS-encrypted SNS topic needs kms:GenerateDataKey* and kms:Decrypt on the topic\'s key (the SNS developer guide\'s publisher policy, and aws-cdk-lib\'s grantPublish); the resource is that one key.',
    });
  }
  container.addEnvironment(variable, topic.topicArn);
  ours.set(variable, topic.node.path);
  const own = new Set([...LIBRARY_VARIABLES, ...ours.keys()]);
  if (existing.every((name) => own.has(name))) {
    // Only the library's variables are in the environment; the user's own stay theirs to judge.
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: `The only plain environment variables are addresses the library sets (${[...own].filter((n) => n === variable || existing.includes(n)).join(', ')}), not secrets; credentials go through \`secrets\`.`,
    });
  }
  return grant;
}
