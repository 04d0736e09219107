import type { ProjectorRunner } from '../../src/projections/engine/runner.js';

/** The runner of one projector by its name, so tests do not depend on the registry's order. */
export function runnerOf(runners: ProjectorRunner[], name: string): ProjectorRunner {
  const runner = runners.find((r) => r.projection.name === name);
  if (!runner) throw new Error(`no projector named ${name} (have ${runners.map((r) => r.projection.name)})`);
  return runner;
}
