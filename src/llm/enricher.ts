import type { InvestigationEnrichment } from '../contract/enrichment.js';
import { reportSchemaV1 } from '../contract/report.js';
import { enrich } from './enrich.js';
import type { LlmSetup } from './setup.js';

// What the worker calls after an investigation completed: the narrative as event data, or null
// when there is nothing to enrich. Never throws (enrich turns every failure into the event's error).

export type Enricher = (investigationId: string, report: unknown) => Promise<InvestigationEnrichment | null>;

export function enricherOf(setup: LlmSetup, onResult?: (e: InvestigationEnrichment) => void): Enricher {
  return async (investigationId, report) => {
    // The analysis' own report: anything else (none, an older shape) is not enriched.
    const parsed = reportSchemaV1.safeParse(report);
    if (!parsed.success) return null;
    const out = await enrich(investigationId, parsed.data, {
      model: setup.model,
      redactPii: setup.redactPii,
      prices: setup.prices,
      budget: setup.budget,
    });
    onResult?.(out);
    return out;
  };
}
