import { readFileSync } from 'node:fs';
import { priceTableSchema, type PriceTable } from '../shared/llm-config.js';
import { TarkaError } from '../shared/errors.js';
import type { ModelRef, Usage } from './model.js';

// Estimated cost of a call: tokens times a price per million tokens. The built-in table is a
// starting point (list prices, USD, late 2026); operators override or extend it with LLM_PRICES or
// LLM_PRICES_FILE. A model in neither, or a call with unknown usage, costs null (unknown), never 0.

export const defaultPrices: PriceTable = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
};

/** The price table in force: built-in, then the operator's entries over it. */
export function priceTable(opts: { prices?: PriceTable; pricesFile?: string }): PriceTable {
  let operator: PriceTable = opts.prices ?? {};
  if (opts.pricesFile) {
    try {
      operator = priceTableSchema.parse(JSON.parse(readFileSync(opts.pricesFile, 'utf8')));
    } catch (e) {
      throw new TarkaError(
        'TARKA_CONFIG_INVALID',
        `invalid configuration:\n  LLM_PRICES_FILE=${JSON.stringify(opts.pricesFile)}: ${(e as Error).message.slice(0, 200)}`,
        'give a JSON file of model to {"input": USD, "output": USD} per million tokens',
      );
    }
  }
  return { ...defaultPrices, ...operator };
}

/** Looked up as provider:model, then model, then provider:* (e.g. "openai_compatible:*": 0 for local). */
export function costUsd(table: PriceTable, ref: ModelRef, usage: Usage): number | null {
  const p = table[`${ref.provider}:${ref.model}`] ?? table[ref.model] ?? table[`${ref.provider}:*`];
  if (!p || usage.inputTokens === null || usage.outputTokens === null) return null;
  return Math.round(((usage.inputTokens * p.input + usage.outputTokens * p.output) / 1e6) * 1e6) / 1e6;
}
