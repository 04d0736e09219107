import type { Recorded } from '../../events/envelope.js';
import { caseIdOf, isCaseAggregate } from '../../contract/case-id.js';
import { isGlobalChatAggregate } from '../../events/chat-events.js';
import type { ChatCallRow, ChatTurnRow } from './schema.js';

/** The thread of an aggregate: `case:<id>` or `global` (null: not a chat thread). */
export function threadOf(aggregate: string): { thread: string; caseId: string | null } | null {
  if (isCaseAggregate(aggregate))
    return { thread: `case:${caseIdOf(aggregate)}`, caseId: caseIdOf(aggregate) };
  if (isGlobalChatAggregate(aggregate)) return { thread: 'global', caseId: null };
  return null;
}

/** Rows of one batch, keyed by id; evolve changes them in place and names what it changed. */
export interface ChatRows {
  turns: Map<string, ChatTurnRow>;
  calls: Map<string, ChatCallRow>;
}

/**
 * Applies one chat event to the rows. Pure apart from the maps it is given. Returns the keys it
 * changed (`t:<turnId>` / `c:<callId>`); an event older than a row's last_seq changes nothing.
 */
export function evolveChatRows(rows: ChatRows, e: Recorded): string[] {
  const where = threadOf(e.aggregate);
  if (!where) return [];
  switch (e.type) {
    case 'ChatMessagePosted': {
      const known = rows.turns.get(e.data.turnId);
      if (known && known.last_seq >= e.seq) return [];
      rows.turns.set(e.data.turnId, {
        turn_id: e.data.turnId,
        thread: where.thread,
        case_id: where.caseId,
        aggregate: e.aggregate,
        author: e.data.author,
        text: e.data.text,
        status: 'pending',
        intent: null,
        answer: null,
        citations: [],
        error_code: null,
        error: null,
        llm: null,
        posted_at: e.occurredAt,
        answered_at: null,
        seq: e.seq,
        last_seq: e.seq,
      });
      return [`t:${e.data.turnId}`];
    }
    case 'ChatAnswerPosted':
    case 'ChatTurnFailed': {
      const t = rows.turns.get(e.data.turnId);
      if (!t || t.last_seq >= e.seq) return [];
      if (e.type === 'ChatAnswerPosted') {
        Object.assign(t, {
          status: 'answered',
          intent: e.data.intent,
          answer: e.data.text,
          citations: e.data.citations,
        });
      } else {
        Object.assign(t, { status: 'failed', error_code: e.data.code, error: e.data.message });
      }
      t.llm = e.data.llm ?? null;
      t.answered_at = e.occurredAt;
      t.last_seq = e.seq;
      return [`t:${t.turn_id}`];
    }
    case 'ChatToolCallStarted': {
      const known = rows.calls.get(e.data.callId);
      if (known && known.last_seq >= e.seq) return [];
      rows.calls.set(e.data.callId, {
        call_id: e.data.callId,
        turn_id: e.data.turnId,
        thread: where.thread,
        case_id: where.caseId,
        tool: e.data.tool,
        request: e.data.request,
        status: 'running',
        code: null,
        summary: null,
        evidence_ids: [],
        duration_ms: null,
        result: null,
        started_at: e.occurredAt,
        finished_at: null,
        seq: e.seq,
        last_seq: e.seq,
      });
      return [`c:${e.data.callId}`];
    }
    case 'ChatToolCallFinished': {
      const c = rows.calls.get(e.data.callId);
      if (!c || c.last_seq >= e.seq) return [];
      Object.assign(c, {
        status: e.data.status,
        code: e.data.code,
        summary: e.data.summary,
        evidence_ids: e.data.evidenceIds,
        duration_ms: e.data.durationMs,
        result: e.data.result ?? null,
        finished_at: e.occurredAt,
        last_seq: e.seq,
      });
      return [`c:${c.call_id}`];
    }
    default:
      return [];
  }
}
