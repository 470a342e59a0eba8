/**
 * How a ServiceNetwork connects tasks to the internet and to AWS APIs, and what that costs.
 *
 * Prices are us-east-1 list prices, 730 hours a month:
 * NAT gateway $0.045/h ($32.85/month) plus $0.045/GB processed, and its Elastic IP
 * ($0.005/h, $3.65/month) = $36.50/month per NAT before data;
 * interface VPC endpoint $0.01/h per AZ ($7.30/month per AZ) plus $0.01/GB;
 * S3 gateway endpoint free; public IPv4 address $0.005/h ($3.65/month) each.
 * The Application Load Balancer ($0.0225/h = $16.43/month plus LCUs, plus $3.65/month per
 * public IPv4 address per AZ when internet-facing) is the same in every layout and not included.
 * In every layout the tasks' security group admits inbound traffic only from the load balancer.
 */
export enum NetworkLayout {
  /**
   * Public subnets only; tasks run there with a public IPv4 address and reach ECR, CloudWatch
   * Logs and Secrets Manager through the internet gateway.
   *
   * Cost: $0 fixed for the network, but each running task pays $3.65/month for its public IPv4
   * address (3 tasks ≈ $10.95/month).
   *
   * Security: the cheapest layout, and the least defended. Tasks are addressable from the
   * internet; only their security group (inbound from the load balancer only) keeps traffic out,
   * and outbound traffic is unrestricted. Fine for dev and demos; avoid for production data.
   */
  PUBLIC_ONLY = 'PUBLIC_ONLY',

  /**
   * Public subnets (load balancer, NAT) and private subnets with egress (tasks) behind one NAT
   * gateway in the first AZ.
   *
   * Cost: $36.50/month (one NAT gateway with its Elastic IP) + $0.045/GB through the NAT.
   *
   * Security: tasks have no public address and cannot be reached from the internet. The trade-off
   * is availability: if the NAT's AZ fails, tasks in the other AZs lose outbound access (image
   * pulls, AWS APIs) until it recovers, and cross-AZ traffic to the NAT costs $0.01/GB each way.
   * The library's default: the cheapest layout that keeps tasks off the internet.
   */
  SINGLE_NAT = 'SINGLE_NAT',

  /**
   * Like SINGLE_NAT but with one NAT gateway per AZ, so an AZ failure only affects that AZ.
   *
   * Cost: $36.50/month per AZ ($73.00 with 2 AZs, $109.50 with 3) + $0.045/GB through the NATs.
   *
   * Security: as SINGLE_NAT (tasks private, outbound to the internet allowed); highest availability.
   * Never chosen silently: ask for it.
   */
  NAT_PER_AZ = 'NAT_PER_AZ',

  /**
   * Public subnets for the load balancer only, and isolated private subnets (no route to the
   * internet) for the tasks. Tasks reach AWS through VPC endpoints: interface endpoints for
   * ECR API, ECR Docker, CloudWatch Logs, Secrets Manager and SSM Parameter Store, and a free S3
   * gateway endpoint (ECR stores image layers in S3). Added once per network when needed: SQS when
   * a WorkerService with a queue runs in it, SSM Messages when a service uses ECS Exec (or with
   * `ecsExecEndpoint`).
   *
   * Cost: $7.30/month per interface endpoint per AZ: 5 endpoints × 2 AZs = $73.00/month;
   * each added endpoint (SQS, SSM Messages) is another $14.60 over 2 AZs (both: $102.20),
   * + $0.01/GB through the interface endpoints.
   *
   * Security: the strongest layout: tasks cannot reach the internet at all (no data exfiltration
   * path except the AWS services above), endpoints admit HTTPS only from the VPC's CIDR. The
   * trade-off: tasks cannot call third-party APIs or public registries (Docker Hub images must be
   * mirrored to ECR), and every other AWS service the app calls needs its own endpoint.
   */
  PRIVATE_WITH_ENDPOINTS = 'PRIVATE_WITH_ENDPOINTS',
}
