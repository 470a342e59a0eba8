import { CfnResource, StackTemplate } from '../../lib/deploy-checks/rule';

/** A stack of hand-written resources, as a rule sees it. */
export function stack(name: string, resources: Record<string, CfnResource>, extra: Partial<StackTemplate> & { outputs?: Record<string, any> } = {}): StackTemplate {
  return { templatePath: `/app/${name}.template.json`, template: { Resources: resources, Outputs: extra.outputs }, account: extra.account, region: extra.region };
}

export const ref = (id: string) => ({ Ref: id });
export const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** A Fargate task definition with one container `app` mapping port 8080. */
export function fargateTask(container: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): CfnResource {
  return {
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', Cpu: '256', Memory: '512',
      ContainerDefinitions: [{ Name: 'app', Image: 'public.ecr.aws/nginx/nginx:1.27', PortMappings: [{ ContainerPort: 8080 }], ...container }],
      ...extra,
    },
  };
}

/** A Fargate service on cluster `Cluster` running task `Task`. */
export function service(props: Record<string, unknown> = {}, dependsOnIds: string[] = []): CfnResource {
  return {
    Type: 'AWS::ECS::Service',
    Properties: {
      Cluster: ref('Cluster'), TaskDefinition: ref('Task'),
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
      ...props,
    },
    ...(dependsOnIds.length > 0 ? { DependsOn: dependsOnIds } : {}),
  };
}

export const cluster: CfnResource = { Type: 'AWS::ECS::Cluster', Properties: {} };
