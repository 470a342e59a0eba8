/**
 * Used by compare.ts for "resources added per extra service": adds service number `n` to the
 * stack bin/app.ts built, the way a user adds a second service (same cluster, same ALB, a path
 * rule). Like the extra ecs-patterns service it has no auto scaling and no repository of its own.
 */
import { Stack } from 'aws-cdk-lib';
import { ContainerWebApp, ServiceImage, WebService } from '../lib';

export function addBenchmarkService(stack: Stack, n: number): void {
  const web = stack.node.children.find((c): c is ContainerWebApp => c instanceof ContainerWebApp);
  if (!web) throw new Error(`${stack.stackName}: no ContainerWebApp to add a service next to`);
  const assetDirectory = stack.node.tryGetContext('assetDirectory') ?? 'examples/app';
  new WebService(stack, `Service${n}`, {
    cluster: web.cluster,
    loadBalancer: web.loadBalancer,
    image: ServiceImage.fromAsset(assetDirectory),
    pathPatterns: [`/service${n}/*`],
    healthCheck: { path: '/health' },
  });
}
