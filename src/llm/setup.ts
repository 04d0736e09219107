import type { Config } from '../shared/config.js';
import type { PriceTable } from '../shared/llm-config.js';
import { aiSdkModel } from './ai-sdk-model.js';
import { DailyBudget, type SpendSource } from './budget.js';
import { withFallback } from './fallback.js';
import type { LlmModel, ProviderName } from './model.js';
import { priceTable } from './prices.js';
import type { ModelSpec } from './providers.js';

// The LLM as configured: the main model (with its fallbacks), a light model for cheap call sites,
// prices, the daily budget and the redaction tier. Null when LLM_ENABLED is false.

export interface LlmSetup {
  model: LlmModel;
  light: LlmModel;
  prices: PriceTable;
  budget: DailyBudget;
  redactPii: boolean;
}

export function llmFromConfig(c: Config, spend?: SpendSource): LlmSetup | null {
  if (!c.LLM_ENABLED || !c.LLM_PROVIDER || !c.LLM_MODEL) return null;
  const common = {
    timeoutMs: c.LLM_TIMEOUT_SECONDS * 1000,
    maxTokens: c.LLM_MAX_TOKENS,
    temperature: c.LLM_TEMPERATURE,
    maxRetries: c.LLM_MAX_RETRIES,
  };
  const main: ModelSpec = {
    ...common,
    provider: c.LLM_PROVIDER,
    model: c.LLM_MODEL,
    baseUrl: c.LLM_BASE_URL,
    apiKey: c.LLM_API_KEY,
    azureApiVersion: c.LLM_AZURE_API_VERSION,
    vertexProject: c.LLM_VERTEX_PROJECT,
    vertexLocation: c.LLM_VERTEX_LOCATION,
  };
  // A fallback on another provider gets no base URL or key of the main one: it uses its own
  // library defaults (keys from the provider's usual variables, e.g. ANTHROPIC_API_KEY).
  const other = (provider: ProviderName, model: string): ModelSpec =>
    provider === c.LLM_PROVIDER ? { ...main, model } : { ...common, provider, model };
  const fallbacks = (c.LLM_FALLBACK ?? []).map((f) => aiSdkModel(other(f.provider, f.model)));
  const model = withFallback([aiSdkModel(main), ...fallbacks]);
  const light = c.LLM_LIGHT_MODEL
    ? withFallback([aiSdkModel({ ...main, model: c.LLM_LIGHT_MODEL }), ...fallbacks])
    : model;
  return {
    model,
    light,
    prices: priceTable({ prices: c.LLM_PRICES, pricesFile: c.LLM_PRICES_FILE }),
    budget: new DailyBudget(c.LLM_DAILY_BUDGET_USD ?? null, spend),
    redactPii: c.LLM_REDACT_PII,
  };
}
