import type { DatabasePool } from 'slonik';
import type { MemorySection, RecordedReport } from '../contract/report.js';
import { featuresFromLabels, featuresFromReport } from '../projections/memory/features.js';
import { findSimilar } from './find-similar.js';

/** What an investigation asks memory: its report, its alert's labels, and which episode it is. */
export interface RecallInput {
  report: RecordedReport;
  labels: Record<string, string>;
  about: { caseId: string; episode: number };
}

export type Recall = (input: RecallInput) => Promise<MemorySection>;

/**
 * The investigation's memory step: past episodes like this one (its own earlier episodes
 * included), bounded in matches and time. Never throws: a database that is down or slow makes the
 * section `unavailable`, and the report is written without matches.
 */
export function memoryRecall(
  pool: DatabasePool,
  options: { limit?: number; timeoutMs?: number } = {},
): Recall {
  const limit = options.limit ?? 5;
  const timeoutMs = options.timeoutMs ?? 3000;
  return async ({ report, labels, about }) => {
    const features = featuresFromReport(featuresFromLabels(labels), report);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { matches } = await Promise.race([
        findSimilar(pool, features, { limit, excludeEpisode: about }),
        late,
      ]);
      return matches.length
        ? { status: 'ok', reason: null, matches }
        : { status: 'empty', reason: 'no past incident shares enough with this one', matches: [] };
    } catch (e) {
      return {
        status: 'unavailable',
        reason: `case memory could not be read: ${String((e as Error).message ?? e).slice(0, 200)}`,
        matches: [],
      };
    } finally {
      clearTimeout(timer);
    }
  };
}
