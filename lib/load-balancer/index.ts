export * from './service-load-balancer';
