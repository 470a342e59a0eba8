import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { CpuArchitecture } from 'aws-cdk-lib/aws-ecs';

/**
 * The CPU architecture a service runs on.
 *
 * Chosen once: it sets both the task's runtime platform and the platform a local Dockerfile
 * is built for, so an image cannot be built for one architecture and run on the other.
 */
export enum Architecture {
  /** Intel/AMD 64-bit (`linux/amd64`). */
  X86_64 = 'X86_64',
  /** Graviton, 64-bit ARM (`linux/arm64`): about 20% cheaper per vCPU-hour on Fargate. */
  ARM64 = 'ARM64',
}

/**
 * The task runtime platform's CPU architecture for `architecture`.
 * Internal helper: not part of the public API.
 */
export function toCpuArchitecture(architecture: Architecture): CpuArchitecture {
  switch (architecture) {
    case Architecture.ARM64: return CpuArchitecture.ARM64;
    case Architecture.X86_64: return CpuArchitecture.X86_64;
    default: throw new Error(`Unknown Architecture: ${architecture}`);
  }
}

/**
 * The Docker build platform for `architecture`.
 * Internal helper: not part of the public API.
 */
export function toAssetPlatform(architecture: Architecture): Platform {
  switch (architecture) {
    case Architecture.ARM64: return Platform.LINUX_ARM64;
    case Architecture.X86_64: return Platform.LINUX_AMD64;
    default: throw new Error(`Unknown Architecture: ${architecture}`);
  }
}

/** The `docker build --platform` value for `architecture`. Internal helper. */
export function toDockerPlatform(architecture: Architecture): string {
  return toAssetPlatform(architecture).platform;
}
