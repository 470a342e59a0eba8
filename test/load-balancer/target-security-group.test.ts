import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { ConfigurationErrors } from '../../lib/validation/configuration-error';
import { testApp, testStack } from '../util/test-app';

function fixture() {
  const stack = testStack(testApp());
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
  const lb = new ServiceLoadBalancer(stack, 'LB', { vpc, accessLogs: false });
  return { stack, lb };
}

describe('the load balancer\'s shared target security group', () => {
  test('each target port is opened once, however many services use it', () => {
    // GIVEN
    const { stack, lb } = fixture();
    // WHEN: three services on 8080, one on 3000
    lb.openTargetPort(8080);
    lb.openTargetPort(8080);
    lb.openTargetPort(8080);
    lb.openTargetPort(3000);
    // THEN: one ingress into the target group and one egress from the load balancer per port
    const template = Template.fromStack(stack);
    const targetSg = stack.getLogicalId(lb.targetSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup);
    const lbSg = stack.getLogicalId(lb.securityGroup.node.defaultChild as ec2.CfnSecurityGroup);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties)
      .filter((p: any) => JSON.stringify(p.GroupId).includes(targetSg));
    expect(ingress.map((p: any) => p.FromPort).sort()).toEqual([3000, 8080]);
    for (const rule of ingress) expect(rule.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [lbSg, 'GroupId'] });
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r: any) => r.Properties)
      .filter((p: any) => JSON.stringify(p.GroupId).includes(lbSg));
    expect(egress.map((p: any) => p.FromPort).sort()).toEqual([3000, 8080]);
    for (const rule of egress) expect(rule.DestinationSecurityGroupId).toEqual({ 'Fn::GetAtt': [targetSg, 'GroupId'] });
    // The target group itself opens no outbound path: each service's own group decides that.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Targets of TestStack/LB: admits the load balancer on the target ports',
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 }],
    });
  });

  test('a port outside 1–65535 is a configuration error naming port', () => {
    // GIVEN
    const { lb } = fixture();
    // WHEN / THEN
    let error: unknown;
    try { lb.openTargetPort(70000); } catch (e) { error = e; }
    expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^TestStack\/LB: port 70000 is out of range; use an integer from 1 to 65535/);
  });
});
