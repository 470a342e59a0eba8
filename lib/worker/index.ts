export * from './worker-queue-options';
export * from './worker-service';
