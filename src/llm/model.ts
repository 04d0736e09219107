import type { z } from 'zod';

// Tarka's own small interface to a language model. Everything else in Tarka (enrichment, chat)
// talks to this, never to a provider library, so the library layer can change behind it. What
// goes in has been redacted already (redact.ts); what comes out is checked by the caller.

export const providerNames = [
  'openai',
  'openai_compatible',
  'azure',
  'anthropic',
  'google',
  'vertex',
] as const;
export type ProviderName = (typeof providerNames)[number];

export interface ModelRef {
  provider: ProviderName;
  model: string;
}

/** Token counts as the provider reported them; null when it did not say (never guessed as 0). */
export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
}

export const unknownUsage = (): Usage => ({ inputTokens: null, outputTokens: null });

/** Sum of two usages; unknown on either side stays unknown. */
export function addUsage(a: Usage, b: Usage): Usage {
  const add = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  return {
    inputTokens: add(a.inputTokens, b.inputTokens),
    outputTokens: add(a.outputTokens, b.outputTokens),
  };
}

export interface ObjectRequest<T> {
  system: string;
  prompt: string;
  schema: z.ZodType<T>;
  schemaName: string;
  schemaDescription?: string;
}

export interface ObjectResult<T> {
  object: T;
  usage: Usage;
  ref: ModelRef;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  text: string;
}

/** A tool the model may call: its input is validated by `inputSchema` before `run`. */
export interface LlmTool<I = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<I>;
  run(input: I): Promise<{ result: unknown; citations: string[] }>;
}

/** A typed tool, for a list of tools of different inputs (the input is validated before `run`). */
export const defineTool = <I>(t: LlmTool<I>): LlmTool => t as unknown as LlmTool;

export interface ToolCallRecord {
  name: string;
  input: unknown;
  /** What the tool answered (as sent to the model), or why it was not run. */
  result: unknown;
  citations: string[];
  error: string | null;
}

export interface ChatRequest {
  system: string;
  messages: ChatMessage[];
  tools: LlmTool[];
  /** Most model steps (one step = one model call). */
  maxSteps: number;
  /** Most tool calls over the whole turn; further calls are refused to the model. */
  maxToolCalls: number;
  /** Streamed text as it arrives. */
  onToken?: (text: string) => void;
  onToolCall?: (call: ToolCallRecord) => void;
}

export interface ChatResult {
  text: string;
  usage: Usage;
  toolCalls: ToolCallRecord[];
  steps: number;
  /** answer: the model finished; limit: a bound stopped it and `text` is the best answer so far. */
  stoppedBy: 'answer' | 'limit';
  ref: ModelRef;
}

export interface LlmModel {
  readonly ref: ModelRef;
  /** One call whose answer must match `schema` (TARKA_LLM_INVALID_OUTPUT otherwise). */
  generateObject<T>(req: ObjectRequest<T>): Promise<ObjectResult<T>>;
  /** A tool-calling turn, streamed through `onToken`, bounded by steps and calls. */
  chat(req: ChatRequest): Promise<ChatResult>;
}
