import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExample } from '../../examples/registry-cache';
import { testApp } from '../util/test-app';

/** Replaces each Fn::GetStackOutput / Fn::ImportValue of another stack's output with that output's value. */
function inline(value: unknown, outputs: Map<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => inline(v, outputs));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, any>;
  if (o['Fn::GetStackOutput']) {
    const { StackName, OutputName } = o['Fn::GetStackOutput'];
    return inline(outputs.get(`${StackName}/${OutputName}`), outputs);
  }
  if (typeof o['Fn::ImportValue'] === 'string') return inline(outputs.get(`export/${o['Fn::ImportValue']}`), outputs);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, inline(v, outputs)]));
}

describe('examples/registry-cache.ts', () => {
  test('every repository it creates is the image of a task definition (no repository nothing uses)', () => {
    // GIVEN the example's stacks
    const stacks: Stack[] = buildExample(testApp());
    const templates = stacks.map((stack) => ({ stack, json: Template.fromStack(stack).toJSON() }));
    const outputs = new Map<string, unknown>();
    for (const { stack, json } of templates) {
      for (const [name, output] of Object.entries<any>(json.Outputs ?? {})) {
        outputs.set(`${stack.stackName}/${name}`, output.Value);
        if (output.Export?.Name) outputs.set(`export/${output.Export.Name}`, output.Value);
      }
    }
    // WHEN every container image is read through the cross-stack references
    const images = templates.flatMap(({ stack, json }) => Object.values<any>(json.Resources)
      .filter((r) => r.Type === 'AWS::ECS::TaskDefinition')
      .flatMap((r) => r.Properties.ContainerDefinitions.map((c: any) => ({ stack: stack.stackName, image: JSON.stringify(inline(c.Image, outputs)) }))));
    // THEN each repository is named by an image (a Ref or GetAtt of it, from its own stack or through an output)
    const repositories = templates.flatMap(({ stack, json }) => Object.entries<any>(json.Resources)
      .filter(([, r]) => r.Type === 'AWS::ECR::Repository').map(([id]) => `${stack.stackName}/${id}`));
    expect(repositories.length).toBeGreaterThan(0);
    const unused = repositories.filter((repository) => !images.some(({ image }) => image.includes(`"${repository.split('/')[1]}"`)));
    expect(unused).toEqual([]);
  });
});
