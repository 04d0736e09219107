import type { Citation } from '../events/chat-events.js';

// Links the console understands: a case page, an evidence item on it, a thread's tool call.
const enc = encodeURIComponent;

export const caseHref = (caseId: string) => `/cases/${enc(caseId)}`;

export const citeCase = (caseId: string, text: string): Citation => ({
  kind: 'case',
  ref: caseId,
  text: text.slice(0, 300),
  href: caseHref(caseId),
});

export const citeEvidence = (caseId: string, evidenceId: string, text: string): Citation => ({
  kind: 'evidence',
  ref: evidenceId,
  text: text.slice(0, 2000),
  href: `${caseHref(caseId)}#evidence-${enc(evidenceId)}`,
});

export const citeQuery = (ref: string, query: string, href: string | null = null): Citation => ({
  kind: 'query',
  ref,
  text: query.slice(0, 2000),
  href,
});
