import { sql } from 'slonik';
import { chatCallViewSchema, chatTurnViewSchema } from '../../contract/chat.js';
import type { Frame } from '../../contract/frames.js';
import type { LiveFeed } from '../engine/projection.js';
import { callViewColumns, turnViewColumns } from './queries.js';

/** Chat turns and tool calls changed in (since, upTo]. */
export const chatLive: LiveFeed = {
  async read(tx, since, upTo, limit) {
    const cap = limit + 1;
    const turns = await tx.any(sql.type(chatTurnViewSchema)`
      SELECT ${turnViewColumns} FROM chat_turns WHERE last_seq > ${since} AND last_seq <= ${upTo}
      ORDER BY last_seq LIMIT ${cap}`);
    if (turns.length > limit) return { frames: [], tooMany: true };
    const calls = await tx.any(sql.type(chatCallViewSchema)`
      SELECT ${callViewColumns} FROM chat_calls WHERE last_seq > ${since} AND last_seq <= ${upTo}
      ORDER BY last_seq LIMIT ${cap - turns.length}`);
    if (turns.length + calls.length > limit) return { frames: [], tooMany: true };
    const seq = upTo;
    return {
      frames: [
        ...turns.map((turn): Frame => ({ type: 'chat_turn', seq, caseId: turn.caseId, turn })),
        ...calls.map((call): Frame => ({ type: 'chat_call', seq, caseId: call.caseId, call })),
      ],
      tooMany: false,
    };
  },
};
