// From `provider:model` to an AI SDK language model, with the key from the environment.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { Provider } from '../protocol';
import { apiKeyFor, KEY_ENV, GENERIC_KEY_ENV } from '../secrets';

export interface ModelSpec {
  provider: Provider;
  modelId: string;
  ref: string;
  /** openai-compatible only. */
  baseUrl?: string;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';

export function parseModelRef(ref: string, baseUrl?: string): ModelSpec {
  const at = ref.indexOf(':');
  const provider = Provider.safeParse(at > 0 ? ref.slice(0, at) : '');
  const modelId = ref.slice(at + 1).trim();
  if (!provider.success || !modelId) throw new Error(`"${ref}" is not a model: write provider:model with provider one of ${Provider.options.join(', ')}`);
  return { provider: provider.data, modelId, ref: `${provider.data}:${modelId}`, baseUrl: provider.data === 'openai-compatible' ? baseUrl || DEFAULT_BASE_URL : undefined };
}

/** No key for a provider that needs one: the run stops before any request is made. */
export class MissingKeyError extends Error {
  constructor(readonly provider: Provider) {
    super(`No API key for ${provider}. Run "Torbit: Set API Key", or set ${KEY_ENV[provider]} (or ${GENERIC_KEY_ENV} for the CLI).`);
  }
}

export type ModelFactory = (spec: ModelSpec, env: NodeJS.ProcessEnv) => LanguageModel;

export const createModel: ModelFactory = (spec, env) => {
  const apiKey = apiKeyFor(spec.provider, env);
  // Local OpenAI-compatible servers (Ollama, LM Studio, vLLM) usually need no key.
  if (!apiKey && spec.provider !== 'openai-compatible') throw new MissingKeyError(spec.provider);
  switch (spec.provider) {
    case 'openai': return createOpenAI({ apiKey })(spec.modelId);
    case 'anthropic': return createAnthropic({ apiKey })(spec.modelId);
    case 'google': return createGoogleGenerativeAI({ apiKey })(spec.modelId);
    case 'openai-compatible':
      return createOpenAICompatible({ name: 'openai-compatible', baseURL: spec.baseUrl ?? DEFAULT_BASE_URL, apiKey, includeUsage: true }).chatModel(spec.modelId);
  }
};
