import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { CaseCommand } from '../commands/case/commands.js';
import { CLOSE_CATEGORIES } from '../contract/status.js';
import { caseIdSchema as caseId } from '../contract/views.js';
import { durationMs, type Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import type { RequestSource } from '../events/auth-events.js';
import { actorOf, requestSource, requireRole } from '../auth/principal.js';

const note = z
  .string()
  .max(4000)
  .nullish()
  .transform((v) => v ?? null);

const bodies = {
  snooze: z.union([
    z.object({
      duration: z.string().regex(/^\d+(m|h|d)$/, { message: 'a duration such as 30m, 4h or 1d' }),
      note,
    }),
    z.object({ until: z.iso.datetime({ offset: true }), note }),
  ]),
  resolve: z.object({
    category: z.enum(CLOSE_CATEGORIES),
    note,
  }),
  reopen: z.object({ note }),
  rerun: z.object({}).passthrough(),
};
type Action = keyof typeof bodies;

/** Who acts (the signed-in user, API token or proxy identity; null when sign-in is disabled). */
function actor(req: FastifyRequest): string | null {
  return actorOf(req);
}

/** A rerun's id: from the Idempotency-Key when there is one, so a retried click is recognised. */
function rerunId(commandId: string | null): string {
  if (commandId === null) return randomUUID();
  const h = createHash('sha256').update(commandId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function toCommand(
  action: Action,
  body: unknown,
  by: string | null,
  config: Config,
  keyedId: string | null,
  source: RequestSource,
): CaseCommand {
  const parsed = bodies[action].safeParse(body ?? {});
  if (!parsed.success) {
    throw new TarkaError(
      'TARKA_BAD_REQUEST',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  const b = parsed.data as Record<string, string | null>;
  const now = new Date();
  switch (action) {
    case 'snooze': {
      const until = b.until ?? new Date(now.getTime() + durationMs(b.duration!)).toISOString();
      return { type: 'SnoozeCase', until, now: now.toISOString(), by, note: b.note ?? null, source };
    }
    case 'resolve':
      return { type: 'ResolveCase', category: b.category!, note: b.note ?? null, by, source };
    case 'reopen':
      return { type: 'ReopenCase', by, note: b.note ?? null, source };
    case 'rerun':
      return {
        type: 'RequestInvestigation',
        investigationId: rerunId(keyedId),
        by,
        bound: { now: now.toISOString(), perHour: config.INVESTIGATION_RERUNS_PER_HOUR },
        source,
      };
  }
}

/** On-call actions: each is a command that appends an event (or nothing, when already so). */
export function actionRoutes(app: FastifyInstance, deps: { config: Config; handler: CaseCommandHandler }) {
  for (const action of Object.keys(bodies) as Action[]) {
    // Responders and admins only (viewers read); the console scope's hook refuses viewers too.
    const preHandler = requireRole('responder');
    app.post<{ Params: { id: string } }>(`/api/cases/:id/${action}`, { preHandler }, async (req, reply) => {
      const id = caseId.safeParse(req.params.id);
      if (!id.success) throw new TarkaError('TARKA_NOT_FOUND', 'no such case');
      // An Idempotency-Key lets a client retry the same click without doing it twice.
      const key = req.headers['idempotency-key'];
      const keyedId = typeof key === 'string' && /^[\w-]{8,128}$/.test(key) ? `ui:${id.data}:${key}` : null;
      const commandId = keyedId ?? randomUUID();
      const res = await deps.handler.handle(
        id.data,
        toCommand(action, req.body, actor(req), deps.config, keyedId, requestSource(req)),
        commandId,
      );
      return reply.status(res.events.length ? 202 : 200).send({
        caseId: id.data,
        version: res.version,
        changed: res.events.length > 0 && !res.duplicate,
        events: res.events.map((e) => ({ id: e.id, seq: e.seq, type: e.type })),
      });
    });
  }
}
