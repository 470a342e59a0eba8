import * as efs from 'aws-cdk-lib/aws-efs';

/** The POSIX identity every file operation through an access point uses. */
export interface EfsPosixUser {
  /** The user id, 0–4294967295. */
  readonly uid: number;
  /** The group id, 0–4294967295. */
  readonly gid: number;
  /**
   * More group ids, each 0–4294967295 (at most 16).
   *
   * @default - none
   */
  readonly secondaryGids?: number[];
}

/**
 * An Amazon EFS file system mounted into containers of a task, through an access point of its
 * own, with IAM authorization and encryption in transit.
 *
 * The data lasts: it outlives every task, deploy and (with the default retention of a
 * ServiceFileSystem) the stack. Every task of every service that mounts the same file system and
 * `rootDirectory` sees the same files.
 */
export interface EfsVolumeOptions {
  /**
   * The file system: a ServiceFileSystem's `fileSystem`, or an existing one
   * (`efs.FileSystem.fromFileSystemAttributes(this, 'Shared', { fileSystemId, securityGroup })`:
   * the security group of its mount targets, which gets the NFS rule from the tasks, and mount
   * targets in every Availability Zone of the task subnets).
   */
  readonly fileSystem: efs.IFileSystem;

  /** Where the containers see the volume: an absolute path such as '/data'. */
  readonly mountPath: string;

  /**
   * The directory of the file system the access point exposes as the volume's root. EFS creates
   * it on the first mount, owned by `posixUser` (root without one) with `directoryPermissions`.
   * Fixed once created: a change replaces the access point (see `posixUser`).
   *
   * @default - `mountPath` (the file system's '/data' for '/data')
   */
  readonly rootDirectory?: string;

  /**
   * The user and group every file operation through the access point runs as, whatever user the
   * container runs as: files are created owned by them, and EFS creates `rootDirectory` owned by
   * them. Required unless `rootAccess` is true: without it the directory would be root's, and EFS
   * squashes a root client that lacks ClientRootAccess, so the mount would fail. Fixed once
   * created: a change replaces the access point, which gives the task definition a new revision
   * and rolls the service's tasks (running tasks keep the old access point until they stop). EFS
   * does not change the owner of a directory that already exists: a new user on the same
   * `rootDirectory` cannot enter it (chown it first, or give a new `rootDirectory`).
   *
   * @default - none; then `rootAccess` must be true
   */
  readonly posixUser?: EfsPosixUser;

  /**
   * The POSIX permissions of `rootDirectory` when EFS creates it, in octal ('750', '0770').
   *
   * @default '750' - owner read, write and enter; group read and enter; others nothing
   */
  readonly directoryPermissions?: string;

  /**
   * Mount read-only: the task role gets no elasticfilesystem:ClientWrite, and the mount is
   * read-only in every container.
   *
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * Let the task act as root (uid 0) on the file system: elasticfilesystem:ClientRootAccess.
   * Without it EFS squashes root to nobody (65534). Only with a writable volume.
   *
   * @default false
   */
  readonly rootAccess?: boolean;

  /**
   * The names of the containers that mount the volume (the main one's is `containerName`, 'app'
   * by default; sidecars' are theirs).
   *
   * @default - the main container only
   */
  readonly containers?: string[];
}
