export * from './service-options';
export * from './web-service-options';
export { ServiceBase } from './service-base';
export * from './web-service';
export * from './network-service-options';
export * from './network-service';
