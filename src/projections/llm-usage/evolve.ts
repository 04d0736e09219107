import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import type { Recorded } from '../../events/envelope.js';
import type { LlmUsageRow } from './schema.js';

/** The usage row an event records (null for events that are not an LLM call). Pure. */
export function usageRowOf(e: Recorded): LlmUsageRow | null {
  if (e.type !== 'InvestigationEnriched') return null;
  const d = e.data;
  return {
    event_id: e.id,
    site: 'enrichment',
    case_id: isCaseAggregate(e.aggregate) ? caseIdOf(e.aggregate) : null,
    subject_id: d.investigationId,
    occurred_at: e.occurredAt,
    day: e.occurredAt.slice(0, 10),
    provider: d.provider,
    model: d.model,
    outcome: d.error?.code ?? 'ok',
    input_tokens: d.usage.inputTokens,
    output_tokens: d.usage.outputTokens,
    cost_usd: d.usage.costUsd,
    last_seq: e.seq,
  };
}
