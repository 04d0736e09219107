import { TarkaError } from '../../shared/errors.js';
import { CHAT_TEXT_MAX, type ChatEvent } from '../../events/chat-events.js';
import type { ChatCommand } from './commands.js';
import { turnOf, type ChatState } from './state.js';

const MINUTE_MS = 60_000;

/**
 * Decides what a chat command means for a thread. Pure. Every command is idempotent by its ids:
 * a turn, a tool call or an answer already recorded gives no event, so an answerer that restarts
 * half-way through a turn (a crash) picks up where the log says it stopped.
 */
export function decideChat(command: ChatCommand, state: ChatState): ChatEvent[] {
  switch (command.type) {
    case 'PostTurn': {
      if (turnOf(state, command.turnId)) return [];
      if (command.requireCase && !state.caseExists)
        throw new TarkaError('TARKA_NOT_FOUND', 'no such case', 'list cases with GET /api/cases');
      const text = command.text.trim();
      if (text.length === 0)
        throw new TarkaError('TARKA_CHAT_EMPTY', 'the question is empty', 'type a question, e.g. "summary"');
      if (text.length > CHAT_TEXT_MAX)
        throw new TarkaError(
          'TARKA_CHAT_TOO_LONG',
          `the question is ${text.length} characters long (at most ${CHAT_TEXT_MAX})`,
          'shorten it; paste long queries in parts',
        );
      const now = Date.parse(command.now);
      const recent = (state.recent[command.author ?? ''] ?? []).filter(
        (t) => now - Date.parse(t) < MINUTE_MS,
      );
      if (recent.length >= command.perMinute) {
        throw new TarkaError(
          'TARKA_CHAT_RATE_LIMITED',
          `${recent.length} questions in the last minute on this thread (limit ${command.perMinute})`,
          'wait a minute, or raise CHAT_TURNS_PER_MINUTE',
        );
      }
      return [{ type: 'ChatMessagePosted', data: { turnId: command.turnId, author: command.author, text } }];
    }
    case 'StartToolCall': {
      const turn = openTurn(state, command.turnId);
      if (!turn || turn.started.includes(command.callId)) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'ChatToolCallStarted', data }];
    }
    case 'FinishToolCall': {
      const turn = openTurn(state, command.turnId);
      if (!turn || !turn.started.includes(command.callId) || turn.finished.includes(command.callId))
        return [];
      const { type: _t, ...data } = command;
      return [{ type: 'ChatToolCallFinished', data }];
    }
    case 'PostAnswer': {
      if (!openTurn(state, command.turnId)) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'ChatAnswerPosted', data }];
    }
    case 'FailTurn': {
      if (!openTurn(state, command.turnId)) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'ChatTurnFailed', data }];
    }
  }
}

/** A turn that was posted and has neither an answer nor a failure yet. */
function openTurn(state: ChatState, turnId: string) {
  const t = turnOf(state, turnId);
  return t && t.status === 'open' ? t : undefined;
}
