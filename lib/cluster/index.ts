export * from './service-cluster';
export * from './ec2-capacity';
