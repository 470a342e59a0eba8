/**
 * Every example and every bin-app stage, for the snapshot, cdk-nag and linter gates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { buildApp } from '../bin/app';
import * as byoVpc from './byo-vpc-arm64-spot';
import * as httpsDomain from './https-domain';
import * as sharedLoadBalancer from './shared-load-balancer';
import * as smallest from './smallest-service';
import * as scheduledJob from './scheduled-job';
import * as queueWorker from './queue-worker';
import * as serviceToService from './service-to-service';
import * as ec2Capacity from './ec2-capacity';
import * as existingPlatform from './existing-platform';
import * as managedInstances from './managed-instances';
import * as registryCache from './registry-cache';
import * as pubSub from './pub-sub';
import * as nlbTcpService from './nlb-tcp-service';
import * as efsVolume from './efs-volume';
import * as fromCopilot from './from-copilot';

export interface ExampleEntry {
  readonly name: string;
  readonly build: (app: App) => Stack[];
  /** Extra context the app needs (the bin app's stage and image). */
  readonly context?: Record<string, unknown>;
}

export const EXAMPLES: ExampleEntry[] = [
  { name: 'smallest-service', build: smallest.buildExample },
  { name: 'https-domain', build: httpsDomain.buildExample },
  { name: 'shared-load-balancer', build: sharedLoadBalancer.buildExample },
  { name: 'byo-vpc-arm64-spot', build: byoVpc.buildExample },
  { name: 'scheduled-job', build: scheduledJob.buildExample },
  { name: 'queue-worker', build: queueWorker.buildExample },
  { name: 'service-to-service', build: serviceToService.buildExample },
  { name: 'ec2-capacity', build: ec2Capacity.buildExample },
  { name: 'existing-platform', build: existingPlatform.buildExample },
  { name: 'managed-instances', build: managedInstances.buildExample },
  { name: 'registry-cache', build: registryCache.buildExample },
  { name: 'pub-sub', build: pubSub.buildExample },
  { name: 'nlb-tcp-service', build: nlbTcpService.buildExample },
  { name: 'efs-volume', build: efsVolume.buildExample },
  { name: 'from-copilot', build: fromCopilot.buildExample },
];

export const BIN_APP_STAGES = ['dev', 'prod', 'rehearsal'];

/** cdk.json's context: feature flags, strict validation and the bin app's stages. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf-8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** The bin app per stage, as `cdk synth -c stage=…` builds it (the rehearsal with an image tag, as it deploys). */
export const BIN_APP_ENTRIES: ExampleEntry[] = BIN_APP_STAGES.map((stage) => ({
  name: `bin-app-${stage}`,
  build: buildApp,
  context: { stage, ...(stage === 'rehearsal' ? { imageTag: 'v1' } : {}) },
}));

/** Examples and bin-app stages together. */
export const ALL_APPS: ExampleEntry[] = [...EXAMPLES, ...BIN_APP_ENTRIES];
