// Markdown for on-call. Everything that came from outside (labels, log lines, API messages) is
// escaped: it cannot open a heading, list, link, image, table cell or HTML tag, and cannot close
// a code fence. Queries and commands go in fences longer than any backtick run they contain.

import type { MemorySection, Report } from '../contract/report.js';

const ZWSP = '&#8203;';

/**
 * Escapes untrusted text for inline Markdown (also safe inside a table cell). Newlines collapse to
 * spaces so no block can start mid-text; only characters with inline meaning are escaped, plus a
 * leading block marker, which keeps the raw Markdown readable.
 */
export function mdText(value: string): string {
  return (
    value
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
      .replace(/^([#+\-=])/, '\\$1')
      .replace(/^(\d+)([.)])/, '$1\\$2')
      // GFM turns bare www., scheme:// and e-mail addresses into links; a zero-width space stops it.
      .replace(/:\/\//g, `${ZWSP}://`)
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`)
      .replace(/@/g, `${ZWSP}@`)
  );
}

function longestRun(value: string, ch: string): number {
  let max = 0;
  let cur = 0;
  for (const c of value) {
    cur = c === ch ? cur + 1 : 0;
    if (cur > max) max = cur;
  }
  return max;
}

/** Inline code span for untrusted text; `cell` also escapes pipes for GFM tables. */
export function mdCode(value: string, cell = false): string {
  let v = value.replace(/\s+/g, ' ').trim();
  if (cell) v = v.replace(/\|/g, '\\|');
  if (!v) return '';
  const ticks = '`'.repeat(longestRun(v, '`') + 1);
  const pad = v.startsWith('`') || v.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${v}${pad}${ticks}`;
}

/** Fenced block that its content cannot close. */
export function mdFence(value: string, lang = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(value, '`') + 1));
  return `${fence}${lang}\n${value}\n${fence}`;
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
function table(head: string[], rows: string[][]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

const shorten = (v: string, n: number) => (v.length > n ? `${v.slice(0, n - 1)}…` : v);

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines, '');

  push(`# ${mdText(r.summary)}`);
  const team = r.target.team ? `${mdText(r.target.team.value)} (${mdText(r.target.team.source)})` : 'unknown';
  const env = r.target.environment
    ? `${mdText(r.target.environment.value)} (${mdText(r.target.environment.source)})`
    : 'unknown';
  push(
    table(
      ['', ''],
      [
        ['Classification', `**${r.classification}**: ${mdText(r.classificationReason)}`],
        [
          'Family',
          `${r.family}${r.familyDetail.subReason ? ` (${mdText(r.familyDetail.subReason)})` : ''}${r.familyDetail.preliminary !== r.family ? ` (from ${r.familyDetail.preliminary})` : ''}`,
        ],
        [
          'Target',
          `${mdText(r.target.display)}${r.target.cluster ? ` in cluster ${mdText(r.target.cluster)}` : ''}`,
        ],
        ['Team / environment', `${team} / ${env}`],
        [
          'Alert',
          `${mdText(r.alert.alertname)}, severity ${mdText(r.alert.severity ?? 'none')}, started ${mdText(r.alert.startsAt)}`,
        ],
        [
          'Scores',
          `impact ${r.scores.impact}, confidence ${r.scores.confidence}, noise ${r.scores.noise} (of 100)`,
        ],
      ],
    ),
  );

  push('## Verdict', mdText(r.verdict));

  push('## Hypotheses');
  if (!r.hypotheses.length) push('No hypothesis is supported by the evidence that could be collected.');
  r.hypotheses.forEach((h, i) => {
    push(`### ${i + 1}. ${mdText(h.title)} (${h.score}/100)`, mdText(h.rationale));
    if (h.evidence.length) push(`Evidence: ${h.evidence.map((id) => mdCode(id)).join(', ')}`);
    for (const q of h.queries) push(mdFence(q));
  });

  push('## Blast radius');
  const b = r.blastRadius;
  if (!b.known) push(`Unknown: ${mdText(b.reason ?? 'no data')}`);
  else {
    const lines = [
      `- Firing now: **${b.firing ?? 0}**${b.suppressed ? ` (${b.suppressed} suppressed)` : ''} in ${b.namespaces.count} namespaces and ${b.clusters.count} clusters`,
    ];
    if (b.namespaces.names.length)
      lines.push(`- Namespaces: ${b.namespaces.names.map((n) => mdCode(n)).join(', ')}`);
    if (b.clusters.names.length)
      lines.push(`- Clusters: ${b.clusters.names.map((n) => mdCode(n)).join(', ')}`);
    if (b.instances.length) lines.push(`- Instances: ${b.instances.map((n) => mdText(n)).join('; ')}`);
    if (b.thisAlertActive === false) lines.push('- This alert is no longer active in Alertmanager.');
    if (b.reason) lines.push(`- Note: ${mdText(b.reason)}`);
    push(lines.join('\n'));
  }
  const s = b.silences;
  push(
    s.known
      ? `Silences: ${s.active ?? 0} active for this alertname, ${s.matchingThisAlert ?? 0} matching this alert.${s.examples.length ? ` E.g. ${s.examples.map((e) => mdCode(e)).join('; ')}` : ''}`
      : 'Silences: unknown.',
  );

  push('## Changes');
  if (!r.changes.items.length) push(mdText(r.changes.reason ?? 'No changes found.'));
  else
    push(
      table(
        ['When', 'Workload', 'Revision', 'Images', 'Relative to alert'],
        r.changes.items.map((c) => [
          mdText(c.at),
          mdText(c.workload),
          mdText(c.revision),
          c.imageChanged
            ? `${c.imagesBefore.map((i) => mdCode(i, true)).join(', ') || 'none'} → ${c.imagesAfter.map((i) => mdCode(i, true)).join(', ')}`
            : 'unchanged',
          c.precedesAlert ? `${c.minutesBeforeAlert} min before` : `${-c.minutesBeforeAlert} min after`,
        ]),
      ),
    );

  if (r.memory) push(...memorySection(r.memory));

  push('## Next steps');
  if (!r.nextSteps.length) push('None: nothing to run for this alert.');
  for (const n of r.nextSteps) {
    push(
      `**${mdText(n.title)}** (${n.kind}): ${mdText(n.why)}`,
      mdFence(n.command, n.kind === 'promql' ? 'promql' : 'sh'),
    );
  }

  push('## Log findings');
  const l = r.logFindings;
  if (!l.known) push(mdText(l.reason ?? 'No logs were read.'));
  else {
    push(`${l.linesRead} lines read, ${l.errorLines} error-like.`);
    if (l.signatures.length)
      push(
        table(
          ['Signature', 'Count', 'Detail', 'Example', 'What to do'],
          l.signatures.map((x) => [
            mdText(x.title),
            String(x.count),
            x.detail ? mdCode(x.detail, true) : '',
            mdCode(shorten(x.example, 160), true),
            mdText(x.remediation),
          ]),
        ),
      );
    if (l.patterns.length)
      push(
        table(
          ['Count', 'Pattern', 'Example'],
          l.patterns.map((p) => [
            String(p.count),
            mdCode(p.pattern, true),
            mdCode(shorten(p.example, 160), true),
          ]),
        ),
      );
    for (const t of l.stackTraces) {
      push(
        `Stack trace (${t.language}, ×${t.count}, ${mdCode(t.evidenceId)}):`,
        mdFence([t.header, ...t.frames].join('\n')),
      );
    }
  }

  push('## Unknowns');
  push(
    r.unknowns.length
      ? r.unknowns.map((u) => `- ${mdText(u)}`).join('\n')
      : 'Nothing missing: every planned source answered.',
  );

  push('## Why this family', r.familyDetail.reasons.map((x) => `- ${mdText(x)}`).join('\n'));

  push(
    '## Score breakdown',
    table(
      ['Score', 'Factor', 'Points', 'Why'],
      r.scores.breakdown.map((f) => [
        f.score,
        mdText(f.factor),
        f.points > 0 ? `+${f.points}` : String(f.points),
        mdText(f.why),
      ]),
    ),
  );

  push(
    '## Evidence',
    table(
      ['ID', 'Source', 'Status', 'ms', 'Finding', 'Query'],
      r.evidence.map((e) => [
        mdCode(e.id, true),
        e.source,
        e.status,
        String(Math.round(e.durationMs)),
        mdText(e.finding),
        mdCode(shorten(e.query, 200), true),
      ]),
    ),
  );
  if (r.evidenceOmitted) push(`${r.evidenceOmitted} more evidence items omitted.`);
  return `${out.join('\n').trimEnd()}\n`;
}

const minutes = (m: number) => (m < 90 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);

/** Similar past incidents: why each matches (features, points of weight) and how it ended. */
export function memorySection(m: MemorySection): string[] {
  const out = ['## Similar past incidents', ''];
  if (m.status !== 'ok' || !m.matches.length) {
    out.push(mdText(m.reason ?? 'No similar past incident.'), '');
    return out;
  }
  m.matches.forEach((x, i) => {
    const where = [x.target ?? x.namespace, x.cluster ? `cluster ${x.cluster}` : null]
      .filter(Boolean)
      .join(', ');
    out.push(
      `### ${i + 1}. ${mdText(x.alertname)}${where ? ` on ${mdText(where)}` : ''} (score ${x.score}/100)`,
      '',
      `Case ${mdCode(x.caseId)} episode ${x.episode}, started ${mdText(x.startedAt)}${x.summary ? `: ${mdText(x.summary)}` : ''}`,
      '',
      'Why it matches:',
      '',
      x.features.map((f) => `- ${mdText(f.detail)} (+${f.points} of ${f.weight})`).join('\n'),
      '',
    );
    const res = x.resolution;
    const took = res.minutesToResolve === null ? '' : ` after ${minutes(res.minutesToResolve)}`;
    const closed = res.category
      ? `Closed as **${mdText(res.category)}**${res.by ? ` by ${mdText(res.by)}` : ''}${took}${res.note ? `: ${mdText(res.note)}` : ' (no note)'}`
      : `Not closed by anyone${took ? `; the alert ended${took}` : ''}.`;
    const again = res.firedAgain
      ? `Fired again afterwards (${mdText(res.firedAgainAt ?? 'time unknown')}).`
      : 'Did not fire again afterwards.';
    out.push(`${closed} ${again}`, '');
  });
  return out;
}
