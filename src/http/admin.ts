import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { listAudit } from '../projections/audit/queries.js';
import { listUsers } from '../projections/users/queries.js';
import { TarkaError } from '../shared/errors.js';
import { ROLES } from '../events/auth-events.js';
import { actorOf, requestSource, requireRole } from '../auth/principal.js';
import type { AuthService } from '../auth/service.js';

// The admin API: users, API tokens and the audit trail (the console's admin pages use it).

const role = z.enum(ROLES);
const bad = (e: z.ZodError) =>
  new TarkaError(
    'TARKA_BAD_REQUEST',
    e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
  );
const parse = <T extends z.ZodType>(schema: T, v: unknown): z.infer<T> => {
  const r = schema.safeParse(v ?? {});
  if (!r.success) throw bad(r.error);
  return r.data;
};
const userIdParam = z.string().regex(/^[0-9a-f]{32}$/, { message: 'a user id' });

/** Users and API tokens, for admins (the sign-in hook has refused everyone else before). */
export function adminRoutes(scope: FastifyInstance, auth: AuthService, readPool: DatabasePool) {
  const admin = { preHandler: requireRole('admin') };
  scope.get('/api/admin/users', admin, async () => ({ users: await listUsers(readPool) }));
  scope.get('/api/admin/audit', admin, async (req) => {
    const q = parse(
      z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before: z.coerce.number().int().positive().optional(),
      }),
      req.query,
    );
    return {
      entries: await listAudit(
        readPool,
        q.before === undefined ? { limit: q.limit } : { limit: q.limit, before: q.before },
      ),
    };
  });
  const by = (req: FastifyRequest) => actorOf(req) ?? 'admin';
  scope.post('/api/admin/users', admin, async (req, reply) => {
    const b = parse(
      z.object({
        email: z.string().max(320),
        role,
        password: z.string().max(512).nullable().default(null),
        name: z.string().max(200).nullish(),
      }),
      req.body,
    );
    const userId = await auth.addUser({ ...b, by: by(req), source: requestSource(req) });
    return reply.status(201).send({ userId });
  });
  scope.post<{ Params: { id: string } }>('/api/admin/users/:id/role', admin, async (req) => {
    const id = parse(userIdParam, req.params.id);
    await auth.changeRole(id, parse(z.object({ role }), req.body).role, by(req), requestSource(req));
    return { userId: id };
  });
  for (const action of ['disable', 'enable'] as const) {
    scope.post<{ Params: { id: string } }>(`/api/admin/users/:id/${action}`, admin, async (req) => {
      const id = parse(userIdParam, req.params.id);
      if (action === 'disable' && req.principal?.userId === id) {
        throw new TarkaError('TARKA_BAD_REQUEST', 'you cannot disable yourself', 'ask another admin');
      }
      await auth.setDisabled(id, action === 'disable', by(req), requestSource(req));
      return { userId: id };
    });
  }
  scope.post<{ Params: { id: string } }>('/api/admin/users/:id/reset-password', admin, async (req) => {
    const id = parse(userIdParam, req.params.id);
    await auth.resetPassword(
      id,
      parse(z.object({ password: z.string().max(512) }), req.body).password,
      by(req),
      requestSource(req),
    );
    return { userId: id };
  });
  scope.get('/api/admin/tokens', admin, async () => ({ tokens: await auth.tokens.list() }));
  scope.post('/api/admin/tokens', admin, async (req, reply) => {
    const b = parse(
      z.object({
        name: z.string().min(1).max(100),
        role,
        days: z.number().int().min(1).max(366).default(90),
      }),
      req.body,
    );
    const t = await auth.createToken({ ...b, by: by(req), source: requestSource(req) });
    return reply.status(201).header('cache-control', 'no-store').send(t);
  });
  scope.post<{ Params: { id: string } }>('/api/admin/tokens/:id/revoke', admin, async (req) => {
    const id = parse(z.uuid(), req.params.id);
    if (!(await auth.revokeToken(id, by(req), requestSource(req))))
      throw new TarkaError('TARKA_NOT_FOUND', 'no such live token');
    return { revoked: id };
  });
}
