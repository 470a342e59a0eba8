/**
 * The deploy rehearsal's second app (scripts/rehearse.sh, "route updates"): the update-sequence
 * tests' app (test/update/update-app.ts) with routed web services named in the context, so the
 * rehearsal can deploy version N and N+1 with the real CLI and watch moto apply the update:
 *
 *   -c routes=Api,Admin,Docs     one WebService per id, routed by path /<id lower-case>/*, in this order
 *   -c sequentialPriorities=true give the rules 10, 20, 30… in that order, as releases before the
 *                                stable automatic priorities did (to show what the rehearsal catches)
 *
 * PUBLIC_ONLY, no repository and no default-security-group custom resource: moto runs no Lambda.
 */
import { App, Stack } from 'aws-cdk-lib';
import { NetworkLayout } from '../../lib';
import { buildVersion } from '../update/update-app';

export const ROUTES_STACK = 'ecs-service-kit-routes';

export function buildRoutesApp(app: App): Stack {
  const routes = String(app.node.tryGetContext('routes') ?? 'Api,Admin,Docs').split(',').map((s) => s.trim()).filter(Boolean);
  const sequential = String(app.node.tryGetContext('sequentialPriorities') ?? '') === 'true';
  return buildVersion(app, {
    network: NetworkLayout.PUBLIC_ONLY,
    services: routes.map((id, i) => ({ id, paths: [`/${id.toLowerCase()}/*`], priority: sequential ? 10 * (i + 1) : undefined })),
  }, {
    stackName: ROUTES_STACK,
    env: { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
    repository: false,
    restrictDefaultSecurityGroup: false,
  });
}

if (require.main === module) {
  const app = new App();
  buildRoutesApp(app);
  app.synth();
}
