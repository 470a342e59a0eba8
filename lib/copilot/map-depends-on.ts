import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ManifestReader } from './manifest-reader';

/** Copilot's `depends_on` conditions, as ECS names them. */
const CONDITIONS: Record<string, ecs.ContainerDependencyCondition> = {
  START: ecs.ContainerDependencyCondition.START,
  HEALTHY: ecs.ContainerDependencyCondition.HEALTHY,
  COMPLETE: ecs.ContainerDependencyCondition.COMPLETE,
  SUCCESS: ecs.ContainerDependencyCondition.SUCCESS,
};

/** A container of the built task, as `depends_on` sees it. */
interface TaskContainer {
  /** The manifest field that holds its `depends_on` (`image.depends_on`, `sidecars.<name>.depends_on`). */
  readonly field: string;
  /** Its health check's field (`image.healthcheck`, `sidecars.<name>.healthcheck`). */
  readonly healthCheck: string;
  readonly container: ecs.ContainerDefinition;
}

/**
 * `image.depends_on` and `sidecars.<name>.depends_on`: the order in which ECS starts the task's
 * containers (`{container: start | healthy | complete | success}`), with Copilot's rules
 * (copilot-cli `validate.go`): the container must exist; an essential container can only be
 * waited for to start or be healthy (it never completes while the task runs); no container
 * waits on itself or in a circle. Also: `healthy` needs the awaited container's health check, which
 * is what ECS judges it by. The main container is named by the workload's name, as in Copilot
 * (here it is the task's main container, whatever its name).
 */
export function applyDependsOn(reader: ManifestReader, workloadName: string, main: ecs.ContainerDefinition, taskDefinition: ecs.TaskDefinition): void {
  const containers = new Map<string, TaskContainer>([[workloadName, { field: 'image.depends_on', healthCheck: 'image.healthcheck', container: main }]]);
  for (const name of reader.keys('sidecars')) {
    const container = taskDefinition.findContainer(name);
    if (container) containers.set(name, { field: `sidecars.${name}.depends_on`, healthCheck: `sidecars.${name}.healthcheck`, container });
  }
  const edges = new Map<string, string[]>();
  const pending: { container: ecs.ContainerDefinition; dependency: ecs.ContainerDependency }[] = [];
  for (const [name, { field, container }] of containers) {
    const waitsFor: string[] = [];
    for (const other of reader.keys(field)) {
      const path = `${field}.${other}`;
      const text = reader.string(path)!;
      const condition = CONDITIONS[text.toUpperCase()];
      if (condition === undefined) reader.fail(path, reader.peek(path), 'is not a container condition', 'use start, healthy, complete or success');
      const target = containers.get(other)
        ?? reader.fail(path, reader.peek(path), `names ${other}, which is not a container of this task`, `use one of ${[...containers.keys()].join(', ')}`);
      if (other === name) reader.fail(path, reader.peek(path), 'makes the container wait for itself', 'remove it');
      if (target.container.essential && condition !== ecs.ContainerDependencyCondition.START && condition !== ecs.ContainerDependencyCondition.HEALTHY) {
        reader.fail(path, reader.peek(path), `waits for the essential container ${other} to ${text.toLowerCase()}, which it does not do while the task runs`,
          `use start or healthy, or make ${other} not essential`);
      }
      if (condition === ecs.ContainerDependencyCondition.HEALTHY && !reader.has(`${target.healthCheck}.command`)) {
        reader.fail(path, reader.peek(path), `waits for ${other} to be healthy, and ${other} has no health check for ECS to judge that by`,
          `give ${other} a health check (${target.healthCheck}), or wait for it to start`);
      }
      waitsFor.push(other);
      pending.push({ container, dependency: { container: target.container, condition } });
    }
    reader.take(field);
    edges.set(name, waitsFor);
  }
  const cycle = findCycle(edges);
  if (cycle) {
    const first = containers.get(cycle[0])!.field;
    reader.fail(first, reader.peek(first), `starts a circle of containers waiting for each other (${cycle.join(' → ')})`, 'remove one of the dependencies');
  }
  for (const { container, dependency } of pending) container.addContainerDependencies(dependency);
}

/** A circle in `edges` (container → the containers it waits for), as the path round it, or undefined. */
function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of edges.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of edges.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
