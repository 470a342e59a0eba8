export * from './scaling-options';
