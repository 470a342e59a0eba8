export * from './service-cluster';
export * from './service-cluster-ref';
export * from './ec2-capacity';
export * from './managed-instances-capacity';
