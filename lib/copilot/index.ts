export * from './copilot-application';
