import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceCluster } from '../../lib/cluster/service-cluster';
import { ServiceImage } from '../../lib/image/service-image';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { WebService } from '../../lib/service/web-service';
import { testApp } from '../util/test-app';

describe('ECS Exec', () => {
  test('a service with enableExecuteCommand stays cdk-nag clean: the ssmmessages wildcard is acknowledged with its reason', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-exec-'));
    const app = testApp({ outdir });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Exec', { env: { region: 'us-east-1' } });
    const cluster = new ServiceCluster(stack, 'Cluster');
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
    // WHEN
    const web = new WebService(stack, 'Web', {
      cluster, loadBalancer,
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      enableExecuteCommand: true,
      readonlyRootFilesystem: false,
    });
    // THEN: synth with the AwsSolutions pack succeeds, and the task role really has the wildcard
    expect(() => app.synth()).not.toThrow();
    const policy = JSON.stringify(stack.resolve((web.taskDefinition.taskRole.node.tryFindChild('DefaultPolicy') as any).document));
    expect(policy).toContain('ssmmessages:CreateControlChannel');
  });
});
