import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

// The LLM settings: off by default, each wrong value named, the key from a file and never shown.

const errorOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('LLM configuration', () => {
  it('is off by default, with cautious defaults', () => {
    const c = loadConfig({});
    expect(c.LLM_ENABLED).toBe(false);
    expect(c.LLM_REDACT_PII).toBe(true);
    expect(c.LLM_MAX_RETRIES).toBe(1);
  });

  it('names what is missing when enabled', () => {
    expect(errorOf({ LLM_ENABLED: 'true' })).toMatch(/LLM_PROVIDER must be set[\s\S]*LLM_MODEL must be set/);
    expect(
      errorOf({ LLM_ENABLED: 'true', LLM_PROVIDER: 'openai_compatible', LLM_MODEL: 'llama3.1' }),
    ).toMatch(/LLM_BASE_URL must be set for LLM_PROVIDER=openai_compatible/);
    expect(errorOf({ LLM_ENABLED: 'true', LLM_PROVIDER: 'anthropic', LLM_MODEL: 'claude' })).toMatch(
      /LLM_API_KEY \(or LLM_API_KEY_FILE\) must be set/,
    );
  });

  it('names the variable of a wrong value', () => {
    expect(errorOf({ LLM_PROVIDER: 'skynet' })).toMatch(/LLM_PROVIDER="skynet": expected one of openai, /);
    expect(errorOf({ LLM_TEMPERATURE: '7' })).toMatch(/LLM_TEMPERATURE="7": expected at most 2/);
    expect(errorOf({ LLM_FALLBACK: 'openai' })).toMatch(
      /LLM_FALLBACK="openai": expected provider:model pairs/,
    );
    expect(errorOf({ LLM_PRICES: '{"m":{"input":"x"}}' })).toMatch(
      /LLM_PRICES=.*expected JSON of model to USD/,
    );
  });

  it('reads the key from LLM_API_KEY_FILE and never prints it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tarka-llm-')), 'key');
    writeFileSync(file, 'sk-test-key-from-file-123456\n');
    const c = loadConfig({
      LLM_ENABLED: 'true',
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_API_KEY_FILE: file,
    });
    expect(c.LLM_API_KEY).toBe('sk-test-key-from-file-123456');
    const msg = errorOf({ LLM_API_KEY: 'sk-test-key-from-file-123456', LLM_TEMPERATURE: 'hot' });
    expect(msg).toMatch(/LLM_TEMPERATURE/);
    expect(msg).not.toContain('sk-test-key');
  });

  it('parses the fallback list and an operator price table', () => {
    const c = loadConfig({
      LLM_FALLBACK: 'anthropic:claude-haiku-4-5, openai_compatible:llama3.1:8b',
      LLM_PRICES: '{"llama3.1:8b":{"input":0,"output":0}}',
    });
    expect(c.LLM_FALLBACK).toEqual([
      { provider: 'anthropic', model: 'claude-haiku-4-5' },
      { provider: 'openai_compatible', model: 'llama3.1:8b' },
    ]);
    expect(c.LLM_PRICES).toEqual({ 'llama3.1:8b': { input: 0, output: 0 } });
  });
});
