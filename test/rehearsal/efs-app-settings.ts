/**
 * What the rehearsal's EFS app (efs-app.ts) asks for, shared with the checks
 * (checks.rehearsal.ts) without loading the library there: the checks compare moto with the
 * template, and the template with these.
 */
export const EFS_STACK = 'ecs-service-kit-efs';
/** The access point's POSIX user (the volume's `posixUser`). */
export const EFS_POSIX_USER = { uid: 1000, gid: 1000 };
/** The access point's root directory (the volume's `rootDirectory`). */
export const EFS_ROOT_DIRECTORY = '/uploads';
/** Where the worker's container sees the volume. */
export const EFS_MOUNT_PATH = '/data';
