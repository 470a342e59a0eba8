export * from './container-web-app';
