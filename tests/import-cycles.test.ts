import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DependencyTree } from 'dpdm';

// No import cycles in src/, between modules nor between top-level folders (src/<folder>/).
// dpdm reads the TypeScript sources with tsconfig.json's resolution (ESM `./x.js` specifiers map to
// `./x.ts`); type-only imports count too, since a cycle of types is still a tangle of ownership.
// On failure the test lists the cycles; break one by moving the shared type or function to the
// module that owns it.

// dpdm's ESM build imports extensionless paths that Node cannot load: use its CommonJS build.
const { parseDependencyTree, parseCircular } = createRequire(import.meta.url)(
  'dpdm',
) as typeof import('dpdm');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Folder edges still part of a cycle, allowed until the slice that removes them lands. Each is the
 * one edge of its cycle that is meant to go; with these left out, the folder graph must be acyclic,
 * so no new cycle can appear. Remove an entry as soon as its edge is gone (the test says so).
 */
const KNOWN_FOLDER_EDGES: Record<string, string> = {};

/** Test code: suites and contracts import the test kit, which imports what it tests. */
const isTestCode = (file: string) =>
  /\.test\.ts$|\.contract\.ts$/.test(file) || file.startsWith('src/testkit/');

const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : file;
};

let tree: DependencyTree;

beforeAll(async () => {
  tree = await parseDependencyTree('src/**/*.ts', {
    cwd: root,
    context: root,
    tsconfig: join(root, 'tsconfig.json'),
    transform: false,
  });
}, 60_000);

/** Imports dpdm could not resolve would hide edges (and so cycles). */
function unresolved(): string[] {
  const out: string[] = [];
  for (const [file, deps] of Object.entries(tree)) {
    for (const d of deps ?? []) {
      if (d.id === null && d.request.startsWith('.')) out.push(`${file}: ${d.request}`);
    }
  }
  return out;
}

/** folder -> folder -> one import that makes the edge (file -> file). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const [file, deps] of Object.entries(tree)) {
    if (!file.startsWith('src/') || isTestCode(file)) continue;
    for (const d of deps ?? []) {
      if (!d.id?.startsWith('src/')) continue;
      const from = folderOf(file);
      const to = folderOf(d.id);
      if (from === to) continue;
      const out = graph.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `${file} -> ${d.id}`);
      graph.set(from, out);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

describe('import cycles in src/', () => {
  it('resolves every relative import (so no edge is missed)', () => {
    expect(unresolved()).toEqual([]);
  });

  it('has no cycle between modules', () => {
    const found = parseCircular(tree).map((cycle) => [...cycle, cycle[0]].join(' -> '));
    expect(found, 'module cycles').toEqual([]);
  });

  it('has no new cycle between top-level folders', () => {
    const graph = folderGraph();
    for (const edge of Object.keys(KNOWN_FOLDER_EDGES)) {
      const [from, to] = edge.split(' -> ') as [string, string];
      graph.get(from)?.delete(to);
    }
    const found = cycles(graph).map((component) => {
      const members = new Set(component);
      const edges = component.flatMap((from) =>
        [...(graph.get(from) ?? [])]
          .filter(([to]) => members.has(to))
          .map(([to, example]) => `${from} -> ${to} (e.g. ${example})`),
      );
      return `${component.join(' <-> ')}: ${edges.join('; ')}`;
    });
    expect(found, 'folder cycles').toEqual([]);
  });

  it('lists only known folder edges that still exist', () => {
    const graph = folderGraph();
    const stale = Object.keys(KNOWN_FOLDER_EDGES).filter((edge) => {
      const [from, to] = edge.split(' -> ') as [string, string];
      return !graph.get(from)?.has(to);
    });
    expect(stale, 'gone: remove from KNOWN_FOLDER_EDGES').toEqual([]);
  });
});
