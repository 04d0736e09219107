import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const userViewSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  origin: z.string(),
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userViewSchema>;

export async function listUsers(pool: DatabasePool): Promise<UserView[]> {
  const rows = await pool.any(sql.type(userViewSchema)`
    SELECT user_id AS "userId", email, name, role, origin, disabled,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"
      FROM users ORDER BY email LIMIT 5000`);
  return [...rows];
}
