import type { FastifyInstance } from 'fastify';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../events/event-store.js';
import { caseAggregate } from '../contract/case-id.js';
import { caseIdSchema, caseListQuerySchema, type CaseDetail, type CaseList } from '../contract/views.js';
import { getCase, getInvestigations, listCases } from '../projections/cases/queries.js';
import { getCaseReport } from '../projections/case-reports/queries.js';
import { TarkaError } from '../shared/errors.js';
import { incidentsOfCases } from '../projections/incidents/queries.js';

/** Joined at read time, so the cases read model stays as it is; none while incidents are not built. */
const incidentsOf = (pool: DatabasePool, ids: string[]) =>
  incidentsOfCases(pool, ids).catch(() => new Map<string, string>());

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
    const incidents = Object.fromEntries(
      await incidentsOf(
        deps.readPool,
        cases.map((c) => c.caseId),
      ),
    );
    return { cases, total, limit: q.data.limit, offset: q.data.offset, incidents };
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
    const [report, incident] = await Promise.all([
      getCaseReport(deps.readPool, id.data, row?.investigationId ?? null),
      incidentsOf(deps.readPool, [id.data]),
    ]);
    return {
      incidentId: incident.get(id.data) ?? null,
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
