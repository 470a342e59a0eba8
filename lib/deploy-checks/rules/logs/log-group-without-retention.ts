import { DeployCheckRule, Finding } from '../../rule';
import { resources } from '../../template';

/**
 * ESK-LOG1: a log group without RetentionInDays keeps every event forever; the cost grows with
 * every deploy's tasks and nothing ever expires them.
 *
 * Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html
 * (RetentionInDays: "If you omit RetentionInDays ... the events in the log group are always retained and never expire").
 */
export const ESK_LOG1: DeployCheckRule = {
  id: 'ESK-LOG1',
  severity: 'warning',
  reason: 'Log group has no RetentionInDays: its events never expire and the storage cost only grows',
  fix: 'Set RetentionInDays (CDK: retention: RetentionDays.ONE_MONTH or what your audit needs).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      for (const [id, logGroup] of resources(stack.template, 'AWS::Logs::LogGroup')) {
        if (logGroup.Properties?.RetentionInDays === undefined) findings.push({ templatePath: stack.templatePath, logicalId: id, locations: ['Properties/RetentionInDays'] });
      }
    }
    return findings;
  },
};
