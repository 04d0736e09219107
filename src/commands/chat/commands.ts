import type { ChatEventOf } from '../../events/chat-events.js';

/** Commands on a chat thread (a case's or a day of the global one). */
export type ChatCommand =
  | {
      type: 'PostTurn';
      turnId: string;
      author: string | null;
      text: string;
      /** Clock of the request, for the per-author rate. */
      now: string;
      /** Turns one author may post to one thread per minute. */
      perMinute: number;
      /** Case threads need the case to exist; the global thread does not. */
      requireCase: boolean;
    }
  | ({ type: 'StartToolCall' } & ChatEventOf<'ChatToolCallStarted'>['data'])
  | ({ type: 'FinishToolCall' } & ChatEventOf<'ChatToolCallFinished'>['data'])
  | ({ type: 'PostAnswer' } & ChatEventOf<'ChatAnswerPosted'>['data'])
  | ({ type: 'FailTurn' } & ChatEventOf<'ChatTurnFailed'>['data']);
