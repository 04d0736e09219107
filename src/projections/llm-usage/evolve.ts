import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { llmCallSchema } from '../../contract/enrichment.js';
import type { Recorded } from '../../events/envelope.js';
import type { LlmUsageRow } from './schema.js';

/**
 * The usage row an event records (null for events that are not an LLM call). Pure. An
 * enrichment is one; so is any chat event whose data carries an `llm` call record (llmCallSchema),
 * counted per turn.
 */
export function usageRowOf(e: Recorded): LlmUsageRow | null {
  const caseId = isCaseAggregate(e.aggregate) ? caseIdOf(e.aggregate) : null;
  const common = {
    event_id: e.id,
    case_id: caseId,
    occurred_at: e.occurredAt,
    day: e.occurredAt.slice(0, 10),
    last_seq: e.seq,
  };
  if (e.type === 'InvestigationEnriched') {
    const d = e.data;
    return {
      ...common,
      site: 'enrichment',
      subject_id: d.investigationId,
      provider: d.provider,
      model: d.model,
      outcome: d.error?.code ?? 'ok',
      input_tokens: d.usage.inputTokens,
      output_tokens: d.usage.outputTokens,
      cost_usd: d.usage.costUsd,
    };
  }
  const data = e.data as Record<string, unknown>;
  if (!('llm' in data)) return null;
  const call = llmCallSchema.safeParse(data.llm);
  if (!call.success) return null;
  const c = call.data;
  return {
    ...common,
    site: 'chat',
    subject_id: typeof data.turnId === 'string' ? data.turnId : e.id,
    provider: c.provider,
    model: c.model,
    outcome: c.error?.code ?? 'ok',
    input_tokens: c.usage.inputTokens,
    output_tokens: c.usage.outputTokens,
    cost_usd: c.usage.costUsd,
  };
}
