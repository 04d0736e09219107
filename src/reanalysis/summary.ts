import type { ChangedField } from './diff.js';
import type { ReanalyzeResult, Revision } from './reanalyze.js';

// The diff summary `tarka reanalyze` prints: counts per key field, then a few examples of each.

const LABEL: Record<ChangedField, string> = {
  family: 'families',
  classification: 'classifications',
  topHypothesis: 'top hypotheses',
};

const show = (v: string | null) => (v === null ? '(none)' : JSON.stringify(v));

export function formatSummary(r: ReanalyzeResult, examplesPerField = 5): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'would be revised' : 'revised';
  const appended = r.revisions.filter((x) => x.appended).length;
  lines.push(
    `reanalyzed ${r.examined} report${r.examined === 1 ? '' : 's'}: ${r.revisions.length} ${verb}, ` +
      `${r.unchanged} unchanged, ${r.skipped.length} skipped` +
      (r.dryRun ? ' (dry run: nothing appended)' : `; ${appended} ReportRevised appended`),
  );
  const fields: ChangedField[] = ['family', 'classification', 'topHypothesis'];
  for (const f of fields)
    lines.push(
      `  ${`${LABEL[f]} changed:`.padEnd(26)}${r.revisions.filter((x) => x.fields.includes(f)).length}`,
    );
  lines.push(
    `  ${'other changes only:'.padEnd(26)}${r.revisions.filter((x) => x.fields.length === 0).length}`,
  );
  for (const f of fields) {
    const some = r.revisions.filter((x) => x.fields.includes(f)).slice(0, examplesPerField);
    if (some.length === 0) continue;
    lines.push(`${LABEL[f]}:`);
    for (const x of some) lines.push(`  ${where(x)}: ${show(x.before[f])} -> ${show(x.after[f])}`);
  }
  if (r.skipped.length > 0) {
    lines.push('skipped (evidence that cannot be re-read):');
    for (const s of r.skipped.slice(0, 20))
      lines.push(`  case ${s.caseId} (${s.investigationId}): ${s.reason}`);
    if (r.skipped.length > 20) lines.push(`  … and ${r.skipped.length - 20} more`);
  }
  return lines.join('\n');
}

const where = (x: Revision) =>
  `case ${x.caseId} (${x.investigationId}, v${x.fromVersion} -> v${x.toVersion})`;
