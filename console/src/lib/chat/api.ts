import type { ChatPosted, ChatThread } from '../../../../src/contract/chat.js';
import { ApiError, getJSON } from '../api';

/** A thread's path: a case's (`/api/cases/<id>/chat`) or the inbox-wide one (`/api/chat`). */
export const threadPath = (caseId: string | null) =>
  caseId === null ? '/api/chat' : `/api/cases/${encodeURIComponent(caseId)}/chat`;

export const getThread = (caseId: string | null, signal?: AbortSignal) =>
  getJSON<ChatThread>(threadPath(caseId), signal);

/** Posts a question; the key makes a retried send count once. The answer comes as live frames. */
export async function postTurn(caseId: string | null, text: string, key: string): Promise<ChatPosted> {
  const res = await fetch(threadPath(caseId), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ text }),
  });
  if (res.ok) return (await res.json()) as ChatPosted;
  let body: { message?: string; hint?: string } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  throw new ApiError(res.status, body.message ?? `${res.status} ${res.statusText}`, body.hint ?? null);
}
