import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../events/event-store.js';
import { IncidentCommandHandler } from '../commands/incident/handler.js';
import { INCIDENT_ID } from '../contract/incident-id.js';
import { caseIdSchema } from '../contract/views.js';
import { getIncident, listIncidents } from '../projections/incidents/queries.js';
import { TarkaError } from '../shared/errors.js';
import { actorOf, requireRole } from '../auth/principal.js';

const incidentId = z.string().regex(INCIDENT_ID, { message: 'an incident id (inc-…)' });
const note = z
  .string()
  .max(2000)
  .nullish()
  .transform((v) => v ?? null);

const listQuery = z.object({
  status: z.enum(['open', 'resolved', 'merged']).optional(),
  minMembers: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const splitBody = z.object({ caseId: caseIdSchema, note });
const mergeBody = z.object({ into: incidentId, from: z.array(incidentId).min(1).max(50), note });

function parse<T>(schema: z.ZodType<T>, v: unknown): T {
  const r = schema.safeParse(v ?? {});
  if (!r.success)
    throw new TarkaError(
      'TARKA_BAD_REQUEST',
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return r.data;
}

/** Incidents (alert storms): list, one with its members, and a person's split and merge. */
export function incidentRoutes(app: FastifyInstance, deps: { store: EventStore; readPool: DatabasePool }) {
  const handler = new IncidentCommandHandler(deps.store);
  const preHandler = requireRole('responder');

  app.get('/api/incidents', async (req) => listIncidents(deps.readPool, parse(listQuery, req.query)));

  app.get<{ Params: { id: string } }>('/api/incidents/:id', async (req) => {
    const id = incidentId.safeParse(req.params.id);
    const found = id.success ? await getIncident(deps.readPool, id.data) : null;
    if (!found)
      throw new TarkaError('TARKA_NOT_FOUND', 'no such incident', 'list incidents with GET /api/incidents');
    return found;
  });

  app.post<{ Params: { id: string } }>('/api/incidents/:id/split', { preHandler }, async (req, reply) => {
    const id = incidentId.safeParse(req.params.id);
    if (!id.success) throw new TarkaError('TARKA_NOT_FOUND', 'no such incident');
    const body = parse(splitBody, req.body);
    const at = new Date().toISOString();
    const res = await handler.handle(
      id.data,
      { type: 'SplitCase', caseId: body.caseId, by: actorOf(req), note: body.note, at },
      `split:${id.data}:${body.caseId}:${at}`,
    );
    return reply
      .status(res.events.length ? 202 : 200)
      .send({ incidentId: id.data, changed: res.events.length > 0 });
  });

  // Two aggregates change: each `from` is marked merged first (it takes no one in after that),
  // then `into` takes their members. A retry after a crash in between finishes the merge.
  app.post('/api/incidents/merge', { preHandler }, async (req, reply) => {
    const body = parse(mergeBody, req.body);
    const by = actorOf(req);
    const at = new Date().toISOString();
    const target = await handler.load(body.into);
    if (!target.state.exists) throw new TarkaError('TARKA_NOT_FOUND', `no such incident ${body.into}`);
    const from = [];
    for (const f of [...new Set(body.from)].filter((x) => x !== body.into)) {
      const res = await handler.handle(
        f,
        { type: 'MergeInto', into: body.into, self: f, by, note: body.note, at },
        `merge:${f}:${body.into}`,
      );
      const members = res.state.members
        .filter((m) => m.status !== 'split')
        .map((m) => ({ caseId: m.caseId, alertname: m.alertname }));
      from.push({ incidentId: f, members });
    }
    if (from.length === 0)
      throw new TarkaError('TARKA_BAD_REQUEST', 'nothing to merge', 'name other incidents in from');
    const res = await handler.handle(
      body.into,
      { type: 'AbsorbIncidents', into: body.into, from, by, note: body.note, at },
      `absorb:${body.into}:${from.map((f) => f.incidentId).join(',')}`,
    );
    return reply
      .status(res.events.length ? 202 : 200)
      .send({ incidentId: body.into, changed: res.events.length > 0 });
  });
}
