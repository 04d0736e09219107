import { LlmError } from './errors.js';
import type { LlmModel } from './model.js';

// LLM_FALLBACK: when the main model is down, slow or rate-limited, the next one in the list is
// tried, once each. Answers that were wrong (invalid, truncated) or refused are not retried
// elsewhere: another model would be asked the same thing with the same limits.

const WORTH_ANOTHER = new Set(['TARKA_LLM_UNAVAILABLE', 'TARKA_LLM_TIMEOUT', 'TARKA_LLM_RATE_LIMITED']);

export function withFallback(models: LlmModel[]): LlmModel {
  const [main, ...rest] = models;
  if (!main) throw new Error('withFallback needs a model');
  if (rest.length === 0) return main;
  async function attempt<T>(call: (m: LlmModel) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const m of models) {
      try {
        return await call(m);
      } catch (e) {
        last = e;
        if (!(e instanceof LlmError) || !WORTH_ANOTHER.has(e.code)) throw e;
      }
    }
    throw last;
  }
  return {
    ref: main.ref,
    generateObject: (req) => attempt((m) => m.generateObject(req)),
    chat: (req) => attempt((m) => m.chat(req)),
  };
}
