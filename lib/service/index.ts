export * from './service-options';
export * from './web-service-options';
export * from './web-service';
