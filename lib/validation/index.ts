export * from './configuration-error';
export * from './checks';
