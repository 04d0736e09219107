import { z } from 'zod';
import { bool, optional } from './env-parsers.js';

// The optional LLM's settings (README "LLM"), spread into config.ts's schema. Kept apart so the
// LLM's many knobs do not crowd the main schema; checked together in `llmProblems`.

export const llmProviders = [
  'openai',
  'openai_compatible',
  'azure',
  'anthropic',
  'google',
  'vertex',
] as const;

const opt = optional;
const num = (min: number, max: number, what = 'a number') =>
  z.coerce
    .number({ message: `expected ${what}` })
    .min(min, { message: `expected at least ${min}` })
    .max(max, { message: `expected at most ${max}` });
const provider = z.enum(llmProviders, { message: `expected one of ${llmProviders.join(', ')}` });

/** `provider:model` pairs, comma-separated: tried in order when the main model fails. */
const fallbackList = z.string().transform((v, ctx) => {
  const out: { provider: (typeof llmProviders)[number]; model: string }[] = [];
  for (const item of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = item.indexOf(':');
    const p = provider.safeParse(item.slice(0, i));
    if (i <= 0 || !p.success || item.slice(i + 1).trim() === '') {
      ctx.addIssue({
        code: 'custom',
        message: `expected provider:model pairs such as anthropic:claude-haiku-4-5,openai:gpt-4o-mini; not ${JSON.stringify(item.slice(0, 80))}`,
      });
      return z.NEVER;
    }
    out.push({ provider: p.data, model: item.slice(i + 1).trim() });
  }
  return out;
});

/** Prices in USD per million tokens: {"model": {"input": 3, "output": 15}}. */
const priceEntry = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).strict();
export const priceTableSchema = z.record(z.string().min(1), priceEntry);
export type PriceTable = z.infer<typeof priceTableSchema>;
const prices = z.string().transform((v, ctx) => {
  try {
    const parsed = priceTableSchema.safeParse(JSON.parse(v));
    if (parsed.success) return parsed.data;
  } catch {
    /* reported below */
  }
  ctx.addIssue({
    code: 'custom',
    message:
      'expected JSON of model to USD per million tokens, e.g. {"gpt-4o-mini":{"input":0.15,"output":0.6}}',
  });
  return z.NEVER;
});

export const llmConfigShape = {
  LLM_ENABLED: bool.default(false),
  LLM_PROVIDER: opt(provider),
  LLM_MODEL: opt(z.string().min(1)),
  /** OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio), Azure, or a proxy in front of any provider. */
  LLM_BASE_URL: opt(
    z.url({ protocol: /^https?$/, message: 'expected an http(s) URL such as http://localhost:11434/v1' }),
  ),
  LLM_API_KEY: opt(z.string().min(1)),
  /** Azure OpenAI's api-version; Vertex AI's project and location (ADC credentials when no key). */
  LLM_AZURE_API_VERSION: opt(z.string().min(1)),
  LLM_VERTEX_PROJECT: opt(z.string().min(1)),
  LLM_VERTEX_LOCATION: opt(z.string().min(1)),
  LLM_TIMEOUT_SECONDS: num(1, 600, 'a number of seconds').default(60),
  LLM_MAX_TOKENS: z.coerce
    .number({ message: 'expected a whole number' })
    .int()
    .min(64)
    .max(200_000)
    .default(1500),
  LLM_TEMPERATURE: num(0, 2).default(0.2),
  /** Retries of one call on 429/5xx (the provider's Retry-After is honoured within the timeout). */
  LLM_MAX_RETRIES: z.coerce.number({ message: 'expected a whole number' }).int().min(0).max(5).default(1),
  /** A cheaper model for light call sites (chat tool steps); the main model when unset. */
  LLM_LIGHT_MODEL: opt(z.string().min(1)),
  LLM_FALLBACK: opt(fallbackList),
  /** Operator prices (USD per million tokens) over the built-in table; a file path or inline JSON. */
  LLM_PRICES: opt(prices),
  LLM_PRICES_FILE: opt(z.string().min(1)),
  /** Estimated spend per UTC day; past it, Tarka stays deterministic-only until midnight. */
  LLM_DAILY_BUDGET_USD: opt(num(0, 1_000_000)),
  /** Optional tier: also pseudonymise e-mails, IP addresses and account ids (secrets always are). */
  LLM_REDACT_PII: bool.default(true),
};

type LlmConfig = z.infer<z.ZodObject<typeof llmConfigShape>>;

/** Cross-field checks of the LLM settings, as lines for the config error. */
export function llmProblems(c: LlmConfig): string[] {
  if (!c.LLM_ENABLED) return [];
  const out: string[] = [];
  if (!c.LLM_PROVIDER)
    out.push(`LLM_PROVIDER must be set when LLM_ENABLED=true (${llmProviders.join(', ')})`);
  if (!c.LLM_MODEL) out.push('LLM_MODEL must be set when LLM_ENABLED=true');
  const p = c.LLM_PROVIDER;
  if (p === 'openai_compatible' && !c.LLM_BASE_URL)
    out.push(
      'LLM_BASE_URL must be set for LLM_PROVIDER=openai_compatible (e.g. http://localhost:11434/v1 for Ollama)',
    );
  if (p === 'azure' && !c.LLM_BASE_URL)
    out.push('LLM_BASE_URL must be set for LLM_PROVIDER=azure (https://<resource>.openai.azure.com/openai)');
  if ((p === 'openai' || p === 'anthropic' || p === 'google' || p === 'azure') && !c.LLM_API_KEY)
    out.push(`LLM_API_KEY (or LLM_API_KEY_FILE) must be set for LLM_PROVIDER=${p}`);
  if (p === 'vertex' && !c.LLM_API_KEY && !c.LLM_VERTEX_PROJECT)
    out.push('LLM_VERTEX_PROJECT must be set for LLM_PROVIDER=vertex (or LLM_API_KEY for express mode)');
  if (c.LLM_PRICES && c.LLM_PRICES_FILE) out.push('LLM_PRICES and LLM_PRICES_FILE are both set: set one');
  return out;
}
