import { Counter, type Registry } from 'prom-client';
import type { InvestigationEnrichment } from '../contract/enrichment.js';

// LLM calls on /metrics: calls by outcome, tokens, estimated cost, calls whose usage the provider
// did not report (their tokens and cost are missing from the sums), redactions and flagged claims.
// Registered once per registry: `tarka up` runs several roles on one.

export type LlmMetrics = ReturnType<typeof create>;
const made = new WeakMap<Registry, LlmMetrics>();

export function llmMetrics(registry: Registry): LlmMetrics {
  let m = made.get(registry);
  if (!m) made.set(registry, (m = create(registry)));
  return m;
}

function create(registry: Registry) {
  const registers = [registry];
  return {
    calls: new Counter({
      name: 'tarka_llm_calls_total',
      help: 'LLM calls by call site (enrichment, chat), provider, model and outcome (ok or a TARKA_LLM_* code)',
      labelNames: ['site', 'provider', 'model', 'outcome'] as const,
      registers,
    }),
    tokens: new Counter({
      name: 'tarka_llm_tokens_total',
      help: 'Tokens the providers reported, by direction (input, output)',
      labelNames: ['site', 'provider', 'model', 'direction'] as const,
      registers,
    }),
    cost: new Counter({
      name: 'tarka_llm_cost_usd_total',
      help: 'Estimated LLM cost in USD (price table; calls with unknown usage or price not counted)',
      labelNames: ['site', 'provider', 'model'] as const,
      registers,
    }),
    unknownUsage: new Counter({
      name: 'tarka_llm_usage_unknown_total',
      help: 'LLM calls whose token usage or price is unknown (not in the token and cost sums)',
      labelNames: ['site', 'provider', 'model'] as const,
      registers,
    }),
    redactions: new Counter({
      name: 'tarka_llm_redactions_total',
      help: 'Values redacted before a call, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    flagged: new Counter({
      name: 'tarka_llm_claims_flagged_total',
      help: 'LLM claims dropped by the review, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}

/** Counts one call from its recorded outcome (an enrichment event's data, or a chat turn's). */
export function observeCall(
  m: LlmMetrics,
  site: 'enrichment' | 'chat',
  e: Pick<InvestigationEnrichment, 'provider' | 'model' | 'usage' | 'error' | 'redaction'> & {
    flagged?: InvestigationEnrichment['flagged'];
  },
): void {
  const labels = { site, provider: e.provider ?? 'none', model: e.model ?? 'none' };
  m.calls.inc({ ...labels, outcome: e.error?.code ?? 'ok' });
  if (e.error?.code === 'TARKA_LLM_BUDGET_EXCEEDED') return; // no call was made
  if (e.usage.inputTokens !== null) m.tokens.inc({ ...labels, direction: 'input' }, e.usage.inputTokens);
  if (e.usage.outputTokens !== null) m.tokens.inc({ ...labels, direction: 'output' }, e.usage.outputTokens);
  if (e.usage.costUsd !== null) m.cost.inc(labels, e.usage.costUsd);
  else m.unknownUsage.inc(labels);
  for (const [kind, n] of Object.entries(e.redaction.counts)) m.redactions.inc({ kind }, n);
  for (const f of e.flagged ?? []) m.flagged.inc({ reason: f.reason });
}
