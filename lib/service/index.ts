export * from './service-options';
export * from './web-service-options';
export { ServiceBase } from './service-base';
export * from './web-service';
