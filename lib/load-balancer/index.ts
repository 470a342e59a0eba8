export * from './service-load-balancer';
export * from './service-load-balancer-ref';
export * from './service-network-load-balancer';
