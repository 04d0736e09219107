import type { FastifyInstance } from 'fastify';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../events/event-store.js';
import { caseAggregate } from '../contract/case-id.js';
import { caseIdSchema, caseListQuerySchema, type CaseDetail, type CaseList } from '../contract/views.js';
import { getCase, getInvestigations, listCases } from '../projections/cases/queries.js';
import { getCaseReport } from '../projections/case-reports/queries.js';
import { TarkaError } from '../shared/errors.js';

export function apiRoutes(app: FastifyInstance, deps: { readPool: DatabasePool; store: EventStore }) {
  app.get('/api/cases', async (req): Promise<CaseList> => {
    const q = caseListQuerySchema.safeParse(req.query);
    if (!q.success) {
      throw new TarkaError(
        'TARKA_BAD_REQUEST',
        q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    const { cases, total } = await listCases(deps.readPool, q.data);
    return { cases, total, limit: q.data.limit, offset: q.data.offset };
  });

  app.get<{ Params: { id: string } }>('/api/cases/:id', async (req): Promise<CaseDetail> => {
    const id = caseIdSchema.safeParse(req.params.id);
    if (!id.success)
      throw new TarkaError('TARKA_NOT_FOUND', 'no such case', 'list cases with GET /api/cases');
    // The log is the truth for the history; the row may trail it by a projector batch.
    const [row, stream, investigations] = await Promise.all([
      getCase(deps.readPool, id.data),
      deps.store.readAggregate(caseAggregate(id.data)),
      getInvestigations(deps.readPool, id.data),
    ]);
    if (!row && stream.version === 0)
      throw new TarkaError('TARKA_NOT_FOUND', `no case ${id.data}`, 'list cases with GET /api/cases');
    const report = await getCaseReport(deps.readPool, id.data, row?.investigationId ?? null);
    return {
      case: row,
      version: stream.version,
      investigations,
      report,
      events: stream.events.map((e) => ({
        id: e.id,
        seq: e.seq,
        index: e.index,
        type: e.type,
        schema: e.schema,
        occurredAt: e.occurredAt,
        correlationId: e.correlationId,
        // Every case event's data is an object (each schema in events/case-events.ts is z.object).
        data: e.data as Record<string, unknown>,
      })),
    };
  });
}
