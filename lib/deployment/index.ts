export * from './deployment-strategy';
export * from './deployment-options';
export * from './release-safety-estimate';
