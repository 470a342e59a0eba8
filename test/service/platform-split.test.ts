import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { DeployChecks } from '../../lib/deploy-checks';
import { ServiceCluster } from '../../lib/cluster/service-cluster';
import { ServiceImage } from '../../lib/image/service-image';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { WebService } from '../../lib/service/web-service';
import { WorkerService } from '../../lib/worker/worker-service';
import { testApp } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The platform team's stack: network, cluster, load balancer, and their ids in Parameter Store for other apps. */
function platformStack(app: App): { stack: Stack; cluster: ServiceCluster; loadBalancer: ServiceLoadBalancer } {
  const stack = new Stack(app, 'Platform', { env: ENV });
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
  new ssm.StringParameter(stack, 'ClusterArnParameter', { parameterName: '/platform/cluster-arn', stringValue: cluster.clusterArn });
  new ssm.StringParameter(stack, 'ListenerArnParameter', { parameterName: '/platform/listener-arn', stringValue: loadBalancer.listenerArn });
  new ssm.StringParameter(stack, 'AlbSecurityGroupParameter', { parameterName: '/platform/alb-security-group-id', stringValue: loadBalancer.securityGroup.securityGroupId });
  return { stack, cluster, loadBalancer };
}

describe('a platform stack owns network, cluster and load balancer; app stacks own services', () => {
  test('in one app: each team\'s stack holds its service, rule and target group and depends on the platform, never the other way', () => {
    // GIVEN
    const app = testApp();
    const { stack: platform, cluster, loadBalancer } = platformStack(app);
    const orders = new Stack(app, 'Orders', { env: ENV });
    const billing = new Stack(app, 'Billing', { env: ENV });
    // WHEN
    new WebService(orders, 'Api', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/orders/*'] });
    new WorkerService(billing, 'Worker', { cluster, image: NGINX, queue: {} });
    // THEN: cdk deploys the platform first and destroys it last; removing one team's stack touches nothing of the other's
    expect(() => app.synth()).not.toThrow();
    expect(orders.dependencies).toEqual([platform]);
    expect(billing.dependencies).toEqual([platform]);
    expect(platform.dependencies).toEqual([]);
    for (const [stack, own] of [[orders, 1], [billing, 0]] as const) {
      Template.fromStack(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', own);
      Template.fromStack(stack).resourceCountIs('AWS::ECS::Service', 1);
    }
    Template.fromStack(platform).resourceCountIs('AWS::ECS::Service', 0);
    Template.fromStack(platform).resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
  });

  test('across apps: the service app reads the platform\'s ids from Parameter Store, with no export to pin the platform, and its deploy checks pass', () => {
    // GIVEN the platform deployed by its own app
    const platformApp = testApp();
    platformStack(platformApp);
    expect(() => platformApp.synth()).not.toThrow();
    // WHEN a team's app adds a service to it, with the deploy checks on
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-split-'));
    const app = new App({ outdir, treeMetadata: false, builtinCloudFormationValidation: false, context: { '@aws-cdk/core:strictCfnValidateErrors': true } });
    Validations.of(app).addPlugins(new DeployChecks());
    const stack = new Stack(app, 'Orders', { env: ENV });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'],
      privateSubnetRouteTableIds: ['rtb-0dd0000000000004a', 'rtb-0dd0000000000004b'],
    });
    const read = (name: string) => ssm.StringParameter.valueForStringParameter(stack, name);
    new WebService(stack, 'Api', {
      cluster: ServiceCluster.fromClusterAttributes(stack, 'Cluster', { clusterArn: read('/platform/cluster-arn'), vpc, containerInsights: true }),
      loadBalancer: ServiceLoadBalancer.fromListenerAttributes(stack, 'LoadBalancer', {
        listenerArn: read('/platform/listener-arn'),
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'AlbSg', read('/platform/alb-security-group-id')),
        vpc,
        loadBalancerDnsName: 'platform-123.eu-west-1.elb.amazonaws.com',
      }),
      image: NGINX,
      pathPatterns: ['/orders/*'],
    });
    // THEN it synthesizes with no deploy-check finding, and nothing in it refers to the platform's stack
    expect(() => app.synth()).not.toThrow();
    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).not.toContain('Fn::ImportValue');
    expect(json).toContain('/platform/listener-arn');
    // The platform's load balancer group allows no egress (ServiceLoadBalancer's default): the team's stack opens the one port.
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { Ref: Match.stringLikeRegexp('SsmParameterValueplatformalbsecuritygroupid') }, FromPort: 8080, ToPort: 8080,
    });
    expect(stack.dependencies).toEqual([]);
  });
});
