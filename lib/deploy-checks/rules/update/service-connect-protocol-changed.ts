import { updateRule } from '../../update-rule';

/**
 * ESK-UPD8: ECS cannot change the application protocol of a port a running service publishes
 * through Service Connect (aws/containers-roadmap#2378). A WebService that published its main
 * port with 0.1 (TCP) now defaults to HTTP, so its next deploy would fail.
 * Source: aws/containers-roadmap#2378 ("The following config cannot be changed for a SC
 * service"); Amazon ECS API reference, ServiceConnectService.
 * Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD8 = updateRule({
  id: 'ESK-UPD8',
  kinds: ['service-connect-protocol'],
  reason: 'Update changes the appProtocol of a port an ECS service publishes through Service Connect: ECS refuses to change it on a running service, so the update fails',
  fix: 'Set serviceConnect.appProtocol back to the deployed value (for a WebService deployed with 0.1: ServiceConnectProtocol.TCP), or delete and re-create the service to change it',
});
