/**
 * What to do about a manifest field CopilotApplication does not map, by field (the longest
 * matching prefix wins). Internal: the text of the `ecs-service-kit:copilot-unmapped` warnings.
 */
const HINTS: Record<string, string> = {
  'nlb.alias': 'create the DNS record for the Network Load Balancer in CDK (route53.ARecord to networkLoadBalancer)',
  'nlb.stickiness': 'set the target group attribute stickiness.enabled on networkService(name).targetGroup in CDK',
  'nlb.ssl_policy': 'the TLS listener uses this library\'s TLS 1.3 policy; set sslPolicy on a NetworkService in CDK',
  'nlb.additional_listeners': 'add another NetworkService (one listener port each) in CDK',
  'nlb': 'with http as well, the workload is built as a WebService only (a service behind both an ALB and an NLB is not built): build a NetworkService for the TCP or UDP traffic in CDK, or set http: false',
  'http.target_port': 'the load balancer reaches the target container on its own port (image.port, or the sidecar\'s port): set that port to the one the load balancer should reach',
  'http.redirect_to_https': 'with a certificate the load balancer redirects HTTP to HTTPS for every service (redirect_to_https: false is not built); serve HTTP in CDK with a listener of your own on loadBalancer.applicationLoadBalancer',
  'http.hosted_zone': 'the Copilot stack owns these alias records while it runs (a second record of the same name fails to create): move them to the new load balancer as the DNS cutover, then manage them in CDK (route53.ARecord to loadBalancer.applicationLoadBalancer)',
  'http.alias.hosted_zone': 'the Copilot stack owns these alias records while it runs (a second record of the same name fails to create): move them to the new load balancer as the DNS cutover, then manage them in CDK (route53.ARecord to loadBalancer.applicationLoadBalancer)',
  'http.additional_rules': 'add the routes with another WebService or with listener rules in CDK',
  'http.version': 'set the target group\'s protocol version in CDK (targetGroup.node.defaultChild)',
  'logging': 'containers log to CloudWatch Logs with the library\'s retention; add a FireLens sidecar in CDK to route logs elsewhere',
  'observability': 'add an AWS Distro for OpenTelemetry sidecar in CDK for traces',
  'network.vpc.placement': 'tasks run in the cluster\'s private subnets behind a NAT gateway, which is Copilot\'s placement: private; public placement (tasks with public IPs) and placement by subnet id or tag are not built',
  'storage.volumes': 'give the service efsVolumes (ServiceFileSystem) in CDK',
  'sidecars.*.mount_points': 'add the mount points to the sidecar in CDK (taskDefinition.findContainer(name).addMountPoints)',
  'sidecars.*.image.credentials': 'pull the sidecar\'s image with ServiceImage.fromRegistry(name, { credentials }) in CDK',
  'sidecars.*.image.labels': 'add the Docker labels with container.addDockerLabel(...) in CDK',
  'sidecars.*.image.depends_on': 'set container dependencies in CDK (container.addContainerDependencies)',
  'image.build.cache_from': 'image assets build without a cache source; nothing to do',
  'subscribe.queue.fifo': 'a FIFO queue is not built by CopilotApplication; give a WorkerService an existingQueue that is FIFO in CDK',
  'subscribe.topics.queue': 'topic-specific queues are not built; the worker\'s one queue receives every topic',
  'count.cpu_percentage.cooldown': 'the count-level cooldown applies to every target',
  'count.memory_percentage.cooldown': 'the count-level cooldown applies to every target',
  'count.requests.cooldown': 'the count-level cooldown applies to every target',
  'count.response_time': 'scale on requests, CPU or memory; target response time is not a scaling target of this library',
  'cdn': 'put CloudFront in front of the load balancer in CDK',
  'http.public.access_logs': 'the load balancer logs to its own encrypted bucket anyway (access_logs: false is not built)',
  'http.public.ingress': 'allow sources on the load balancer (allowedCidrs) in CDK',
  'http.private.ingress': 'allow callers with internalLoadBalancer.allowFrom(...) in CDK',
  'network.vpc.flow_logs': 'a VPC this app builds logs flows anyway (flow_logs: false is not built); an imported VPC\'s flow logs are its owner\'s: Copilot\'s environment stack made one, which goes with that stack, so add an ec2.FlowLog on the VPC in CDK before you delete it',
};

export function unmappedHint(fieldPath: string): string {
  // A sidecar's fields are documented under its name's placeholder.
  const path = fieldPath.replace(/^sidecars\.[^.]+\./, 'sidecars.*.');
  let best = '';
  for (const prefix of Object.keys(HINTS)) {
    if ((path === prefix || path.startsWith(prefix + '.')) && prefix.length > best.length) best = prefix;
  }
  return best ? HINTS[best] : 'set it on the built construct in CDK (the members of CopilotApplication give each one), then acknowledge this warning';
}
