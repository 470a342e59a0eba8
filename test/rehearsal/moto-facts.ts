/**
 * What moto 5.2.5 cannot do with a template, shared by the rehearsal's checks
 * (checks.rehearsal.ts, which runs only under scripts/rehearse.sh) and the unit tests of its apps.
 */

/**
 * Types moto creates but has no Fn::GetAtt for (its EFS models lack get_cfn_attribute): a GetAtt
 * on one fails CreateStack with a Python AttributeError (HTTP 500), and the CLI's retry then
 * reports "AlreadyExistsException: Stack … already exists".
 */
export const MOTO_NO_GETATT_TYPES: ReadonlyArray<string> = ['AWS::EFS::FileSystem', 'AWS::EFS::AccessPoint'];
/**
 * The load balancer types moto's CloudFormation can make: its create of an
 * AWS::ElasticLoadBalancingV2::LoadBalancer passes on only the name, Scheme, SecurityGroups and
 * Subnets, so a `Type: network` load balancer becomes an application one, and the first TCP, TLS
 * or UDP listener on it fails CreateStack with "ValidationError: Listener protocol 'TCP' must be
 * one of 'HTTP, HTTPS'" (the stack stays CREATE_IN_PROGRESS). moto's ELBv2 API itself makes
 * network load balancers; only its CloudFormation drops the type.
 */
export const MOTO_LOAD_BALANCER_TYPES: ReadonlyArray<string> = ['application'];
