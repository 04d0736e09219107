import { z } from 'zod';
import { caseStatus } from '../case-facts.js';
import { citeCase, citeEvidence, citeQuery } from '../cite.js';
import type { ChatTool } from '../types.js';

const input = z.object({
  section: z.enum(['summary', 'classification', 'changes', 'hypotheses']).default('summary'),
});

/** Reads the case's latest report section from the case's events (the truth, never the read model). */
export const caseReportTool: ChatTool<z.infer<typeof input>> = {
  name: 'case_report',
  description:
    "Reads a section of this case's latest investigation report: summary (status, verdict, scores), classification (why, score factors), changes (rollouts before the alert), hypotheses (claims with their evidence ids and queries).",
  inputSchema: input,
  request: (i, ctx) => `case ${ctx.caseId ?? '?'} report section ${i.section}`,
  async run(i, ctx) {
    const f = ctx.facts;
    if (!f || !ctx.caseId) {
      return {
        status: 'error',
        code: 'TARKA_CHAT_QUERY_INVALID',
        summary: 'not a case thread',
        result: null,
        citations: [],
      };
    }
    const r = f.report;
    const now = ctx.deps.now();
    const base = {
      status: caseStatus(f, now),
      alertname: f.alertname,
      episode: f.episode,
      startsAt: f.episodeStartsAt,
      investigations: f.investigations.slice(-5),
      closed: f.closed,
    };
    const citations = [citeCase(ctx.caseId, f.alertname ?? ctx.caseId)];
    if (!r) {
      return {
        status: 'empty',
        summary: 'no finished investigation yet',
        result: { ...base, report: null },
        citations,
      };
    }
    const ids = new Set<string>();
    let result: unknown;
    switch (i.section) {
      case 'summary':
        result = {
          ...base,
          summary: r.summary ?? null,
          verdict: r.verdict ?? null,
          family: r.family ?? null,
          classification: r.classification ?? null,
          target: r.target?.display ?? null,
          scores: {
            impact: score(r.scores?.impact),
            confidence: score(r.scores?.confidence),
            noise: score(r.scores?.noise),
          },
          topHypothesis: r.hypotheses?.[0] ?? null,
        };
        for (const id of r.hypotheses?.[0]?.evidence ?? []) ids.add(id);
        break;
      case 'classification':
        result = {
          classification: r.classification ?? null,
          reason: r.classificationReason ?? null,
          family: r.family ?? null,
          familyReasons: r.familyDetail?.reasons ?? [],
          scores: {
            impact: score(r.scores?.impact),
            confidence: score(r.scores?.confidence),
            noise: score(r.scores?.noise),
          },
          factors: (r.scores?.breakdown ?? [])
            .slice()
            .sort((a, b) => Math.abs(b.points ?? 0) - Math.abs(a.points ?? 0))
            .slice(0, 8),
        };
        break;
      case 'changes':
        result = {
          known: r.changes?.known ?? false,
          reason: r.changes?.reason ?? null,
          items: r.changes?.items ?? [],
        };
        for (const c of r.changes?.items ?? []) if (c.evidenceId) ids.add(c.evidenceId);
        break;
      case 'hypotheses':
        result = { hypotheses: r.hypotheses ?? [], logPatterns: (r.logFindings?.patterns ?? []).slice(0, 5) };
        for (const h of r.hypotheses ?? []) for (const id of h.evidence ?? []) ids.add(id);
        break;
    }
    const evidence = r.evidence ?? [];
    for (const id of ids) {
      const item = evidence.find((e) => e.id === id);
      citations.push(citeEvidence(ctx.caseId, id, item?.title ?? id));
      if (item?.query) citations.push(citeQuery(id, item.query));
    }
    return {
      status: 'ok',
      summary: `read ${i.section} of the report of investigation ${f.reportInvestigationId}`,
      evidenceIds: [...ids],
      result,
      citations,
    };
  },
};

/** Scores as reports wrote them: a number, or `{ value }` in older reports. */
export function score(v: number | { value?: number } | undefined): number | null {
  if (typeof v === 'number') return v;
  return typeof v?.value === 'number' ? v.value : null;
}
