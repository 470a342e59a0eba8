export * from './service-load-balancer';
export * from './service-load-balancer-ref';
