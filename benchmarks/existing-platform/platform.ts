import * as path from 'path';

/** The ids of the platform the service joins (as in examples/existing-platform.ts). */
export interface PlatformIds {
  readonly clusterName: string;
  readonly listenerArn: string;
  readonly loadBalancerSecurityGroupId: string;
  readonly url: string;
  readonly assetDirectory: string;
}

export const PLATFORM: PlatformIds = {
  clusterName: 'platform-shared',
  listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/50dc6c495c0c9188/f2f7dc8efc522ab2',
  loadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
  url: 'https://shop.example.com',
  assetDirectory: path.join(__dirname, '..', '..', 'examples', 'app'),
};
