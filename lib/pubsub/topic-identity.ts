import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * What synth knows of a topic's identity, for subscriptions whose logical id must not follow the
 * topic construct's path. Internal.
 */
interface TopicLike extends IConstruct {
  readonly topicArn: string;
}

/** The names given as `topicName`, known at synth (the topic's own `topicName` is a token). */
const fixedTopicNames = new WeakMap<IConstruct, string>();

/** Records an EventTopic's literal `topicName`. */
export function rememberTopicName(topic: IConstruct, topicName: string | undefined): void {
  if (topicName !== undefined && !Token.isUnresolved(topicName)) fixedTopicNames.set(topic, topicName);
}

/**
 * The topic's name when synth knows it: a literal ARN's last part, or an EventTopic's literal
 * `topicName`; undefined for a generated name.
 */
export function knownTopicName(topic: TopicLike): string | undefined {
  if (!Token.isUnresolved(topic.topicArn)) return Arn.split(topic.topicArn, ArnFormat.NO_RESOURCE_NAME).resource;
  return fixedTopicNames.get(topic);
}

/** The topic's region when synth knows it (a literal ARN's, or its stack's); undefined otherwise. */
export function knownTopicRegion(topic: TopicLike): string | undefined {
  const region = Token.isUnresolved(topic.topicArn) ? Stack.of(topic).region : Arn.split(topic.topicArn, ArnFormat.NO_RESOURCE_NAME).region;
  return region === undefined || Token.isUnresolved(region) ? undefined : region;
}
