export * from './alarm-settings';
export * from './alarm-notifications';
export * from './app-monitoring';
export * from './monitoring-figures';
