import * as ecr_assets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as imageApi from '../../lib/image';
import { Architecture, toAssetPlatform, toCpuArchitecture, toDockerPlatform } from '../../lib/image/architecture';

describe('Architecture', () => {
  test.each([
    [Architecture.X86_64, ecs.CpuArchitecture.X86_64, ecr_assets.Platform.LINUX_AMD64, 'linux/amd64'],
    [Architecture.ARM64, ecs.CpuArchitecture.ARM64, ecr_assets.Platform.LINUX_ARM64, 'linux/arm64'],
  ])('%s maps to the matching task and build platforms', (architecture, cpu, platform, docker) => {
    expect(toCpuArchitecture(architecture)).toBe(cpu);
    expect(toAssetPlatform(architecture)).toBe(platform);
    expect(toDockerPlatform(architecture)).toBe(docker);
  });

  test('enum values are stable strings', () => {
    expect(Object.values(Architecture)).toEqual(['X86_64', 'ARM64']);
  });

  test('the helpers stay out of the public API', () => {
    expect(Object.keys(imageApi).sort()).toEqual(['Architecture', 'ServiceImage']);
  });
});
