// Provider failures as sentences a person can act on. Retries (429 honouring retry-after, 5xx,
// network) happen inside the AI SDK before an error gets here; this only names what is left.
import { APICallError, RetryError } from 'ai';
import type { RunError } from '../protocol';
import { MissingKeyError, type ModelSpec } from './models';

function causeChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err, i = 0; e && i < 6; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

export function classifyError(err: unknown, spec: ModelSpec, redact: (s: string) => string): RunError {
  if (err instanceof MissingKeyError) return { code: 'missing-key', message: err.message, action: 'setApiKey' };
  const retried = RetryError.isInstance(err) ? err : undefined;
  const last = retried ? retried.lastError : err;
  const attempts = retried ? ` (after ${retried.errors.length} attempts)` : '';
  const who = spec.provider === 'openai-compatible' ? `the model server at ${spec.baseUrl}` : spec.provider;
  if (APICallError.isInstance(last)) {
    const status = last.statusCode ?? 0;
    const detail = redact(providerMessage(last) ?? last.message);
    if (status === 401 || status === 403) {
      return { code: 'bad-key', message: `${who} rejected the API key (${status}): ${detail}. Set a valid key with "Torbit: Set API Key".`, action: 'setApiKey' };
    }
    if (status === 429) return { code: 'rate-limit', message: `${who} is rate-limiting requests (429)${attempts}: ${detail}. Wait a moment and try again.` };
    if (status === 404) return { code: 'model', message: `${who} does not know the model "${spec.modelId}" (404): ${detail}` };
    if (status >= 500) return { code: 'server', message: `${who} failed (${status})${attempts}: ${detail}. Try again later.` };
    if (status >= 400) return { code: 'bad-request', message: `${who} refused the request (${status}): ${detail}` };
  }
  const net = causeChain(last).find((e) => typeof (e as { code?: unknown })?.code === 'string' && /^E[A-Z]+/.test((e as { code: string }).code)) as { code: string } | undefined;
  const msg = redact((last as Error)?.message ?? String(last));
  if (net || /fetch failed|network|socket|ECONNREFUSED|ENOTFOUND|terminated/i.test(msg)) {
    return { code: 'network', message: `Could not reach ${who}${attempts}: ${net?.code ?? msg}. Check the connection${spec.provider === 'openai-compatible' ? ' and that the server is running' : ''}.` };
  }
  return { code: 'internal', message: `The run failed: ${msg}` };
}

function providerMessage(e: APICallError): string | undefined {
  const data = e.data as { error?: { message?: unknown } } | undefined;
  if (typeof data?.error?.message === 'string') return data.error.message;
  try {
    const body = JSON.parse(e.responseBody ?? '') as { error?: { message?: unknown } | string };
    if (typeof body.error === 'string') return body.error;
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON
  }
  return undefined;
}
