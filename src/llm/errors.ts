import { APICallError, NoObjectGeneratedError, RetryError } from 'ai';
import { TarkaError, type ErrorCode } from '../shared/errors.js';
import { Redactor } from './redact.js';
import { unknownUsage, type Usage } from './model.js';

// Whatever a provider library throws becomes one of a few stable codes; the message is bounded and
// scrubbed of secrets (a provider's error may echo a header or key back).

export type LlmErrorCode = Extract<ErrorCode, `TARKA_LLM_${string}`>;

export class LlmError extends TarkaError {
  constructor(
    readonly llmCode: LlmErrorCode,
    message: string,
    /** Tokens the failed call still used, when the provider said. */
    readonly usage: Usage = unknownUsage(),
  ) {
    super(llmCode, message);
    this.name = 'LlmError';
  }
}

const clip = (s: string) => new Redactor({ pii: false }).redact(s.replace(/\s+/g, ' ').slice(0, 300));

const usageOf = (u: { inputTokens?: number; outputTokens?: number } | undefined): Usage => ({
  inputTokens: u?.inputTokens ?? null,
  outputTokens: u?.outputTokens ?? null,
});

/** The stable error for anything a call threw; `timedOut` when our own deadline fired. */
export function toLlmError(e: unknown, timedOut: boolean, timeoutMs: number): LlmError {
  if (e instanceof LlmError) return e;
  if (timedOut || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')))
    return new LlmError('TARKA_LLM_TIMEOUT', `no answer within ${Math.round(timeoutMs / 1000)} s`);
  const last = RetryError.isInstance(e) ? e.lastError : e;
  if (APICallError.isInstance(last)) {
    const status = last.statusCode;
    if (status === 429) {
      const after = last.responseHeaders?.['retry-after'];
      return new LlmError(
        'TARKA_LLM_RATE_LIMITED',
        `provider answered 429${after ? ` (Retry-After ${clip(after)})` : ''}: ${clip(last.message)}`,
      );
    }
    if (status !== undefined && status >= 200 && status < 300)
      return new LlmError(
        'TARKA_LLM_INVALID_OUTPUT',
        `the provider's answer could not be read: ${clip(last.message)}`,
      );
    if (status !== undefined && status >= 400 && status < 500)
      return new LlmError('TARKA_LLM_REJECTED', `provider answered ${status}: ${clip(last.message)}`);
    return new LlmError(
      'TARKA_LLM_UNAVAILABLE',
      status
        ? `provider answered ${status}: ${clip(last.message)}`
        : `provider unreachable: ${clip(causeOf(last))}`,
    );
  }
  if (NoObjectGeneratedError.isInstance(e)) {
    const usage = usageOf(e.usage);
    if (e.finishReason === 'length')
      return new LlmError(
        'TARKA_LLM_TRUNCATED',
        'the answer hit the output token limit and was cut off',
        usage,
      );
    return new LlmError(
      'TARKA_LLM_INVALID_OUTPUT',
      `the answer is not the JSON asked for: ${clip(e.message)}`,
      usage,
    );
  }
  const name = e instanceof Error ? e.name : '';
  if (/JSONParse|TypeValidation|InvalidResponseData|NoContentGenerated|NoOutputGenerated/.test(name))
    return new LlmError('TARKA_LLM_INVALID_OUTPUT', `the answer could not be read: ${clip(String(e))}`);
  return new LlmError('TARKA_LLM_UNAVAILABLE', `the call failed: ${clip(causeOf(e))}`);
}

function causeOf(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    if (cur instanceof Error) {
      parts.push(`${(cur as { code?: string }).code ?? ''} ${cur.message}`.trim());
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': ');
}
