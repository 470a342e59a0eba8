export * from './one-off-task';
export * from './task-schedule';
export * from './scheduled-task';
