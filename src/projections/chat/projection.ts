import pg from 'pg';
import type { Recorded } from '../../events/envelope.js';
import { isChatEventType } from '../../events/chat-events.js';
import type { Projection } from '../engine/projection.js';
import { readRows, upsertForward } from '../engine/table-rows.js';
import { chatLive } from './live.js';
import { evolveChatRows, threadOf, type ChatRows } from './evolve.js';
import { callColumns, indexes, tables, turnColumns, type ChatCallRow, type ChatTurnRow } from './schema.js';

const ident = pg.escapeIdentifier;
const idOf = (e: Recorded) => e.data as { turnId?: string; callId?: string };

/** Chat threads: turns and tool calls of every case thread and of the global thread. */
export const chatProjection: Projection = {
  name: 'chat',
  definitionVersion: 2, // 2: turns carry their LLM call (llm)
  tables,
  indexes,
  live: chatLive,

  async apply(tx, events, t) {
    const mine = events.filter((e) => isChatEventType(e.type) && threadOf(e.aggregate));
    if (mine.length === 0) return;
    const turnIds = [...new Set(mine.map((e) => idOf(e).turnId!))];
    const callIds = [...new Set(mine.map((e) => idOf(e).callId).filter((x): x is string => !!x))];
    const rows: ChatRows = {
      turns: new Map(
        (await readRows<ChatTurnRow>(tx, t.chat_turns!, 'turn_id', turnIds)).map((r) => [r.turn_id, norm(r)]),
      ),
      calls: new Map(
        callIds.length
          ? (await readRows<ChatCallRow>(tx, t.chat_calls!, 'call_id', callIds)).map((r) => [
              r.call_id,
              norm(r),
            ])
          : [],
      ),
    };
    const changed = new Set<string>();
    for (const e of mine) for (const k of evolveChatRows(rows, e)) changed.add(k);
    const turns = [...changed].filter((k) => k.startsWith('t:')).map((k) => rows.turns.get(k.slice(2))!);
    const calls = [...changed].filter((k) => k.startsWith('c:')).map((k) => rows.calls.get(k.slice(2))!);
    await upsertForward(tx, t.chat_turns!, turnColumns, 'turn_id', turns);
    await upsertForward(tx, t.chat_calls!, callColumns, 'call_id', calls);
  },

  async forget(tx, aggregates, t) {
    const threads = aggregates.map((a) => threadOf(a)).filter((x) => x !== null);
    const cases = threads.map((x) => x.caseId).filter((x): x is string => x !== null);
    // The global thread's aggregates are forgotten by aggregate name (one per day).
    for (const table of [t.chat_turns!, t.chat_calls!]) {
      if (cases.length) await tx.query(`DELETE FROM ${ident(table)} WHERE case_id = ANY($1)`, [cases]);
    }
    const days = aggregates.filter((a) => threadOf(a)?.thread === 'global');
    if (days.length) {
      await tx.query(
        `DELETE FROM ${ident(t.chat_calls!)} WHERE turn_id IN (SELECT turn_id FROM ${ident(t.chat_turns!)} WHERE aggregate = ANY($1))`,
        [days],
      );
      await tx.query(`DELETE FROM ${ident(t.chat_turns!)} WHERE aggregate = ANY($1)`, [days]);
    }
  },
};

// bigint columns come back as text from row_to_json only for last_seq (readRows); seq too.
function norm<T extends { seq: number; last_seq: number }>(r: T): T {
  return { ...r, seq: Number(r.seq), last_seq: Number(r.last_seq) };
}
