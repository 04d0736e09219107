import { z } from 'zod';
import { citeCase } from '../cite.js';
import type { ChatTool } from '../types.js';

const input = z.object({
  /** Evidence window, minutes each side of the alert's start; TIME_WINDOW when absent. */
  windowMinutes: z.number().int().positive().optional(),
});

/**
 * Asks for a new investigation through the existing rerun command (same per-case bound as the
 * console's button). The one tool that changes something; CHAT_TOOLS_DISABLED=rerun_investigation
 * switches it off.
 */
export const rerunTool: ChatTool<z.infer<typeof input>> = {
  name: 'rerun_investigation',
  description:
    "Investigates this case again now (the rerun command; INVESTIGATION_RERUNS_PER_HOUR applies), optionally with another evidence window (windowMinutes each side of the alert's start, at most CHAT_MAX_RANGE).",
  inputSchema: input,
  request: (i, ctx) =>
    `POST /api/cases/${ctx.caseId ?? '?'}/rerun${i.windowMinutes ? ` (window ${i.windowMinutes}m)` : ''}`,
  async run(i, ctx) {
    if (!ctx.caseId || !ctx.deps.requestRerun)
      return {
        status: 'unavailable',
        code: 'TARKA_CHAT_SOURCE_UNAVAILABLE',
        summary: 'reruns are not available here',
        result: null,
        citations: [],
      };
    const maxMinutes = Math.floor(ctx.deps.limits.maxRangeMs / 60_000);
    if (i.windowMinutes && i.windowMinutes > maxMinutes)
      return {
        status: 'limited',
        code: 'TARKA_CHAT_TOOL_LIMIT',
        summary: `a ${i.windowMinutes}m window is longer than CHAT_MAX_RANGE (${maxMinutes}m)`,
        result: null,
        citations: [],
      };
    try {
      const r = await ctx.deps.requestRerun(ctx.caseId, ctx.turnId, ctx.author, i.windowMinutes);
      return {
        status: 'ok',
        summary: r.changed
          ? `investigation ${r.investigationId} queued`
          : `investigation ${r.investigationId} was already queued`,
        result: r,
        citations: [citeCase(ctx.caseId, 'the case timeline shows its steps')],
      };
    } catch (e) {
      const code = (e as { code?: string }).code;
      return {
        status: code === 'TARKA_RERUN_LIMITED' ? 'limited' : 'error',
        code: code === 'TARKA_RERUN_LIMITED' ? 'TARKA_CHAT_TOOL_LIMIT' : 'TARKA_CHAT_SOURCE_UNAVAILABLE',
        summary: (e as Error).message.slice(0, 500),
        result: null,
        citations: [],
      };
    }
  },
};
