import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices, Governance } from '../governance/governance';

/**
 * The topic of `AlarmNotifications.newTopic()`, as children `TopicKey` and `Topic` of `scope`:
 * KMS-encrypted (CloudWatch and EventBridge may use the key), TLS only. Internal.
 */
export function createAlarmTopic(scope: Construct): { topic: sns.Topic; key: kms.Key } {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'TopicKey', {
    description: `Encrypts the alarm notifications of ${scope.node.path}`,
    enableKeyRotation: true,
    // It encrypts notifications in flight only: nothing stays encrypted with it once the topic is gone.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // ecs-service-kit:governance=control-tower: CT.KMS.PR.3.
  if (Governance.isControlTower(scope)) denyGrantsExceptForAwsServices(key);
  for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: `Allow${service.split('.')[0]}ToUseTheKey`,
      principals: [new iam.ServicePrincipal(service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
  }
  const topic = new sns.Topic(scope, 'Topic', {
    displayName: `Alarms of ${scope.node.path}`.slice(0, 100),
    masterKey: key,
    enforceSSL: true,
  });
  // A topic policy replaces SNS's default one: allow this account's alarms explicitly.
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  return { topic, key };
}
