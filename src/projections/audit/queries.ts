import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const auditEntrySchema = z.object({
  seq: z.coerce.number(),
  at: z.string(),
  type: z.string(),
  actor: z.string().nullable(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Newest first; `before` pages back by stream sequence. */
export async function listAudit(
  pool: DatabasePool,
  q: { limit: number; before?: number },
): Promise<AuditEntry[]> {
  const rows = await pool.any(sql.type(auditEntrySchema)`
    SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, type, actor, target,
           ip, user_agent AS "userAgent", detail
      FROM audit
     WHERE ${q.before === undefined ? sql.fragment`true` : sql.fragment`seq < ${q.before}`}
     ORDER BY seq DESC, idx DESC
     LIMIT ${q.limit}`);
  return [...rows];
}
