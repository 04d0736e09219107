import { sql, type CommonQueryMethods } from 'slonik';
import {
  chatCallViewSchema,
  chatTurnViewSchema,
  type ChatCallView,
  type ChatTurnView,
} from '../../contract/chat.js';
import { callViewColumns, turnViewColumns } from './queries.js';

/** Chat turns and tool calls changed in (since, upTo], at most `limit` rows (tooMany beyond). */
export async function readChatChanges(
  tx: CommonQueryMethods,
  since: number,
  upTo: number,
  limit: number,
): Promise<{ turns: ChatTurnView[]; calls: ChatCallView[]; tooMany: boolean }> {
  const cap = limit + 1;
  const turns = await tx.any(sql.type(chatTurnViewSchema)`
    SELECT ${turnViewColumns} FROM chat_turns WHERE last_seq > ${since} AND last_seq <= ${upTo}
    ORDER BY last_seq LIMIT ${cap}`);
  if (turns.length > limit) return { turns: [], calls: [], tooMany: true };
  const calls = await tx.any(sql.type(chatCallViewSchema)`
    SELECT ${callViewColumns} FROM chat_calls WHERE last_seq > ${since} AND last_seq <= ${upTo}
    ORDER BY last_seq LIMIT ${cap - turns.length}`);
  if (turns.length + calls.length > limit) return { turns: [], calls: [], tooMany: true };
  return { turns: [...turns], calls: [...calls], tooMany: false };
}
