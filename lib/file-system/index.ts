export * from './service-file-system';
export * from './efs-volume';
