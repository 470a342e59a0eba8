import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NotificationKind } from './internal';

/**
 * Where the monitoring sends alarm state changes: to ALARM (alarm action) and back to OK
 * (OK action), for every alarm it creates and every alarm it finds under the monitored
 * constructs. Choose one with a static factory.
 */
export class AlarmNotifications {
  /**
   * Create an SNS topic (child `Topic`) encrypted with a customer-managed KMS key (child
   * `TopicKey`, rotation on, $1/month) that CloudWatch and EventBridge may use, and whose policy
   * allows publishing over TLS only. Subscribe people to `AppMonitoring.topic` (e-mail, chat,
   * an incident tool). The topic and its key are deleted with the stack: they hold no data.
   */
  public static newTopic(): AlarmNotifications {
    return new AlarmNotifications(NotificationKind.NEW_TOPIC, undefined, []);
  }

  /**
   * Publish to your topic. If it is encrypted with KMS, its key policy must let
   * `cloudwatch.amazonaws.com` (and `events.amazonaws.com` for scheduled tasks' failed runs) use
   * the key: the AWS-managed key `alias/aws/sns` cannot, and notifications then fail silently.
   */
  public static toTopic(topic: sns.ITopic): AlarmNotifications {
    return new AlarmNotifications(NotificationKind.TOPIC, topic, []);
  }

  /**
   * Any alarm actions (`cloudwatch_actions.SnsAction`, a Lambda, an incident manager response
   * plan...), added to every alarm as alarm and OK actions.
   */
  public static toActions(...actions: cloudwatch.IAlarmAction[]): AlarmNotifications {
    return new AlarmNotifications(NotificationKind.ACTIONS, undefined, actions);
  }

  /** @internal */
  public readonly _kind: NotificationKind;
  /** @internal */
  public readonly _topic?: sns.ITopic;
  /** @internal */
  public readonly _actions: cloudwatch.IAlarmAction[];

  private constructor(kind: NotificationKind, topic: sns.ITopic | undefined, actions: cloudwatch.IAlarmAction[]) {
    this._kind = kind;
    this._topic = topic;
    this._actions = actions;
  }
}
