export * from './event-topic';
export * from './topic-subscription-options';
