export * from './service-cluster';
export * from './ec2-capacity';
export * from './managed-instances-capacity';
