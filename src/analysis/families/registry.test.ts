import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../contract/taxonomy.js';
import { EXPR_PATTERNS, FAMILY_MODULES, familyModule, NAME_PATTERNS } from './registry.js';

describe('family registry', () => {
  it('has exactly one module per family name of the contract, each in its own file', () => {
    expect(FAMILY_MODULES.map((m) => m.family).sort()).toEqual([...FAMILIES].sort());
    const files = readdirSync(import.meta.dirname).filter(
      (f) =>
        f.endsWith('.ts') && !f.endsWith('.test.ts') && !['registry.ts', 'types.ts', 'shared.ts'].includes(f),
    );
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...FAMILIES].sort());
  });

  it('names no alert in two families', () => {
    const seen = new Map<string, string>();
    for (const m of FAMILY_MODULES)
      for (const name of Object.keys(m.alertNames ?? {})) {
        expect(seen.get(name), `${name} in ${m.family} and ${seen.get(name)}`).toBeUndefined();
        seen.set(name, m.family);
      }
  });

  it('tries patterns in a stable order with meta and the monitoring pipeline first', () => {
    expect(NAME_PATTERNS[0]!.family).toBe('meta');
    const first = (f: string) => NAME_PATTERNS.findIndex((p) => p.family === f);
    // AlertmanagerClusterCrashlooping is about the pipeline, PrometheusTargetMissing a target down.
    expect(first('target_down')).toBeLessThan(first('observability_pipeline'));
    expect(first('observability_pipeline')).toBeLessThan(first('crashloop'));
    expect(EXPR_PATTERNS.at(-1)!.family).toBe('target_down');
    expect(() => familyModule('nope' as never)).toThrow(/no module/);
  });
});
