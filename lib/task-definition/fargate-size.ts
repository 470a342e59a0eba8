import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail, failWithText } from '../validation/checks';

/**
 * Fargate's CPU/memory table (Linux), in CPU units and MiB.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memoryMiB: number[] }> = [
  { cpu: 256, memoryMiB: [512, 1024, 2048] },
  { cpu: 512, memoryMiB: steps(1024, 4096, 1024) },
  { cpu: 1024, memoryMiB: steps(2048, 8192, 1024) },
  { cpu: 2048, memoryMiB: steps(4096, 16384, 1024) },
  { cpu: 4096, memoryMiB: steps(8192, 30720, 1024) },
  { cpu: 8192, memoryMiB: steps(16384, 61440, 4096) },
  { cpu: 16384, memoryMiB: steps(32768, 122880, 8192) },
];

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

function listInWords(values: number[]): string {
  if (values.length <= 4) {
    return values.length === 1 ? String(values[0]) : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  }
  const step = values[1] - values[0];
  return `${values[0]} to ${values[values.length - 1]} in steps of ${step}`;
}

/** The memory sizes Fargate accepts with `cpu`, or undefined when `cpu` is not a Fargate CPU size. */
export function fargateMemoryFor(cpu: number): number[] | undefined {
  return FARGATE_SIZES.find((size) => size.cpu === cpu)?.memoryMiB;
}

/** Fails unless cpu/memoryMiB is one of Fargate's task sizes. */
export function checkFargateSize(scope: IConstruct, cpu: number, memoryMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryMiB)) return;
  const memoryChoices = fargateMemoryFor(cpu);
  if (!memoryChoices) {
    fail(scope, 'cpu', cpu, 'is not a Fargate CPU size', `use one of ${FARGATE_SIZES.map((s) => s.cpu).join(', ')}`);
  }
  if (!memoryChoices.includes(memoryMiB)) {
    failSize(scope, cpu, memoryMiB, memoryChoices);
  }
}

function failSize(scope: IConstruct, cpu: number, memoryMiB: number, choices: number[]): never {
  return failWithText(scope, 'cpu', `${cpu} with memoryMiB ${memoryMiB}`, 'is not a Fargate size', `with cpu ${cpu} use memoryMiB ${listInWords(choices)}`);
}
