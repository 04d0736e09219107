import type { FastifyInstance } from 'fastify';
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { dashboard, facets } from '../projections/cases/dashboard.js';
import { llmUsage } from '../projections/llm-usage/queries.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';

const querySchema = z.object({ days: z.coerce.number().int().min(1).max(90).default(7) });

export function dashboardRoutes(app: FastifyInstance, deps: { readPool: DatabasePool; config: Config }) {
  app.get('/api/dashboard', async (req) => {
    const q = querySchema.safeParse(req.query);
    if (!q.success) throw new TarkaError('TARKA_BAD_REQUEST', 'days: a whole number from 1 to 90');
    return dashboard(deps.readPool, q.data.days);
  });
  app.get('/api/facets', async () => facets(deps.readPool));
  // LLM calls, tokens and estimated cost per day and model (empty while LLM_ENABLED is false).
  app.get('/api/llm-usage', async (req) => {
    const q = querySchema.safeParse(req.query);
    if (!q.success) throw new TarkaError('TARKA_BAD_REQUEST', 'days: a whole number from 1 to 90');
    return llmUsage(deps.readPool, q.data.days, deps.config.LLM_DAILY_BUDGET_USD ?? null);
  });
}
