import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import { findSimilar } from '../../memory/find-similar.js';
import { citeCase } from '../cite.js';
import type { ChatTool, SimilarCase } from '../types.js';

const input = z.object({ limit: z.number().int().min(1).max(10).default(5) });

/** Similar past incidents from case memory (findSimilar), with why each matches and how it ended. */
export const similarTool: ChatTool<z.infer<typeof input>> = {
  name: 'similar_cases',
  description:
    'Past cases similar to this one (same workload, service, alert family, log signature, change pattern), ranked, with why each matches and how it was resolved.',
  inputSchema: input,
  request: (i, ctx) => `findSimilar(${ctx.caseId ?? '?'}, ${i.limit})`,
  async run(i, ctx) {
    if (!ctx.caseId)
      return {
        status: 'error',
        code: 'TARKA_CHAT_QUERY_INVALID',
        summary: 'not a case thread',
        result: null,
        citations: [],
      };
    let found: SimilarCase[];
    try {
      found = await ctx.deps.findSimilar(ctx.deps.readPool, ctx.caseId, i.limit);
    } catch (e) {
      return {
        status: 'unavailable',
        code: 'TARKA_CHAT_SOURCE_UNAVAILABLE',
        summary: `case memory did not answer: ${(e as Error).message.slice(0, 200)}`,
        result: null,
        citations: [],
      };
    }
    return {
      status: found.length ? 'ok' : 'empty',
      summary: `${found.length} similar past case${found.length === 1 ? '' : 's'}`,
      result: { similar: found },
      citations: found.map((c) => citeCase(c.caseId, `${c.alertname} (score ${c.score})`)),
    };
  },
};

/** Case memory's lookup with the signature tools take: the case's newest episode against the past. */
export async function similarFromMemory(
  pool: DatabasePool,
  caseId: string,
  limit: number,
): Promise<SimilarCase[]> {
  return (await findSimilar(pool, caseId, { limit })).matches;
}
