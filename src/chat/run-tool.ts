import { boundValue } from '../investigation/bounds.js';
import { CHAT_REQUEST_MAX, CHAT_SUMMARY_MAX } from '../events/chat-events.js';
import { toolDenial } from './policy.js';
import { toolByName } from './tools/index.js';
import type { CallTool, ToolOutput, TurnContext } from './types.js';

/** Where a turn's tool calls are recorded (as events) while they run. */
export interface CallRecorder {
  started(call: { callId: string; tool: string; request: string }): Promise<void>;
  finished(call: { callId: string; tool: string; output: ToolOutput; durationMs: number }): Promise<void>;
}

const fail = (status: ToolOutput['status'], code: string, summary: string): ToolOutput => ({
  status,
  code,
  summary,
  result: null,
  citations: [],
});

/**
 * The one way a turn calls tools: checks the tool is on, parses its input, counts calls against
 * CHAT_MAX_TOOL_CALLS_PER_TURN and the turn's time budget, records the call as it starts and ends,
 * and bounds what it keeps. Call ids follow the call's order in the turn, so answering a turn
 * again after a crash reuses them (and the decider absorbs what was already recorded).
 */
export function toolCaller(
  ctx: TurnContext,
  recorder: CallRecorder,
  deadline: number,
  /** Calls already made in this turn by another caller (their ids are taken). */
  firstCall = 0,
): CallTool & { readonly calls: number } {
  let n = firstCall;
  const { limits } = ctx.deps;
  const caller = async (name: string, rawInput: unknown): Promise<ToolOutput> => {
    const tool = toolByName(name);
    if (!tool) return fail('error', 'TARKA_CHAT_QUERY_INVALID', `no tool ${name}`);
    const callId = `${ctx.turnId}-${++n}`;
    const parsed = tool.inputSchema.safeParse(rawInput);
    const request = parsed.success
      ? tool.request(parsed.data as never, ctx).slice(0, CHAT_REQUEST_MAX)
      : JSON.stringify(rawInput ?? null).slice(0, CHAT_REQUEST_MAX);
    const t0 = performance.now();
    let output: ToolOutput;
    if (n - firstCall > limits.maxCallsPerTurn) {
      output = fail(
        'limited',
        'TARKA_CHAT_TOOL_LIMIT',
        `more than ${limits.maxCallsPerTurn} tool calls in one turn (CHAT_MAX_TOOL_CALLS_PER_TURN)`,
      );
    } else if (ctx.deps.now().getTime() > deadline) {
      output = fail(
        'limited',
        'TARKA_CHAT_TOOL_LIMIT',
        'the turn ran out of time (CHAT_TURN_TIMEOUT_SECONDS)',
      );
    } else if (toolDenial(limits, name)) {
      output = fail('denied', 'TARKA_CHAT_TOOL_DENIED', toolDenial(limits, name)!);
    } else if (!parsed.success) {
      output = fail(
        'error',
        'TARKA_CHAT_QUERY_INVALID',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
      );
    } else {
      await recorder.started({ callId, tool: name, request });
      try {
        output = await tool.run(parsed.data as never, ctx);
      } catch (e) {
        output = fail(
          'unavailable',
          'TARKA_CHAT_SOURCE_UNAVAILABLE',
          `${name} failed: ${(e as Error).message}`,
        );
      }
      output = {
        ...output,
        result: boundValue(output.result, limits.maxResultBytes, { stringBytes: 1000, listItems: 60 }).value,
      };
      output.summary = output.summary.slice(0, CHAT_SUMMARY_MAX);
      await recorder.finished({ callId, tool: name, output, durationMs: performance.now() - t0 });
      return output;
    }
    // Refused before running: still recorded, so the thread shows what was asked and why not.
    await recorder.started({ callId, tool: name, request });
    await recorder.finished({ callId, tool: name, output, durationMs: performance.now() - t0 });
    return output;
  };
  return Object.defineProperty(caller, 'calls', { get: () => n }) as CallTool & { readonly calls: number };
}
