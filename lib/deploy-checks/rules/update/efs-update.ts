import { updateRule } from '../../update-rule';

/**
 * ESK-UPD16: an EFS access point gets another POSIX user while its root directory stays. EFS
 * keeps an existing directory's owner and permissions (EFS user guide, access points), so the new
 * user may not enter it. Needs DeployChecks' `previousVersion`; finds nothing without it.
 */
export const ESK_UPD16 = updateRule({
  id: 'ESK-UPD16',
  kinds: ['efs-directory-owner-kept'],
  reason: 'Update gives an EFS access point another POSIX user while its root directory stays: EFS does not change the owner or permissions of a directory that exists, so the new user may not enter it and the new tasks fail to mount',
  fix: 'Give the volume a new rootDirectory (and copy the files), or chown the directory to the new user first from a task with rootAccess, then acknowledge this warning',
});
