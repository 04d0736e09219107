import { createAnthropic } from '@ai-sdk/anthropic';
import { createAzure } from '@ai-sdk/azure';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createVertex } from '@ai-sdk/google-vertex';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { ProviderName } from './model.js';

// One place that knows each provider library: Tarka's settings in, the library's model out.

export interface ModelSpec {
  provider: ProviderName;
  model: string;
  /** A local server (Ollama, vLLM, llama.cpp, LM Studio), Azure's endpoint, or a proxy. */
  baseUrl?: string;
  apiKey?: string;
  azureApiVersion?: string;
  vertexProject?: string;
  vertexLocation?: string;
  timeoutMs: number;
  maxTokens: number;
  temperature: number;
  maxRetries: number;
}

export function languageModel(spec: ModelSpec): LanguageModel {
  const { baseUrl: baseURL, apiKey, model } = spec;
  switch (spec.provider) {
    case 'openai':
      // Chat completions, the protocol the OpenAI-compatible servers share too.
      return createOpenAI({ apiKey, baseURL }).chat(model);
    case 'openai_compatible':
      return createOpenAICompatible({
        name: 'openai_compatible',
        baseURL: baseURL ?? 'http://localhost:11434/v1',
        apiKey,
        includeUsage: true,
        supportsStructuredOutputs: true,
      }).chatModel(model);
    case 'azure':
      return createAzure({ apiKey, baseURL, apiVersion: spec.azureApiVersion }).chat(model);
    case 'anthropic':
      return createAnthropic({ apiKey, baseURL })(model);
    case 'google':
      return createGoogleGenerativeAI({ apiKey, baseURL })(model);
    case 'vertex':
      return createVertex({
        apiKey,
        baseURL,
        project: spec.vertexProject,
        location: spec.vertexLocation ?? 'us-central1',
      })(model);
  }
}
