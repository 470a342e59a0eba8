export * from './deploy-checks';
