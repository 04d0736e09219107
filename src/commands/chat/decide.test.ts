import { describe, expect, it } from 'vitest';
import { TarkaError } from '../../shared/errors.js';
import type { ChatEvent } from '../../events/chat-events.js';
import { decideChat } from './decide.js';
import { evolveChat, initialChatState, type ChatState } from './state.js';
import type { ChatCommand } from './commands.js';

const now = '2026-12-06T05:00:00.000Z';
const at = (sec: number) => new Date(Date.parse(now) + sec * 1000).toISOString();

function given(
  events: (ChatEvent | { type: 'AlertFired'; data: unknown })[],
  times: string[] = [],
): ChatState {
  return events.reduce(
    (s, e, i) => evolveChat(s, { ...e, occurredAt: times[i] ?? now } as never),
    initialChatState(),
  );
}
const post = (over: Partial<Extract<ChatCommand, { type: 'PostTurn' }>> = {}): ChatCommand => ({
  type: 'PostTurn',
  turnId: 't1',
  author: 'ana@example.com',
  text: 'summary',
  now,
  perMinute: 3,
  requireCase: true,
  ...over,
});
const fired = { type: 'AlertFired' as const, data: {} };
const posted = (turnId: string, author = 'ana@example.com'): ChatEvent => ({
  type: 'ChatMessagePosted',
  data: { turnId, author, text: 'q' },
});
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as TarkaError).code;
  }
  return null;
};

describe('chat decider', () => {
  it('posts a turn on an existing case, trimmed', () => {
    expect(decideChat(post({ text: '  what changed?  ' }), given([fired]))).toEqual([
      { type: 'ChatMessagePosted', data: { turnId: 't1', author: 'ana@example.com', text: 'what changed?' } },
    ]);
  });

  it('refuses a turn on a case that does not exist, but not on the global thread', () => {
    expect(code(() => decideChat(post(), given([])))).toBe('TARKA_NOT_FOUND');
    expect(decideChat(post({ requireCase: false }), given([]))).toHaveLength(1);
  });

  it('refuses empty and too long questions with their own codes', () => {
    expect(code(() => decideChat(post({ text: ' \n ' }), given([fired])))).toBe('TARKA_CHAT_EMPTY');
    expect(code(() => decideChat(post({ text: 'x'.repeat(2001) }), given([fired])))).toBe(
      'TARKA_CHAT_TOO_LONG',
    );
  });

  it('limits turns per author and minute, and forgets turns older than a minute', () => {
    const three = given([fired, posted('a'), posted('b'), posted('c')], [now, at(-50), at(-40), at(-30)]);
    expect(code(() => decideChat(post({ turnId: 'd' }), three))).toBe('TARKA_CHAT_RATE_LIMITED');
    expect(decideChat(post({ turnId: 'd', author: 'bo@example.com' }), three)).toHaveLength(1);
    const old = given([fired, posted('a'), posted('b'), posted('c')], [now, at(-90), at(-40), at(-30)]);
    expect(decideChat(post({ turnId: 'd' }), old)).toHaveLength(1);
  });

  it('is idempotent by turn, call and answer', () => {
    const s = given([fired, posted('t1')]);
    expect(decideChat(post(), s)).toEqual([]);
    const start: ChatCommand = {
      type: 'StartToolCall',
      turnId: 't1',
      callId: 't1-1',
      tool: 'case_report',
      request: 'r',
    };
    expect(decideChat(start, s)).toHaveLength(1);
    const started = evolveChat(s, {
      type: 'ChatToolCallStarted',
      data: { ...start },
      occurredAt: now,
    } as never);
    expect(decideChat(start, started)).toEqual([]);
    const answer: ChatCommand = {
      type: 'PostAnswer',
      turnId: 't1',
      intent: 'summary',
      text: 'x',
      citations: [],
    };
    const answered = evolveChat(started, {
      type: 'ChatAnswerPosted',
      data: answer,
      occurredAt: now,
    } as never);
    expect(decideChat(answer, answered)).toEqual([]);
    // A finished turn takes no more calls, and cannot fail afterwards.
    expect(decideChat({ ...start, callId: 't1-2' }, answered)).toEqual([]);
    expect(decideChat({ type: 'FailTurn', turnId: 't1', code: 'X', message: 'm' }, answered)).toEqual([]);
  });

  it('finishes only calls that started', () => {
    const s = given([fired, posted('t1')]);
    const finish: ChatCommand = {
      type: 'FinishToolCall',
      turnId: 't1',
      callId: 't1-1',
      tool: 'case_report',
      status: 'ok',
      code: null,
      summary: 's',
      evidenceIds: [],
      durationMs: 1,
      result: null,
    };
    expect(decideChat(finish, s)).toEqual([]);
  });
});
