export * from './network-layout';
export * from './service-network';
