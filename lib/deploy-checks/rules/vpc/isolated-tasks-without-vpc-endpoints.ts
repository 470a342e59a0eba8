import { CfnTemplate, DeployCheckRule, Finding, StackTemplate } from '../../rule';
import { allResources, asArray, identity, literalText, refResource, refTarget, resources } from '../../template';

/** IAM action prefix → the VPC endpoint services a task in an isolated subnet needs for it. */
const ENDPOINTS_FOR_ACTION: Record<string, string[]> = {
  sqs: ['sqs'], secretsmanager: ['secretsmanager'], ssm: ['ssm'], ssmmessages: ['ssmmessages'],
  ecr: ['ecr.api', 'ecr.dkr', 's3'], logs: ['logs'], kms: ['kms'], sns: ['sns'], s3: ['s3'],
  dynamodb: ['dynamodb'], sts: ['sts'], events: ['events'], states: ['states'], kinesis: ['kinesis-streams'],
  xray: ['xray'], cloudwatch: ['monitoring'], 'execute-api': ['execute-api'], lambda: ['lambda'],
};
/** What an ECS execution role with this managed policy does. */
const MANAGED_POLICY_ACTIONS: Record<string, string[]> = { AmazonECSTaskExecutionRolePolicy: ['ecr:', 'logs:'] };

/**
 * ESK-VPC1: tasks in subnets with no route to the internet (no default route through a NAT or an
 * internet gateway) reach AWS APIs only through VPC endpoints. A task whose roles use SQS, Secrets
 * Manager, SSM, ECR, CloudWatch Logs… without the matching endpoint in its VPC fails to pull,
 * to log or to call the API (ResourceInitializationError, timeouts).
 *
 * Checked: ECS services, EventBridge Scheduler ECS targets and EventBridge rule ECS targets
 * (ScheduledFargateTask) whose subnets, route tables and VPC
 * are in the app; needs come from the task and execution roles' policies, ECR images, awslogs
 * and secrets. Subnets outside the app (imports) are not judged.
 *
 * Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
 * (Fargate in private subnets without NAT needs ecr.api, ecr.dkr, the S3 gateway, logs, and the
 * endpoints of the services the task calls).
 */
export const ESK_VPC1: DeployCheckRule = {
  id: 'ESK-VPC1',
  severity: 'error',
  reason: 'Tasks run in subnets with no route to the internet and use AWS APIs that have no VPC endpoint in their VPC: image pull, logs or API calls fail',
  fix: 'Add the listed VPC endpoints (interface; gateway for s3/dynamodb) to the VPC, or run the tasks in subnets with a NAT route.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const runners: { id: string; location: string; subnets: unknown; taskDefinition: unknown }[] = [
        ...resources(stack.template, 'AWS::ECS::Service').map(([id, s]) => ({
          id, location: 'Properties/NetworkConfiguration', subnets: s.Properties?.NetworkConfiguration?.AwsvpcConfiguration?.Subnets, taskDefinition: s.Properties?.TaskDefinition,
        })),
        ...resources(stack.template, 'AWS::Scheduler::Schedule').filter(([, s]) => s.Properties?.Target?.EcsParameters).map(([id, s]) => ({
          id, location: 'Properties/Target/EcsParameters', subnets: s.Properties.Target.EcsParameters.NetworkConfiguration?.AwsvpcConfiguration?.Subnets, taskDefinition: s.Properties.Target.EcsParameters.TaskDefinitionArn,
        })),
        // EventBridge rules (aws-ecs-patterns' ScheduledFargateTask): `AwsVpcConfiguration`, spelled so in AWS::Events::Rule.
        ...resources(stack.template, 'AWS::Events::Rule').flatMap(([id, r]) => asArray(r.Properties?.Targets).map((t: any, i: number) => ({ t, i }))
          .filter(({ t }) => t?.EcsParameters).map(({ t, i }) => ({
          id, location: `Properties/Targets/${i}/EcsParameters`, subnets: t.EcsParameters.NetworkConfiguration?.AwsVpcConfiguration?.Subnets, taskDefinition: t.EcsParameters.TaskDefinitionArn,
        }))),
      ];
      for (const runner of runners) {
        const subnets = asArray(runner.subnets).map((s) => refResource(stack.template, s, 'AWS::EC2::Subnet'));
        if (subnets.length === 0 || subnets.some((s) => s === undefined)) continue;
        const isolated = subnets.filter((s) => isIsolated(stack.template, s![0]));
        if (isolated.length === 0) continue;
        const vpc = identity(stacks, stack, isolated[0]![1].Properties?.VpcId);
        const task = refResource(stack.template, runner.taskDefinition, 'AWS::ECS::TaskDefinition');
        if (task === undefined) continue;
        const needed = neededEndpoints(stack.template, task[1]);
        const present = endpointsIn(stacks, vpc);
        const missing = [...needed].filter((n) => !present.has(n)).sort();
        if (missing.length > 0) {
          findings.push({
            templatePath: stack.templatePath, logicalId: runner.id, locations: [runner.location],
            detail: `subnets ${isolated.map((s) => s![0]).join(', ')} have no internet route; missing endpoints: ${missing.join(', ')}`,
          });
        }
      }
    }
    return findings;
  },
};

/** A subnet of the template whose route table has no default route (0.0.0.0/0 or ::/0). Unknown (no association) → false. */
function isIsolated(template: CfnTemplate, subnetId: string): boolean {
  const tables = resources(template, 'AWS::EC2::SubnetRouteTableAssociation')
    .filter(([, a]) => refTarget(a.Properties?.SubnetId) === subnetId)
    .map(([, a]) => refTarget(a.Properties?.RouteTableId));
  if (tables.length === 0) return false;
  return !resources(template, 'AWS::EC2::Route').some(([, r]) => tables.includes(refTarget(r.Properties?.RouteTableId))
    && (r.Properties?.DestinationCidrBlock === '0.0.0.0/0' || r.Properties?.DestinationIpv6CidrBlock === '::/0'));
}

/** The endpoint services the task needs, from its roles' actions, image, log driver and secrets. */
function neededEndpoints(template: CfnTemplate, task: any): Set<string> {
  const actions: string[] = [];
  for (const roleValue of [task.Properties?.TaskRoleArn, task.Properties?.ExecutionRoleArn]) {
    const roleId = refTarget(roleValue);
    const role = roleId ? template.Resources?.[roleId] : undefined;
    if (!roleId || !role) continue;
    const documents = [
      ...asArray(role.Properties?.Policies).map((p: any) => p?.PolicyDocument),
      ...resources(template, 'AWS::IAM::Policy').filter(([, p]) => asArray(p.Properties?.Roles).some((r) => refTarget(r) === roleId)).map(([, p]) => p.Properties?.PolicyDocument),
    ];
    for (const doc of documents) {
      for (const s of asArray(doc?.Statement)) if (s?.Effect === 'Allow') actions.push(...asArray(s.Action).filter((a) => typeof a === 'string'));
    }
    for (const arn of asArray(role.Properties?.ManagedPolicyArns)) {
      const name = literalText(arn).split('/').pop() ?? '';
      actions.push(...(MANAGED_POLICY_ACTIONS[name] ?? []));
    }
  }
  for (const c of asArray(task.Properties?.ContainerDefinitions)) {
    if (literalText(c?.Image).includes('.dkr.ecr.')) actions.push('ecr:');
    if (c?.LogConfiguration?.LogDriver === 'awslogs') actions.push('logs:');
    for (const secret of asArray(c?.Secrets)) {
      const text = literalText(secret?.ValueFrom);
      actions.push(text.includes(':ssm:') || text.includes('parameter/') ? 'ssm:' : 'secretsmanager:');
    }
  }
  const needed = new Set<string>();
  for (const action of actions) {
    const prefix = action.split(':')[0].toLowerCase();
    for (const endpoint of ENDPOINTS_FOR_ACTION[prefix] ?? []) needed.add(endpoint);
  }
  return needed;
}

/** The endpoint services (`sqs`, `ecr.dkr`, `s3`…) of the VPC endpoints of a VPC, across the app. */
function endpointsIn(stacks: readonly StackTemplate[], vpc: string): Set<string> {
  const present = new Set<string>();
  for (const { stack, resource } of allResources(stacks, 'AWS::EC2::VPCEndpoint')) {
    if (identity(stacks, stack, resource.Properties?.VpcId) !== vpc) continue;
    const name = literalText(resource.Properties?.ServiceName);
    const m = name.match(/amazonaws\.(?:[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)?\.?(.+)$/);
    if (m) present.add(m[1]);
  }
  return present;
}
