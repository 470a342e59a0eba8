export { Architecture } from './architecture';
export * from './service-image';
