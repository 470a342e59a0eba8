export * from './lifecycle-rules';
export * from './image-repository';
export * from './pull-through-cache';
export * from './registry-replication';
export * from './replica-repository-template';
