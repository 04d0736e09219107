import { z } from 'zod';
import type { InvestigationEnrichment, LlmClaim } from '../contract/enrichment.js';
import type { Report } from '../contract/report.js';
import type { DailyBudget } from './budget.js';
import { LlmError } from './errors.js';
import type { LlmModel, Usage } from './model.js';
import type { PriceTable } from '../shared/llm-config.js';
import { costUsd } from './prices.js';
import { newFence, untrustedDataRules, type Fence } from './prompt.js';
import { Redactor } from './redact.js';
import { reviewClaims, type Claim } from './review.js';

// Enrichment: after an investigation, one call turns the deterministic report into a short
// narrative (summary, likely root cause, next steps, unknowns). The report goes out redacted and
// fenced as untrusted data; what comes back is schema-checked, every claim must cite the run's
// evidence ids, and nothing of it touches the family, scores or verdict. Never throws: a failure
// is the event's `error`, and the deterministic report stands alone.

const claim = z.object({
  text: z.string().min(1).max(1000),
  evidence: z.array(z.string().max(100)).max(8),
});
export const enrichmentOutputSchema = z.object({
  summary: claim,
  likelyRootCause: claim,
  nextSteps: z.array(claim).max(6),
  unknowns: z.array(claim).max(6),
});
export type EnrichmentOutput = z.infer<typeof enrichmentOutputSchema>;

export interface EnrichDeps {
  model: LlmModel;
  redactPii: boolean;
  prices: PriceTable;
  budget?: DailyBudget;
  /** Fence nonce, for tests; random otherwise. */
  fence?: Fence;
}

/** Every evidence id the run produced: what a claim may cite. */
export function evidenceIdsOf(report: Report): Set<string> {
  const ids = new Set<string>(report.evidence.map((e) => e.id));
  for (const h of report.hypotheses) h.evidence.forEach((e) => ids.add(e));
  for (const c of report.changes.items) ids.add(c.evidenceId);
  for (const p of report.logFindings.patterns) p.evidenceIds.forEach((e) => ids.add(e));
  for (const s of report.logFindings.signatures) s.evidenceIds.forEach((e) => ids.add(e));
  for (const t of report.logFindings.stackTraces) ids.add(t.evidenceId);
  return ids;
}

/** What the model sees of the report: the facts and their ids, not the console's layout. */
export function reportFacts(report: Report) {
  return {
    alert: report.alert,
    window: report.window,
    deterministic: {
      summary: report.summary,
      verdict: report.verdict,
      family: report.family,
      classification: report.classification,
      classificationReason: report.classificationReason,
      scores: {
        impact: report.scores.impact,
        confidence: report.scores.confidence,
        noise: report.scores.noise,
      },
    },
    target: report.target,
    hypotheses: report.hypotheses.map((h) => ({
      title: h.title,
      score: h.score,
      rationale: h.rationale,
      evidence: h.evidence,
    })),
    blastRadius: report.blastRadius,
    changes: report.changes,
    logFindings: report.logFindings,
    nextSteps: report.nextSteps.map((n) => ({ kind: n.kind, title: n.title, command: n.command })),
    unknowns: report.unknowns,
    evidence: report.evidence.map((e) => ({
      id: e.id,
      title: e.title,
      source: e.source,
      status: e.status,
      finding: e.finding,
    })),
  };
}

export function enrichmentPrompt(report: Report, fence: Fence): { system: string; prompt: string } {
  const system = [
    'You are Tarka, an on-call assistant. A deterministic investigation already produced a report;',
    'its family, classification, scores and verdict are final and you must not restate them differently.',
    'Write a short narrative for the on-call engineer: summary, likely root cause, next steps, unknowns.',
    'Every statement must cite the ids of the evidence items it rests on (the "evidence" ids in the data),',
    'and only those ids. Say what is unknown instead of guessing. Placeholders such as [[ip_1]] stand for',
    'redacted values: keep them as they are.',
    untrustedDataRules(fence),
  ].join('\n');
  const prompt = [
    'The report of this investigation (JSON):',
    fence.wrap(JSON.stringify(reportFacts(report), null, 1)),
    'Answer with the JSON object asked for.',
  ].join('\n');
  return { system, prompt };
}

export async function enrich(
  investigationId: string,
  report: Report,
  deps: EnrichDeps,
): Promise<InvestigationEnrichment> {
  const redactor = new Redactor({ pii: deps.redactPii });
  const base: InvestigationEnrichment = {
    investigationId,
    provider: deps.model.ref.provider,
    model: deps.model.ref.model,
    claims: [],
    flagged: [],
    redaction: { pii: deps.redactPii, counts: {}, total: 0 },
    usage: { inputTokens: null, outputTokens: null, costUsd: null },
    error: null,
    note: null,
  };
  const refusal = await deps.budget?.refusal();
  if (refusal)
    return { ...base, error: { code: 'TARKA_LLM_BUDGET_EXCEEDED', message: refusal }, note: refusal };

  const { system, prompt } = enrichmentPrompt(report, deps.fence ?? newFence());
  // Redaction covers all that leaves: the instructions too, though Tarka wrote them.
  const sent = { system: redactor.redact(system), prompt: redactor.redact(prompt) };
  const receipt = redactor.receipt();
  const redaction = {
    pii: receipt.pii,
    counts: receipt.counts as Record<string, number>,
    total: receipt.total,
  };
  try {
    const out = await deps.model.generateObject({
      ...sent,
      schema: enrichmentOutputSchema,
      schemaName: 'InvestigationNarrative',
      schemaDescription: 'summary, likely root cause, next steps and unknowns, each citing evidence ids',
    });
    const usage: Usage = out.usage;
    const cost = costUsd(deps.prices, out.ref, usage);
    deps.budget?.record(cost);
    const { kept, flagged } = reviewClaims(claimsOf(out.object), {
      evidenceIds: evidenceIdsOf(report),
      classification: report.classification,
      family: report.family,
    });
    const restore = (c: Claim): LlmClaim => ({ ...c, text: redactor.restore(c.text) });
    const fellBack = out.ref.provider !== deps.model.ref.provider || out.ref.model !== deps.model.ref.model;
    return {
      ...base,
      provider: out.ref.provider,
      model: out.ref.model,
      claims: kept.map(restore),
      flagged: flagged.map((f) => ({ ...restore(f), reason: f.reason })),
      redaction,
      usage: { ...usage, costUsd: cost },
      note: fellBack ? `answered by the fallback ${out.ref.provider}:${out.ref.model}` : null,
    };
  } catch (e) {
    const err =
      e instanceof LlmError
        ? e
        : new LlmError('TARKA_LLM_UNAVAILABLE', (e as Error).message?.slice(0, 300) ?? 'failed');
    const usage: Usage = err.usage;
    const cost = costUsd(deps.prices, deps.model.ref, usage);
    deps.budget?.record(cost);
    return {
      ...base,
      redaction,
      usage: { ...usage, costUsd: cost },
      error: { code: err.code, message: err.message.slice(0, 500) },
    };
  }
}

function claimsOf(o: EnrichmentOutput): Claim[] {
  return [
    { section: 'summary' as const, ...o.summary },
    { section: 'root_cause' as const, ...o.likelyRootCause },
    ...o.nextSteps.map((c) => ({ section: 'next_step' as const, ...c })),
    ...o.unknowns.map((c) => ({ section: 'unknown' as const, ...c })),
  ];
}
