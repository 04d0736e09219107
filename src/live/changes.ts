import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { ChatCallView, ChatTurnView } from '../contract/chat.js';
import * as cases from '../projections/cases/live.js';
import { readChatChanges } from '../projections/chat/live.js';

// What the live feed sends: the cases read model's changes and the chat read model's. Each has
// its own projector, so the feed's position is the lower of the two committed positions: a
// client told "everything up to seq" has every row of both up to there. Rows past it may come
// early (they carry their own seq) and again later; consoles merge by id.

export interface Changes extends cases.Changes {
  turns: ChatTurnView[];
  calls: ChatCallView[];
}

const positions = z.object({ name: z.string(), position: z.coerce.number() });

/** The feed's position: the lower committed position of the cases and chat projectors. */
export async function projectedPosition(pool: CommonQueryMethods): Promise<number> {
  const rows = await pool.any(sql.type(positions)`
    SELECT c.name, c.position FROM projection_checkpoints c
    JOIN projections p ON p.name = c.name AND p.active_generation = c.generation
    WHERE c.name IN ('cases', 'chat')`);
  const of = (n: string) => rows.find((r) => r.name === n)?.position;
  const c = of('cases') ?? 0;
  const chat = of('chat');
  // Without a chat read model (not built yet), the cases projector alone sets the pace.
  return chat === undefined ? c : Math.min(c, chat);
}

/** Changes above `since`, at most `limit` rows: cases first, then chat up to the cases' position. */
export async function readChanges(pool: DatabasePool, since: number, limit: number): Promise<Changes> {
  const caseChanges = await cases.readChanges(pool, since, limit);
  if (caseChanges.tooMany) return { ...caseChanges, turns: [], calls: [] };
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    const chatPos = await tx.maybeOneFirst(sql.type(z.object({ position: z.coerce.number() }))`
      SELECT c.position FROM projection_checkpoints c
      JOIN projections p ON p.name = c.name AND p.active_generation = c.generation
      WHERE c.name = 'chat'`);
    if (chatPos === null) return { ...caseChanges, turns: [], calls: [] };
    const seq = Math.min(caseChanges.seq, chatPos);
    const used = caseChanges.cases.length + caseChanges.investigations.length + caseChanges.steps.length;
    const chat =
      seq > since
        ? await readChatChanges(tx, since, seq, Math.max(0, limit - used))
        : { turns: [], calls: [], tooMany: false };
    return { ...caseChanges, seq, tooMany: chat.tooMany, turns: chat.turns, calls: chat.calls };
  });
}
