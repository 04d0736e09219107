import type {
  CaseView,
  InvestigationView as Investigation,
  StepView as Step,
} from '../../../src/contract/views.js';

// The console never shows a state older than one it showed before: a row (from a fetch or a
// frame) replaces what is on screen only if its own sequence is at least as new.

const newest = new Map<string, CaseView>();
const LIMIT = 20_000;

/** The newer of this row and the newest one seen for its case (which it then becomes). */
export function freshest(row: CaseView): CaseView {
  const known = newest.get(row.caseId);
  if (known && known.lastSeq > row.lastSeq) return known;
  newest.delete(row.caseId); // re-insert: the map's order is recency, the oldest go first
  newest.set(row.caseId, row);
  if (newest.size > LIMIT) newest.delete(newest.keys().next().value!);
  return row;
}

/** Merges steps by name, keeping the newer of two versions of one step; in the order they finished. */
export function mergeSteps(a: Step[], b: Step[]): Step[] {
  const byName = new Map<string, Step>();
  for (const s of [...a, ...b]) {
    const known = byName.get(s.step);
    if (!known || known.seq <= s.seq) byName.set(s.step, s);
  }
  return [...byName.values()].sort((x, y) => x.seq - y.seq);
}

/** Merges investigations by id, keeping the newer row and the union of steps; newest first. */
export function mergeInvestigations(a: Investigation[], b: Investigation[]): Investigation[] {
  const byId = new Map<string, Investigation>();
  for (const inv of [...a, ...b]) {
    const known = byId.get(inv.investigationId);
    if (!known) byId.set(inv.investigationId, inv);
    else {
      const row = known.lastSeq > inv.lastSeq ? known : inv;
      byId.set(inv.investigationId, { ...row, steps: mergeSteps(known.steps, inv.steps) });
    }
  }
  return [...byId.values()].sort(
    (x, y) => Date.parse(y.requestedAt) - Date.parse(x.requestedAt) || y.lastSeq - x.lastSeq,
  );
}
