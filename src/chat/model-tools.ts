import type { z } from 'zod';
import { chatTools } from './tools/index.js';
import type { CallTool } from './types.js';

/** A chat tool as a model is offered it (the shape src/llm's chat loop takes as LlmTool). */
export interface ModelTool {
  name: string;
  description: string;
  inputSchema: z.ZodType<unknown>;
  run(input: unknown): Promise<{ result: unknown; citations: string[] }>;
}

/**
 * Tools a model is not offered: they act (a rerun), and text a model read (a log line, a label)
 * must never be able to set anything off. People ask for these by name; the intents run them.
 */
export const ACTING_TOOLS: readonly string[] = ['rerun_investigation'];

/**
 * The chat tools for a model (read-only ones), each run through the turn's caller: the same policy, bounds and
 * events as the deterministic intents. Citations are the evidence ids, case ids and queries the
 * tool read, which an answer may cite back.
 */
export function modelTools(call: CallTool): ModelTool[] {
  return chatTools
    .filter((t) => !ACTING_TOOLS.includes(t.name))
    .map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema as z.ZodType<unknown>,
      run: async (input: unknown) => {
        const out = await call(t.name, input);
        return {
          result: { status: out.status, code: out.code ?? null, summary: out.summary, data: out.result },
          citations: out.citations.map((c) => (c.kind === 'query' ? c.text : c.ref)),
        };
      },
    }));
}
