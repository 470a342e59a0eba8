import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ESK_UPD9 } from '../../lib/deploy-checks/rules/update/shifted-listener-rule-changed';
import { compareTemplates } from '../../lib/deploy-checks/update-hazards';
import { DeploymentStrategy } from '../../lib/deployment';
import { ServiceImage } from '../../lib/image';
import { WebService, WebServiceOptions } from '../../lib/service';
import { fixture, NGINX, resourcesOf, webService } from './fixture';

describe('canary on a path route', () => {
  // GIVEN a canary web service (one synth)
  let stack: Stack;
  let web: WebService;
  let template: Template;
  beforeAll(() => {
    const f = fixture();
    stack = f.stack;
    // WHEN
    web = webService(f, 'Web', { pathPatterns: ['/api/*'], deployment: { strategy: DeploymentStrategy.canary() } });
    template = Template.fromStack(stack);
  });

  test('ECS canary: 5 % for 5 minutes, then a 5-minute bake of the old revision, alarms and breaker on', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 5, CanaryBakeTimeInMinutes: 5 },
        BakeTimeInMinutes: 5,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false },
        Alarms: Match.objectLike({ Enable: true, Rollback: true }),
      }),
    });
  });

  test('an alternate target group with the same settings, and the service names it with the production rule', () => {
    // THEN
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    const groups = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup')).map(g => g.Properties);
    expect(groups[0]).toEqual(groups[1]);
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({
        TargetGroupArn: { Ref: stack.getLogicalId(web.targetGroup.node.defaultChild as any) },
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: stack.getLogicalId(web.alternateTargetGroup!.node.defaultChild as any) },
          ProductionListenerRule: { Ref: stack.getLogicalId(web.listenerRule!.node.defaultChild as any) },
          RoleArn: Match.anyValue(),
        },
      })],
    });
  });

  test('the production rule forwards with weights 100/0 to both groups (both are attached to the load balancer before ECS uses them)', () => {
    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Actions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: { Ref: stack.getLogicalId(web.targetGroup.node.defaultChild as any) }, Weight: 100 },
            { TargetGroupArn: { Ref: stack.getLogicalId(web.alternateTargetGroup!.node.defaultChild as any) }, Weight: 0 },
          ],
        },
      }],
    });
  });

  test('the traffic-shift role: assumed by ECS, with AWS\'s load-balancer policy for it', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] }),
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers']] }],
    });
  });

  test('the alarm reads both target groups: ECS alternates new revisions between them', () => {
    // THEN
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack/Web/DeploymentAlarm',
      Metrics: Match.arrayWith([Match.objectLike({
        Expression: 'MAX([IF(FILL(r0, 0) >= 10 AND FILL(e0, 0) >= 3 AND 100 * FILL(e0, 0) / FILL(r0, 1) > 1, 1, 0), '
          + 'IF(FILL(r1, 0) >= 10 AND FILL(e1, 0) >= 3 AND 100 * FILL(e1, 0) / FILL(r1, 1) > 1, 1, 0)])',
      })]),
    });
  });

  test('release safety: 3 minutes to detect at 5 % of traffic, 20 s to shift back', () => {
    // THEN
    expect(web.releaseSafety).toEqual({ detectSeconds: 180, watchSeconds: 300, rollbackSeconds: 20, exposedPercent: 5, totalSeconds: 200 });
  });
});

describe('the service on the default route', () => {
  test('rolling: the listener\'s default action, no rule (unchanged)', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const web = webService(f, 'Web');
    // THEN
    expect(web.listenerRule).toBeUndefined();
    Template.fromStack(f.stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  test('linear: a catch-all rule (/*, priority 50000) that ECS can shift; the default action keeps forwarding to the primary group', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const web = webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(4) }) } });
    // THEN
    const template = Template.fromStack(f.stack);
    expect(web.listenerRule).toBeDefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 50000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: f.stack.getLogicalId(web.targetGroup.node.defaultChild as any) } }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 4 } }),
    });
    expect(web.releaseSafety.exposedPercent).toBe(25);
  });

  test('update from rolling to a shifting strategy: the listener\'s default action stays the same (no moment without a route)', () => {
    // GIVEN the same app, rolling then blue/green
    const listenerOf = (options: Partial<WebServiceOptions>) => {
      const f = fixture();
      webService(f, 'Web', options);
      return Object.values(resourcesOf(Template.fromStack(f.stack), 'AWS::ElasticLoadBalancingV2::Listener'))[0];
    };
    // WHEN / THEN
    expect(listenerOf({ deployment: { strategy: DeploymentStrategy.blueGreen() } })).toEqual(listenerOf({}));
  });

  test('a second catch-all route still fails as a second default route', () => {
    // GIVEN
    const f = fixture();
    webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.blueGreen() } });
    // WHEN / THEN
    expect(() => webService(f, 'Other', { deployment: { strategy: DeploymentStrategy.canary() } })).toThrow(/second default route/);
  });
});

describe('blue/green with a test listener', () => {
  test('HTTPS: a test listener on the port with the certificate and TLS policy, a rule like the production one, and ECS knows it', () => {
    // GIVEN
    // An internal load balancer: its test listener admits the VPC by default.
    const f = fixture({
      certificate: acm.Certificate.fromCertificateArn(new Stack(), 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
      internetFacing: false, testListenerAllowedCidrs: undefined,
    });
    // WHEN
    const web = webService(f, 'Web', { hostHeaders: ['app.example.com'], deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8443 }) } });
    // THEN
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443, Protocol: 'HTTPS', SslPolicy: Match.stringLikeRegexp('PQ'),
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    const rules = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')).map(r => r.Properties);
    expect(rules).toHaveLength(2);
    const { ListenerArn: _a, ...prod } = rules[0];
    const { ListenerArn: _b, ...test } = rules[1];
    expect(test).toEqual(prod);
    // The unreleased revision is not public: the internal load balancer's test listener admits the VPC only.
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroup'))
      .flatMap((g) => g.Properties.SecurityGroupIngress ?? []).filter((r: any) => r.FromPort === 8443);
    expect(ingress.map((r: any) => r.CidrIp)).toEqual(['10.0.0.0/16']);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 }),
      LoadBalancers: [Match.objectLike({
        AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: f.stack.getLogicalId(web.testListenerRule!.node.defaultChild as any) } }),
      })],
    });
  });

  test('two blue/green services on one test port share the listener', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    webService(f, 'A', { pathPatterns: ['/a/*'], deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } });
    webService(f, 'B', { pathPatterns: ['/b/*'], deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } });
    // THEN
    Template.fromStack(f.stack).resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080 }, 1);
  });

  test('testListenerAllowedCidrs widens the test listener (CI runners), and only it', () => {
    // GIVEN
    const f = fixture({ testListenerAllowedCidrs: ['203.0.113.0/24'] });
    // WHEN
    webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } });
    // THEN
    const ingress = Object.values(resourcesOf(Template.fromStack(f.stack), 'AWS::EC2::SecurityGroup'))
      .flatMap((g) => g.Properties.SecurityGroupIngress ?? []);
    expect(ingress.filter((r: any) => r.FromPort === 8080).map((r: any) => r.CidrIp)).toEqual(['203.0.113.0/24']);
    expect(ingress.filter((r: any) => r.FromPort === 80).map((r: any) => r.CidrIp)).toEqual(['0.0.0.0/0']);
  });

  test('an internet-facing load balancer without testListenerAllowedCidrs: a test listener fails by name (VPC callers arrive from public addresses)', () => {
    // GIVEN
    const f = fixture({ testListenerAllowedCidrs: undefined });
    // WHEN / THEN
    expect(() => webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } }))
      .toThrow(/TestStack\/LB: testListenerAllowedCidrs undefined is needed for the test listener on port 8080: the load balancer is internet-facing.*give the public CIDRs of your smoke-test callers/);
  });

  test('a testListenerAllowedCidrs entry that is no CIDR fails by name', () => {
    expect(() => fixture({ testListenerAllowedCidrs: ['my-office'] })).toThrow(/testListenerAllowedCidrs\[0\] "my-office" is not a CIDR block/);
  });

  test('a test port that is a production port fails, naming it', () => {
    // GIVEN
    const f = fixture();
    // WHEN / THEN
    expect(() => webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 80 }) } }))
      .toThrow(/testPort 80 is a production listener port/);
  });
});

describe('lifecycle hooks', () => {
  test('the user\'s function runs at the given stages, through a role that may invoke only it', () => {
    // GIVEN
    const f = fixture();
    const fn = lambda.Function.fromFunctionArn(f.stack, 'Hook', 'arn:aws:lambda:us-east-1:123456789012:function:smoke');
    // WHEN
    webService(f, 'Web', {
      deployment: {
        strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }),
        lifecycleHooks: [{ handler: fn, stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
      },
    });
    // THEN
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [{ HookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], RoleArn: Match.anyValue() }],
      }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith(['arn:aws:lambda:us-east-1:123456789012:function:smoke']) })], Version: '2012-10-17' },
    });
  });

  test('create order: the service waits for the hook\'s role and the policy that lets it invoke the function', () => {
    // GIVEN
    const f = fixture();
    const fn = lambda.Function.fromFunctionArn(f.stack, 'Hook', 'arn:aws:lambda:us-east-1:123456789012:function:smoke');
    // WHEN
    webService(f, 'Web', {
      deployment: { strategy: DeploymentStrategy.canary(), lifecycleHooks: [{ handler: fn, stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP] }] },
    });
    // THEN
    const template = Template.fromStack(f.stack);
    const [policyId] = Object.keys(resourcesOf(template, 'AWS::IAM::Policy')).filter((id) => id.includes('LifecycleHook0Role'));
    const [roleId] = Object.keys(resourcesOf(template, 'AWS::IAM::Role')).filter((id) => id.includes('LifecycleHook0Role'));
    expect(policyId).toBeDefined();
    // The role's logical id is aws-cdk-lib's (<service>/LifecycleHook0Role): no replacement on upgrade.
    expect(roleId).toMatch(/^WebServiceLifecycleHook0Role/);
    const [service] = Object.values(resourcesOf(template, 'AWS::ECS::Service'));
    expect(service.DependsOn).toEqual(expect.arrayContaining([roleId, policyId]));
  });
});

describe('lifecycle hook role: update and destroy', () => {
  const withHook = (hook: boolean) => {
    const f = fixture();
    const fn = lambda.Function.fromFunctionArn(f.stack, 'Hook', 'arn:aws:lambda:us-east-1:123456789012:function:smoke');
    webService(f, 'Web', {
      deployment: { strategy: DeploymentStrategy.canary(), lifecycleHooks: hook ? [{ handler: fn, stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP] }] : [] },
    });
    return Template.fromStack(f.stack).toJSON();
  };

  test('next version without the hook: its role and policy go in cleanup, after the service stops naming it (no update hazard)', () => {
    const before = withHook(true);
    const after = withHook(false);
    expect(Object.keys(after.Resources).filter((id) => id.includes('LifecycleHook0Role'))).toEqual([]);
    const [service] = Object.values(after.Resources).filter((r: any) => r.Type === 'AWS::ECS::Service') as any[];
    expect(service.Properties.DeploymentConfiguration.LifecycleHooks).toEqual([]);
    expect(compareTemplates({ S: before }, { S: after })).toEqual([]);
  });

  test('cdk destroy: the hook role and its policy are not retained (they hold no data)', () => {
    const template = withHook(true);
    const hookResources = Object.entries(template.Resources).filter(([id]) => id.includes('LifecycleHook0Role')) as Array<[string, any]>;
    expect(hookResources).toHaveLength(2);
    for (const [, r] of hookResources) expect(r.DeletionPolicy).toBeUndefined();
  });
});

describe('rolling states its strategy', () => {
  test('Strategy ROLLING and no lifecycle hooks are written, so a switch back from canary resets them (aws-cdk #25840)', () => {
    // GIVEN / WHEN
    const f = fixture();
    webService(f, 'Web');
    // THEN
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'ROLLING', LifecycleHooks: [] }),
    });
  });

  test('a canary service without hooks writes an empty hook list: hooks removed from the template are removed from the service', () => {
    const f = fixture();
    webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.canary() } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'CANARY', LifecycleHooks: [] }),
    });
  });

  test('the circuit breaker does not reset its failure count on a healthy task, with every strategy', () => {
    for (const strategy of [DeploymentStrategy.rolling(), DeploymentStrategy.canary(), DeploymentStrategy.blueGreen()]) {
      const f = fixture();
      webService(f, 'Web', { deployment: { strategy } });
      Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false } }),
      });
    }
  });

  test('ecsService.enableDeploymentAlarms fails by name instead of being dropped (aws-cdk #36308)', () => {
    // GIVEN
    const f = fixture();
    const web = webService(f, 'Web');
    // WHEN / THEN
    expect(() => web.ecsService.enableDeploymentAlarms(['other'])).toThrow(/ecsService\.enableDeploymentAlarms \["other"\] would be ignored.*deployment\.alarms\.additionalAlarms/);
  });
});

describe('aws-cdk #36649: a later deploy cannot undo ECS\'s traffic shift', () => {
  // ECS rewrites the production (and test) rule's weights during a deployment. CloudFormation
  // re-sends a rule's actions only when the rule's properties change in the template. So the
  // rules, the listeners and the target groups they name must come out identical from every
  // synth that does not change the route itself: a new image, a new size, scaling, new
  // neighbours, other alarms.
  function shiftingResources(options: Partial<WebServiceOptions>, neighbour: boolean): Record<string, unknown> {
    const f = fixture();
    webService(f, 'Web', {
      pathPatterns: ['/app/*'],
      deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) },
      ...options,
    });
    if (neighbour) webService(f, 'Neighbour', { pathPatterns: ['/other/*'], deployment: { strategy: DeploymentStrategy.canary() } });
    const template = Template.fromStack(f.stack);
    const types = ['AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::TargetGroup'];
    const all = template.toJSON().Resources as Record<string, { Type: string }>;
    return Object.fromEntries(Object.entries(all).filter(([id, r]) => types.includes(r.Type) && !id.startsWith('Neighbour')));
  }

  test('a new release (image, size, count, alarms, bake time) leaves the rules, listeners and target groups identical', () => {
    // GIVEN version 1
    const v1 = shiftingResources({}, false);
    // WHEN version 2 changes everything a release changes, and adds a neighbour
    const v2 = shiftingResources({
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.28'),
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 3,
      environment: { FEATURE: 'on' },
      deployment: {
        strategy: DeploymentStrategy.blueGreen({ testPort: 8080, bakeTime: Duration.minutes(15) }),
        alarms: { errorRatePercent: 2 },
      },
    }, true);
    // THEN CloudFormation has nothing to update on them, so it sends no weights
    expect(v2).toEqual(v1);
  });

  test('the weights in the template are constant: 100 on the primary group, 0 on the alternate, whatever ECS did since', () => {
    // GIVEN / WHEN
    const resources = shiftingResources({}, false);
    // THEN
    const weights = Object.values(resources)
      .filter((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .map((r: any) => r.Properties.Actions[0].ForwardConfig.TargetGroups.map((g: any) => g.Weight));
    expect(weights).toEqual([[100, 0], [100, 0]]);
  });
});

describe('strategy warnings', () => {
  test('a canary bake shorter than the alarms\' detection time warns', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    webService(f, 'Web', { deployment: { strategy: DeploymentStrategy.canary({ stepBakeTime: Duration.minutes(2) }) } });
    // THEN
    Annotations.fromStack(f.stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('stepBakeTime 2 minutes is shorter than the deployment alarms\' detection time \\(180 s'));
  });

  test('defaults do not warn', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    new WebService(f.stack, 'Web', { cluster: f.cluster, loadBalancer: f.loadBalancer, image: NGINX, deployment: { strategy: DeploymentStrategy.canary() } });
    // THEN
    Annotations.fromStack(f.stack).hasNoWarning('/TestStack/Web', Match.stringLikeRegexp('shorter than'));
  });
});

describe('create, update and destroy of the traffic-shifting resources', () => {
  function template(options: Partial<WebServiceOptions>): Record<string, any> {
    const f = fixture();
    webService(f, 'Web', options);
    return Template.fromStack(f.stack).toJSON();
  }
  const hazards = (before: Record<string, any>, after: Record<string, any>) =>
    compareTemplates({ S: before }, { S: after }).map(h => `${h.kind} ${h.logicalId}`);

  test('create: the service waits for the production and test rules (ECS checks them when it creates the service)', () => {
    // GIVEN / WHEN
    const t = template({ pathPatterns: ['/app/*'], deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } });
    // THEN
    const [service] = Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::ECS::Service') as any[];
    const rules = Object.entries(t.Resources).filter(([, r]: [string, any]) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([id]) => id);
    expect(rules).toHaveLength(2);
    expect(service.DependsOn).toEqual(expect.arrayContaining(rules));
  });

  test.each([
    ['a path route', { pathPatterns: ['/app/*'] }],
    ['the default route', {}],
  ])('update from rolling to canary on %s: no update hazard (new rule priorities and names are free)', (_name, route) => {
    // GIVEN / WHEN / THEN
    expect(hazards(template(route), template({ ...route, deployment: { strategy: DeploymentStrategy.canary() } }))).toEqual([]);
  });

  test('update from blue/green back to rolling: ESK-UPD9\'s hazard, since the rule\'s weights would be re-sent', () => {
    // GIVEN a blue/green service WHEN it goes back to rolling
    const found = hazards(template({ pathPatterns: ['/app/*'], deployment: { strategy: DeploymentStrategy.blueGreen() } }), template({ pathPatterns: ['/app/*'] }));
    // THEN the production rule is named
    expect(found).toEqual([expect.stringMatching(/^shifted-rule-reset WebListenerRule/)]);
    // so ESK-UPD9 cannot advise going back to rolling first as a way around itself
    expect(ESK_UPD9.fix).not.toMatch(/rolling, deploy/);
    expect(ESK_UPD9.fix).toMatch(/no order of deploys avoids this finding/);
  });

  test('update from blue/green back to rolling on the default route: the catch-all rule is removed while the service stays, which ESK-UPD9 names', () => {
    // GIVEN a default-route blue/green service WHEN it goes back to rolling
    const found = hazards(template({ deployment: { strategy: DeploymentStrategy.blueGreen() } }), template({}));
    // THEN
    expect(found).toEqual([expect.stringMatching(/^shifted-rule-removed WebListenerRule/)]);
  });

  test('destroy: nothing of it is retained (target groups, role, listener and rules hold no data)', () => {
    // GIVEN / WHEN
    const t = template({ deployment: { strategy: DeploymentStrategy.blueGreen({ testPort: 8080 }) } });
    // THEN
    const retained = Object.entries(t.Resources).filter(([, r]: [string, any]) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
      .map(([, r]: [string, any]) => r.Type);
    const ours = ['AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::IAM::Role', 'AWS::CloudWatch::Alarm'];
    expect(retained.filter(type => ours.includes(type))).toEqual([]);
  });
});
