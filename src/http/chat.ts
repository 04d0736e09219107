import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { ChatCommandHandler } from '../commands/chat/handler.js';
import { caseAggregate } from '../contract/case-id.js';
import type { ChatPosted, ChatThread } from '../contract/chat.js';
import { caseIdSchema } from '../contract/views.js';
import { dayOf, globalChatAggregate } from '../events/chat-events.js';
import type { EventStore } from '../events/event-store.js';
import { readThread } from '../projections/chat/queries.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import { actorOf, requireRole } from '../auth/principal.js';

// Chat threads: POST a question (202 with its turn id; the answer arrives as events and live
// frames), GET the thread. The question is appended here; the chat answerer (a reactor in the
// `project` role) answers it.

const body = z.object({ text: z.string().max(20_000, { message: 'at most 2000 characters are kept' }) });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(100) });
// A retried POST with the same Idempotency-Key is the same turn. The id is derived from the key and
// the thread's aggregate, never the key itself: turn ids are unique across threads, and a key
// chosen by one client cannot name (or overwrite the row of) a turn in another thread.
const turnIdOf = (req: FastifyRequest, aggregate: string) => {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !/^[\w-]{8,128}$/.test(key)) return randomUUID();
  const h = createHash('sha256').update(`${aggregate}\n${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export interface ChatRouteDeps {
  config: Config;
  store: EventStore;
  readPool: DatabasePool;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success)
    throw new TarkaError(
      'TARKA_BAD_REQUEST',
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      'send {"text": "your question"}',
    );
  return r.data;
}

export function chatRoutes(app: FastifyInstance, deps: ChatRouteDeps) {
  const chat = new ChatCommandHandler(deps.store);
  // Asking is acting on a case (it may rerun an investigation): responders and admins; viewers read.
  const opts = { preHandler: requireRole('responder') };

  async function post(
    req: FastifyRequest,
    aggregate: string,
    thread: string,
    requireCase: boolean,
  ): Promise<ChatPosted> {
    const { text } = parse(body, req.body);
    const turnId = turnIdOf(req, aggregate);
    await chat.handle(
      aggregate,
      {
        type: 'PostTurn',
        turnId,
        author: actorOf(req),
        text,
        now: new Date().toISOString(),
        perMinute: deps.config.CHAT_TURNS_PER_MINUTE,
        requireCase,
      },
      `chat:${turnId}:posted`,
    );
    return { turnId, thread };
  }

  const caseId = (raw: string) => {
    const id = caseIdSchema.safeParse(raw);
    if (!id.success)
      throw new TarkaError('TARKA_NOT_FOUND', 'no such case', 'list cases with GET /api/cases');
    return id.data;
  };

  app.post<{ Params: { id: string } }>('/api/cases/:id/chat', opts, async (req, reply) => {
    const id = caseId(req.params.id);
    return reply.status(202).send(await post(req, caseAggregate(id), `case:${id}`, true));
  });

  app.get<{ Params: { id: string } }>('/api/cases/:id/chat', async (req): Promise<ChatThread> => {
    const id = caseId(req.params.id);
    const { limit } = parse(listQuery, req.query);
    return { thread: `case:${id}`, turns: await readThread(deps.readPool, `case:${id}`, limit) };
  });

  // The global thread: one aggregate per UTC day, read back as one thread.
  app.post('/api/chat', opts, async (req, reply) =>
    reply.status(202).send(await post(req, globalChatAggregate(dayOf(new Date())), 'global', false)),
  );

  app.get('/api/chat', async (req): Promise<ChatThread> => {
    const { limit } = parse(listQuery, req.query);
    return { thread: 'global', turns: await readThread(deps.readPool, 'global', limit) };
  });
}
