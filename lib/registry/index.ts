export * from './lifecycle-rules';
export * from './image-repository';
