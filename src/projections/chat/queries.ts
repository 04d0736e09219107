import { sql, type CommonQueryMethods } from 'slonik';
import {
  chatCallViewSchema,
  chatTurnViewSchema,
  type ChatCallView,
  type ChatTurnView,
  type ChatTurnWithCalls,
} from '../../contract/chat.js';

export const turnViewColumns = sql.fragment`
  turn_id AS "turnId", thread, case_id AS "caseId", author, text, status, intent, answer, citations,
  error_code AS "errorCode", error, llm, posted_at AS "postedAt", answered_at AS "answeredAt", seq, last_seq AS "lastSeq"`;

export const callViewColumns = sql.fragment`
  call_id AS "callId", turn_id AS "turnId", thread, case_id AS "caseId", tool, request, status, code, summary,
  evidence_ids AS "evidenceIds", duration_ms AS "durationMs", result, started_at AS "startedAt",
  finished_at AS "finishedAt", seq, last_seq AS "lastSeq"`;

/** The newest `limit` turns of a thread, oldest first, each with its tool calls. */
export async function readThread(
  pool: CommonQueryMethods,
  thread: string,
  limit: number,
): Promise<ChatTurnWithCalls[]> {
  const turns = await pool.any(sql.type(chatTurnViewSchema)`
    SELECT * FROM (SELECT ${turnViewColumns} FROM chat_turns WHERE thread = ${thread}
      ORDER BY seq DESC LIMIT ${limit}) t ORDER BY seq`);
  if (turns.length === 0) return [];
  const calls = await pool.any(sql.type(chatCallViewSchema)`
    SELECT ${callViewColumns} FROM chat_calls
    WHERE turn_id = ANY(${sql.array(
      turns.map((t) => t.turnId),
      'text',
    )}) ORDER BY seq, call_id`);
  return withCalls(turns, calls);
}

export function withCalls(
  turns: readonly ChatTurnView[],
  calls: readonly ChatCallView[],
): ChatTurnWithCalls[] {
  const byTurn = new Map<string, ChatCallView[]>();
  for (const c of calls) byTurn.set(c.turnId, [...(byTurn.get(c.turnId) ?? []), c]);
  return turns.map((t) => ({ ...t, calls: byTurn.get(t.turnId) ?? [] }));
}
