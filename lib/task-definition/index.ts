export * from './container-options';
export * from './service-task-options';
export * from './service-task-definition';
export * from './ebs-volume';
