export * from './service-cluster';
