export * from './web-service-options';
export * from './web-service';
