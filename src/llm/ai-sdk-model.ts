import { generateText, Output, stepCountIs, streamText, tool, type ModelMessage, type ToolSet } from 'ai';
import { LlmError, toLlmError } from './errors.js';
import {
  addUsage,
  type ChatRequest,
  type ChatResult,
  type LlmModel,
  type ModelRef,
  type ObjectRequest,
  type ObjectResult,
  type ToolCallRecord,
  type Usage,
} from './model.js';
import { languageModel, type ModelSpec } from './providers.js';

// Tarka's LlmModel over the Vercel AI SDK: bounded retries (LLM_MAX_RETRIES), one deadline for a
// whole call including its retries (LLM_TIMEOUT_SECONDS), usage as reported (unknown stays null).

// The library prints its warnings to the console, outside Tarka's structured log: off.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const usageOf = (u: { inputTokens?: number; outputTokens?: number } | undefined): Usage => ({
  inputTokens: u?.inputTokens ?? null,
  outputTokens: u?.outputTokens ?? null,
});

export function aiSdkModel(spec: ModelSpec): LlmModel {
  const model = languageModel(spec);
  const ref: ModelRef = { provider: spec.provider, model: spec.model };
  const settings = {
    maxOutputTokens: spec.maxTokens,
    temperature: spec.temperature,
    maxRetries: spec.maxRetries,
  };

  /** Runs `fn` under the call's deadline and turns whatever it throws into an LlmError. */
  async function bounded<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new DOMException('LLM call timed out', 'TimeoutError'));
    }, spec.timeoutMs);
    try {
      return await fn(ctl.signal);
    } catch (e) {
      throw toLlmError(e, timedOut, spec.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    ref,
    generateObject<T>(req: ObjectRequest<T>): Promise<ObjectResult<T>> {
      return bounded(async (abortSignal) => {
        const res = await generateText({
          model,
          ...settings,
          abortSignal,
          system: req.system,
          prompt: req.prompt,
          output: Output.object({
            schema: req.schema,
            name: req.schemaName,
            description: req.schemaDescription,
          }),
        });
        const usage = usageOf(res.totalUsage);
        if (res.finishReason === 'length')
          throw new LlmError(
            'TARKA_LLM_TRUNCATED',
            'the answer hit the output token limit and was cut off',
            usage,
          );
        const parsed = req.schema.safeParse(res.output);
        if (!parsed.success)
          throw new LlmError(
            'TARKA_LLM_INVALID_OUTPUT',
            'the answer does not match the schema asked for',
            usage,
          );
        return { object: parsed.data, usage, ref };
      });
    },

    chat(req: ChatRequest): Promise<ChatResult> {
      return bounded(async (abortSignal) => {
        const calls: ToolCallRecord[] = [];
        let refused = false;
        const tools: ToolSet = {};
        for (const t of req.tools) {
          tools[t.name] = tool({
            description: t.description,
            inputSchema: t.inputSchema,
            execute: async (input: unknown) => {
              // Past the bound the model is told so, and nothing runs.
              if (calls.length >= req.maxToolCalls) {
                refused = true;
                return {
                  error: `tool call limit (${req.maxToolCalls}) reached: answer now with what you have`,
                };
              }
              const record: ToolCallRecord = {
                name: t.name,
                input,
                result: null,
                citations: [],
                error: null,
              };
              calls.push(record);
              try {
                const out = await t.run(input);
                record.result = out.result;
                record.citations = out.citations;
              } catch (e) {
                record.error = e instanceof Error ? e.message.slice(0, 300) : String(e).slice(0, 300);
              }
              req.onToolCall?.(record);
              return record.error
                ? { error: record.error }
                : { result: record.result, citations: record.citations };
            },
          });
        }
        const messages: ModelMessage[] = req.messages.map((m) => ({ role: m.role, content: m.text }));
        const first = await stream(
          { system: req.system, messages, tools, stopWhen: stepCountIs(req.maxSteps) },
          abortSignal,
          req.onToken,
        );
        let { text, usage } = first;
        let steps = first.steps;
        let stoppedBy: ChatResult['stoppedBy'] = refused ? 'limit' : 'answer';
        if (first.finishReason === 'tool-calls') {
          // The step bound stopped it mid-work: one more call, tools off, for the best answer so far.
          stoppedBy = 'limit';
          const last = await stream(
            {
              system: req.system,
              messages: [...messages, ...first.responseMessages],
              tools,
              toolChoice: 'none' as const,
            },
            abortSignal,
            req.onToken,
          );
          text = text ? `${text}\n${last.text}` : last.text;
          usage = addUsage(usage, last.usage);
          steps += last.steps;
        }
        return { text, usage, toolCalls: calls, steps, stoppedBy, ref };
      });
    },
  };

  async function stream(
    opts: Pick<Parameters<typeof streamText>[0], 'tools' | 'stopWhen' | 'toolChoice'> & {
      system: string;
      messages: ModelMessage[];
    },
    abortSignal: AbortSignal,
    onToken: ((t: string) => void) | undefined,
  ) {
    // Errors come through fullStream below and are mapped to TARKA_LLM_* codes; the library's default
    // onError would also print them (request details included) straight to stderr.
    const res = streamText({ model, ...settings, abortSignal, ...opts, onError: () => undefined });
    let text = '';
    let steps = 0;
    let finishReason = 'unknown';
    let usage: Usage = { inputTokens: null, outputTokens: null };
    let first = true;
    for await (const part of res.fullStream) {
      if (part.type === 'text-delta') {
        text += part.text;
        onToken?.(part.text);
      } else if (part.type === 'finish-step') {
        usage = first ? usageOf(part.usage) : addUsage(usage, usageOf(part.usage));
        first = false;
        steps++;
        finishReason = part.finishReason;
      } else if (part.type === 'error') {
        throw part.error;
      } else if (part.type === 'abort') {
        throw new DOMException('aborted', 'AbortError');
      }
    }
    const response = await res.response;
    return { text, usage, steps, finishReason, responseMessages: response.messages };
  }
}
