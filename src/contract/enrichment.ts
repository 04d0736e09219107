import { z } from 'zod';

// The LLM narrative of an investigation (event InvestigationEnriched, shown beside the verdict).
// It never carries a family, score or verdict: those are the deterministic report's alone.

const s = (max: number) => z.string().max(max);

export const claimSections = ['summary', 'root_cause', 'next_step', 'unknown'] as const;
export const flagReasons = ['uncited', 'unknown_evidence', 'contradicts_verdict'] as const;

export const llmClaimSchema = z.object({
  section: z.enum(claimSections),
  text: s(2000),
  /** Evidence ids of the run the claim rests on (an `unknown` may cite none). */
  evidence: z.array(s(100)).max(12),
});

export const llmUsageSchema = z.object({
  /** null: the provider did not say (never guessed as 0). */
  inputTokens: z.number().int().nonnegative().nullable(),
  outputTokens: z.number().int().nonnegative().nullable(),
  /** null: usage unknown or the model has no price (see LLM_PRICES). */
  costUsd: z.number().nonnegative().nullable(),
});

export const redactionReceiptSchema = z.object({
  pii: z.boolean(),
  counts: z.record(s(40), z.number().int().nonnegative()),
  total: z.number().int().nonnegative(),
});

export const investigationEnrichedV1 = z.object({
  investigationId: s(200),
  provider: s(40).nullable(),
  model: s(200).nullable(),
  /** Claims that cite this run's evidence, PII put back; secrets stay as placeholders. */
  claims: z.array(llmClaimSchema).max(20),
  /** What the model said that was not kept, and why. */
  flagged: z.array(llmClaimSchema.extend({ reason: z.enum(flagReasons) })).max(20),
  redaction: redactionReceiptSchema,
  usage: llmUsageSchema,
  /** Why the narrative is missing (TARKA_LLM_*), when it is. */
  error: z.object({ code: s(60), message: s(500) }).nullable(),
  /** A remark for people, e.g. the budget note or that a fallback model answered. */
  note: s(500).nullable(),
});

export type LlmClaim = z.infer<typeof llmClaimSchema>;
export type LlmUsage = z.infer<typeof llmUsageSchema>;
export type RedactionReceiptView = z.infer<typeof redactionReceiptSchema>;
export type InvestigationEnrichment = z.infer<typeof investigationEnrichedV1>;

/** GET /api/llm-usage: LLM calls, tokens and estimated cost per UTC day and per model. */
export interface LlmUsageSums {
  calls: number;
  failed: number;
  /** Sums of what providers reported; `unknownUsage` calls are not in them. */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  unknownUsage: number;
}
export interface LlmUsageView {
  days: number;
  from: string;
  perDay: (LlmUsageSums & { day: string })[];
  byModel: (LlmUsageSums & { provider: string; model: string })[];
  budgetUsd: number | null;
  spentTodayUsd: number;
}

/**
 * One LLM call as a chat event records it (field `llm` of a chat turn's answer or failure, when
 * an LLM answered): the llm_usage read model counts any event data carrying it.
 */
export const llmCallSchema = z.object({
  provider: s(40).nullable(),
  model: s(200).nullable(),
  usage: llmUsageSchema,
  redaction: redactionReceiptSchema,
  error: z.object({ code: s(60), message: s(500) }).nullable(),
  stoppedBy: z.enum(['answer', 'limit', 'error']),
});
export type LlmCall = z.infer<typeof llmCallSchema>;
