import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { LlmUsageView } from '../../contract/enrichment.js';

const dayRow = z.object({
  day: z.string(),
  calls: z.coerce.number(),
  failed: z.coerce.number(),
  inputTokens: z.coerce.number(),
  outputTokens: z.coerce.number(),
  costUsd: z.coerce.number(),
  unknownUsage: z.coerce.number(),
});
const modelRow = dayRow.omit({ day: true }).extend({ provider: z.string(), model: z.string() });

// Sums of known figures, with how many calls they leave out (unknown usage or price): a sum is
// never passed off as complete when it is not.
const sums = sql.fragment`
  count(*)::int AS calls,
  (count(*) FILTER (WHERE outcome <> 'ok'))::int AS failed,
  COALESCE(sum(input_tokens), 0)::float8 AS "inputTokens",
  COALESCE(sum(output_tokens), 0)::float8 AS "outputTokens",
  COALESCE(sum(cost_usd), 0)::float8 AS "costUsd",
  (count(*) FILTER (WHERE cost_usd IS NULL AND outcome <> 'TARKA_LLM_BUDGET_EXCEEDED'))::int AS "unknownUsage"`;

/** LLM calls per UTC day and per model over the last `days` days. */
export async function llmUsage(
  pool: CommonQueryMethods,
  days: number,
  budgetUsd: number | null,
): Promise<LlmUsageView> {
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const [perDay, byModel] = await Promise.all([
    pool.any(
      sql.type(dayRow)`SELECT day, ${sums} FROM llm_usage WHERE day >= ${from} GROUP BY day ORDER BY day`,
    ),
    pool.any(sql.type(modelRow)`
      SELECT COALESCE(provider, '') AS provider, COALESCE(model, '') AS model, ${sums}
      FROM llm_usage WHERE day >= ${from} GROUP BY 1, 2 ORDER BY "costUsd" DESC, calls DESC LIMIT 20`),
  ]);
  const spentToday = perDay.find((d) => d.day === today)?.costUsd ?? 0;
  return { days, from, perDay: [...perDay], byModel: [...byModel], budgetUsd, spentTodayUsd: spentToday };
}

/** Estimated USD spent on LLM calls on one UTC day (known costs only): the shared daily budget. */
export async function spentOn(pool: CommonQueryMethods, day: string): Promise<number> {
  return pool.oneFirst(
    sql.type(z.object({ spent: z.coerce.number() }))`
      SELECT COALESCE(sum(cost_usd), 0)::float8 AS spent FROM llm_usage WHERE day = ${day}`,
  );
}
