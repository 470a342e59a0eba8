/**
 * Timings that cut work on every deploy and scale-in: a web service's deregistration delay
 * shorter than its load balancer's idle timeout, and a worker job longer than the stop timeout.
 * Warned (acknowledgeable) when the user set either value; the defaults are stated in the docs.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer, ServiceLoadBalancerProps } from '../../lib/load-balancer';
import { WebService, WebServiceProps } from '../../lib/service';
import { WorkerService, WorkerServiceProps } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const DRAIN = 'ecs-service-kit:drain-shorter-than-idle-timeout';
const JOB = 'ecs-service-kit:job-longer-than-stop-timeout';

function warnings(stack: Stack, id: string): string[] {
  return Annotations.fromStack(stack).findWarning(`/TestStack/${id}`, Match.anyValue()).map((m) => String(m.entry.data));
}

function web(lbProps: Partial<ServiceLoadBalancerProps>, props: Partial<WebServiceProps> = {}): Stack {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc, ...lbProps });
  Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
  new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, ...props });
  return stack;
}

function worker(props: Partial<WorkerServiceProps>): Stack {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  new WorkerService(stack, 'Jobs', { cluster, image: NGINX, ...props });
  return stack;
}

describe('web service: deregistration delay against the load balancer\'s idle timeout', () => {
  test('a raised idleTimeout with the default 20 s delay warns on the service, naming both and the way out', () => {
    const [warning, ...rest] = warnings(web({ idleTimeout: Duration.minutes(5) }), 'Web').filter((w) => w.includes(DRAIN));
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^deregistrationDelay 20 s \(the default\) is shorter than the idle timeout of TestStack\/LB \(300 s\): on every deploy and scale-in the load balancer drains a task for 20 s, then ECS stops it/);
    expect(warning).toMatch(/Set deregistrationDelay to at least your longest request.*or lower the load balancer's idleTimeout/);
  });

  test('a delay the user shortened below the default idle timeout warns too', () => {
    expect(warnings(web({}, { deregistrationDelay: Duration.seconds(5) }), 'Web').filter((w) => w.includes(DRAIN)))
      .toEqual([expect.stringMatching(/^deregistrationDelay 5 s is shorter than the idle timeout of TestStack\/LB \(60 s, the default\)/)]);
  });

  test('no warning with the defaults (documented instead), or with a delay that covers the idle timeout', () => {
    expect(warnings(web({}), 'Web').filter((w) => w.includes(DRAIN))).toEqual([]);
    expect(warnings(web({ idleTimeout: Duration.minutes(2) }, { deregistrationDelay: Duration.minutes(2) }), 'Web').filter((w) => w.includes(DRAIN))).toEqual([]);
  });

  test('the warning can be acknowledged on the service', () => {
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc, idleTimeout: Duration.minutes(5) });
    Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test without a domain' });
    const service = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX });
    new WebService(stack, 'Other', { cluster, loadBalancer, image: NGINX, pathPatterns: ['/other/*'] });
    Validations.of(service).acknowledge({ id: `Annotation::${DRAIN}`, reason: 'our requests end within 20 s; the idle timeout is for websockets that reconnect' });
    expect(warnings(stack, 'Web').filter((w) => w.includes(DRAIN))).toEqual([]);
    expect(warnings(stack, 'Other').filter((w) => w.includes(DRAIN))).toHaveLength(1);
  });
});

describe('worker: maxJobDuration against stopTimeout', () => {
  test('a job longer than the default stop timeout warns: cut on deploy, redelivered, dead-lettered, rolled back', () => {
    const found = warnings(worker({ queue: { maxJobDuration: Duration.minutes(5) } }), 'Jobs').filter((w) => w.includes(JOB));
    expect(found).toEqual([expect.stringMatching(/^queue\.maxJobDuration 5 minutes is longer than stopTimeout 30 seconds \(the default\): every deploy and scale-in stops tasks/)]);
    expect(found[0]).toMatch(/after 5 receives \(queue\.maxReceiveCount\) it goes to the dead-letter queue, whose deployment alarm \(on by default\) rolls back/);
    expect(found[0]).toMatch(/task-protection\/v1\/state/);
  });

  test('a stop timeout the user shortened below the default job duration warns too', () => {
    expect(warnings(worker({ queue: {}, stopTimeout: Duration.seconds(10) }), 'Jobs').filter((w) => w.includes(JOB)))
      .toEqual([expect.stringMatching(/^queue\.maxJobDuration 30 seconds \(the default\) is longer than stopTimeout 10 seconds:/)]);
  });

  test('no warning with the defaults, with a stop timeout that covers the job, or without a queue of ours', () => {
    expect(warnings(worker({ queue: {} }), 'Jobs').filter((w) => w.includes(JOB))).toEqual([]);
    expect(warnings(worker({ queue: { maxJobDuration: Duration.seconds(90) }, stopTimeout: Duration.seconds(120) }), 'Jobs').filter((w) => w.includes(JOB))).toEqual([]);
    expect(warnings(worker({ stopTimeout: Duration.seconds(10) }), 'Jobs').filter((w) => w.includes(JOB))).toEqual([]);
  });
});
