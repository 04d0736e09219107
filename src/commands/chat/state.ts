import type { Recorded } from '../../events/envelope.js';
import { isChatEventType, type ChatEvent } from '../../events/chat-events.js';

export interface TurnState {
  id: string;
  status: 'open' | 'answered' | 'failed';
  author: string | null;
  text: string;
  postedAt: string;
  /** Tool calls started, and which of them finished. */
  started: readonly string[];
  finished: readonly string[];
}

export interface ChatState {
  /** A case thread: whether the case exists (an AlertFired was seen). */
  caseExists: boolean;
  turns: readonly TurnState[];
  /** Recent post times per author (newest last), for the rate limit. */
  recent: Readonly<Record<string, readonly string[]>>;
}

export const RECENT_KEPT = 60;

export const initialChatState = (): ChatState => ({ caseExists: false, turns: [], recent: {} });

export const turnOf = (state: ChatState, turnId: string): TurnState | undefined =>
  state.turns.find((t) => t.id === turnId);

const authorKey = (a: string | null) => a ?? '';

/** Folds one recorded event (any type of the aggregate) into the chat state. Pure. */
export function evolveChat(state: ChatState, e: Pick<Recorded, 'type' | 'data' | 'occurredAt'>): ChatState {
  if (e.type === 'AlertFired') return state.caseExists ? state : { ...state, caseExists: true };
  if (!isChatEventType(e.type)) return state;
  const event = { type: e.type, data: e.data } as ChatEvent;
  switch (event.type) {
    case 'ChatMessagePosted': {
      if (turnOf(state, event.data.turnId)) return state;
      const key = authorKey(event.data.author);
      const times = (state.recent[key] ?? []).concat(e.occurredAt).slice(-RECENT_KEPT);
      return {
        ...state,
        turns: state.turns.concat({
          id: event.data.turnId,
          status: 'open',
          author: event.data.author,
          text: event.data.text,
          postedAt: e.occurredAt,
          started: [],
          finished: [],
        }),
        recent: { ...state.recent, [key]: times },
      };
    }
    case 'ChatToolCallStarted':
      return withTurn(state, event.data.turnId, (t) => ({
        ...t,
        started: t.started.concat(event.data.callId),
      }));
    case 'ChatToolCallFinished':
      return withTurn(state, event.data.turnId, (t) => ({
        ...t,
        finished: t.finished.concat(event.data.callId),
      }));
    case 'ChatAnswerPosted':
      return withTurn(state, event.data.turnId, (t) => ({ ...t, status: 'answered' }));
    case 'ChatTurnFailed':
      return withTurn(state, event.data.turnId, (t) => ({ ...t, status: 'failed' }));
  }
}

function withTurn(state: ChatState, id: string, f: (t: TurnState) => TurnState): ChatState {
  const i = state.turns.findIndex((t) => t.id === id);
  if (i < 0) return state;
  const turns = state.turns.slice();
  turns[i] = f(turns[i]!);
  return { ...state, turns };
}
