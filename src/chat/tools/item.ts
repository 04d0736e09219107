import type { EvidenceItem } from '../../collectors/evidence.js';
import type { ToolOutput, TurnContext } from '../types.js';
import { citeQuery } from '../cite.js';

/** A collector's evidence item as a tool output: same status, the exact query cited. */
export function fromItem(item: EvidenceItem, _ctx: TurnContext): ToolOutput {
  const code =
    item.status === 'unavailable'
      ? item.error?.startsWith('not read:')
        ? 'TARKA_CHAT_TOOL_DENIED'
        : 'TARKA_CHAT_SOURCE_UNAVAILABLE'
      : item.status === 'error'
        ? 'TARKA_CHAT_QUERY_INVALID'
        : null;
  const status = code === 'TARKA_CHAT_TOOL_DENIED' ? 'denied' : item.status;
  return {
    status,
    code,
    summary: item.status === 'ok' ? item.title : `${item.title}: ${item.error ?? item.status}`,
    result: item.data,
    citations: [citeQuery(item.id, item.query)],
  };
}
