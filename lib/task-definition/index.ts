export * from './container-options';
export * from './service-task-definition';
