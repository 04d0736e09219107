import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One scenario's accounting, as the fault suite reports it. */
export interface FaultRow {
  scenario: string;
  /** Faults injected, each named, e.g. "SIGKILL stream leader n2". */
  faults: string[];
  /** Distinct alerts posted at least once. */
  sent: number;
  /** Distinct alerts whose POST got 202 at least once. */
  acknowledged: number;
  /** Acknowledged alerts found in the read models (the cases table); null: not counted. */
  inReadModels: number | null;
  /** Acknowledged alerts missing from the read models: must be 0; null: not counted. */
  lost: number | null;
  /** Alerts or investigations found more than once (events, rows): must be 0; null: not counted. */
  duplicated: number | null;
  /** Extra figures worth reading in a CI log (503s answered, seconds, …). */
  notes?: Record<string, string | number>;
}

function render(row: FaultRow): string {
  const head = ['faults injected', 'alerts sent', 'acknowledged', 'in read models', 'lost', 'duplicated'];
  const cells = [
    String(row.faults.length),
    String(row.sent),
    String(row.acknowledged),
    String(row.inReadModels ?? '?'),
    String(row.lost ?? '?'),
    String(row.duplicated ?? '?'),
  ];
  const width = head.map((h, i) => Math.max(h.length, cells[i]!.length));
  const line = (xs: string[]) => `| ${xs.map((x, i) => x.padStart(width[i]!)).join(' | ')} |`;
  const rule = `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const out = [
    '',
    `Fault suite: ${row.scenario}`,
    line(head),
    rule,
    line(cells),
    ...(row.faults.length > 10
      ? [`  faults: ${row.faults.join(', ')}`]
      : row.faults.map((f, i) => `  fault ${i + 1}: ${f}`)),
    ...Object.entries(row.notes ?? {}).map(([k, v]) => `  ${k}: ${v}`),
    '',
  ];
  return out.join('\n');
}

/**
 * Prints the table straight to the process's stderr (vitest shows it for passing tests too,
 * unlike console.log under some reporters) and keeps a copy in `dir`, so CI logs and artefacts
 * both carry it.
 */
export function printFaultTable(row: FaultRow, dir: string): string {
  const text = render(row);
  process.stderr.write(`${text}\n`);
  writeFileSync(join(dir, `fault-table-${row.scenario.replace(/[^a-z0-9-]+/gi, '-')}.txt`), `${text}\n`);
  return text;
}

/** A progress line on stderr, so a stuck fault scenario shows in the CI log where it stopped. */
export function trace(scenario: string, t0: number, message: string): void {
  process.stderr.write(`[faults ${scenario} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
}
