// A local HTTP server that speaks the OpenAI Chat Completions wire format (streaming SSE and plain
// JSON), so tests can drive the real provider path (@ai-sdk/openai-compatible + streamText) end to
// end without a network. Bound to 127.0.0.1 only. See test/stubs/README.md.
//
// Run directly for manual use: `node --import=tsx test/stubs/openaiStub.ts [--port 8787]` starts a
// stub that answers every chat request with a short streamed text and prints its baseURL.
import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface StubToolCallDelta { index: number; id?: string; name?: string; arguments?: string }

export type StubChunk =
  /** choices[0].delta.content */
  | { text: string }
  /** choices[0].delta.tool_calls, in OpenAI's shape {index, id, type:'function', function:{name, arguments}} */
  | { toolCalls: StubToolCallDelta[] }
  /** choices[0].finish_reason with an empty delta */
  | { finish: 'stop' | 'tool_calls' | 'length' };

export type StubResponse =
  | {
    kind: 'stream';
    chunks: StubChunk[];
    /** Wait this long before writing each chunk (the first included), after the headers went out. */
    delayMs?: number;
    /**
     * Token counts for the usage chunk. As with OpenAI, the usage chunk (choices: [], then usage)
     * is sent only when the request asked for it with stream_options.include_usage; when it asked
     * and none is given here, rough counts are made up (prompt ≈ request chars / 4, completion =
     * number of content deltas).
     */
    usage?: { prompt_tokens: number; completion_tokens: number };
    /** Keep the connection open after the chunks and never send [DONE]: for cancellation tests. */
    stall?: boolean;
    /** Called right after chunk i was written, with performance.timeOrigin + performance.now(). */
    onChunk?: (i: number, sentAtMs: number) => void;
  }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** When the request's body had fully arrived, as performance.timeOrigin + performance.now(). */
  at: number;
}

export interface OpenAIStub {
  /** e.g. http://127.0.0.1:PORT/v1 */
  baseURL: string;
  /** Every request the stub received, in arrival order (including GET /v1/models and 404s). */
  requests: RecordedRequest[];
  /** Queue responses; each POST /v1/chat/completions takes the next one. */
  enqueue(...responses: StubResponse[]): void;
  /** Or decide from the request (takes precedence over the queue when set). */
  respondWith(fn: ((req: RecordedRequest) => StubResponse) | undefined): void;
  /** Queued responses not yet consumed. */
  pending(): number;
  /** Stops the server; also ends any stalled or still-running streams. */
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** OpenAI's error bodies for common statuses ({error: {message, type, param, code}}). */
export function defaultErrorBody(status: number, model?: string): { error: { message: string; type: string; param: null; code: string | null } } {
  const e = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });
  switch (status) {
    case 400: return e('Invalid request.', 'invalid_request_error', null);
    case 401: return e('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key');
    case 403: return e('You are not allowed to access this resource.', 'invalid_request_error', 'unsupported_country_region_territory');
    case 404: return e(`The model \`${model ?? 'unknown'}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 429: return e('Rate limit reached for requests. Please try again in 1s.', 'requests', 'rate_limit_exceeded');
    case 503: return e('The engine is currently overloaded, please try again later.', 'server_error', null);
    default:
      return status >= 500
        ? e('The server had an error while processing your request. Sorry about that!', 'server_error', null)
        : e(`Request failed with status ${status}.`, 'invalid_request_error', null);
  }
}

/** Splits text into `pieces` deltas of near-equal length (by code point), then {finish:'stop'}. */
export function textChunks(text: string, pieces: number): StubChunk[] {
  return [...splitInto(text, pieces).map((t) => ({ text: t })), { finish: 'stop' }];
}

/**
 * Tool calls streamed the way OpenAI streams parallel calls: one call after another by index; each
 * starts with a delta carrying id + name (and empty arguments), then its JSON arguments split over
 * `piecesPerCall` deltas. Ends with {finish:'tool_calls'}.
 */
export function toolCallChunks(calls: { id: string; name: string; args: unknown }[], piecesPerCall: number): StubChunk[] {
  const out: StubChunk[] = [];
  calls.forEach((c, index) => {
    out.push({ toolCalls: [{ index, id: c.id, name: c.name, arguments: '' }] });
    for (const piece of splitInto(JSON.stringify(c.args), piecesPerCall)) out.push({ toolCalls: [{ index, arguments: piece }] });
  });
  out.push({ finish: 'tool_calls' });
  return out;
}

function splitInto(s: string, pieces: number): string[] {
  const cps = [...s];
  const n = Math.max(1, Math.min(Math.floor(pieces), cps.length));
  if (cps.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(cps.slice(Math.floor((i * cps.length) / n), Math.floor(((i + 1) * cps.length) / n)).join(''));
  return out;
}

interface WireToolCall { index: number; id?: string; type?: 'function'; function: { name?: string; arguments?: string } }

function wireToolCall(d: StubToolCallDelta): WireToolCall {
  const fn: { name?: string; arguments?: string } = {};
  if (d.name !== undefined) fn.name = d.name;
  fn.arguments = d.arguments ?? '';
  return d.id !== undefined ? { index: d.index, id: d.id, type: 'function', function: fn } : { index: d.index, function: fn };
}

/** A non-streaming chat.completion built from the same chunks. */
function completionFromChunks(chunks: StubChunk[], model: string, usage: { prompt_tokens: number; completion_tokens: number }) {
  let content: string | null = null;
  let finish: string | null = null;
  const calls = new Map<number, { id: string; type: 'function'; function: { name: string; arguments: string } }>();
  for (const c of chunks) {
    if ('text' in c) content = (content ?? '') + c.text;
    else if ('finish' in c) finish = c.finish;
    else for (const d of c.toolCalls) {
      const call = calls.get(d.index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
      if (d.id !== undefined) call.id = d.id;
      if (d.name !== undefined) call.function.name += d.name;
      if (d.arguments !== undefined) call.function.arguments += d.arguments;
      calls.set(d.index, call);
    }
  }
  const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  return {
    id: `chatcmpl-${hex(12)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      logprobs: null,
      finish_reason: finish ?? 'stop',
    }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    system_fingerprint: 'fp_openai_stub',
  };
}

function estimateUsage(req: RecordedRequest, chunks: StubChunk[]): { prompt_tokens: number; completion_tokens: number } {
  const promptChars = JSON.stringify(req.body?.messages ?? '').length;
  return { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: chunks.filter((c) => !('finish' in c)).length };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': `req_${hex(16)}`, ...headers });
  res.end(text);
}

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'stub-model'];

export function startOpenAIStub(opts: { port?: number } = {}): Promise<OpenAIStub> {
  const requests: RecordedRequest[] = [];
  const queue: StubResponse[] = [];
  let decide: ((req: RecordedRequest) => StubResponse) | undefined;
  /** Aborts every response still being written (stalled or delayed) when the stub closes. */
  const closing = new AbortController();
  const open = new Set<http.ServerResponse>();

  const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => { signal.removeEventListener('abort', done); resolve(); }, ms);
    const done = () => { clearTimeout(t); resolve(); };
    signal.addEventListener('abort', done, { once: true });
  });

  async function stream(req: RecordedRequest, res: http.ServerResponse, r: Extract<StubResponse, { kind: 'stream' }>): Promise<void> {
    // Stops writing when the client goes away (abort) or the stub closes.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const stop = AbortSignal.any([gone.signal, closing.signal]);
    open.add(res);
    res.on('close', () => open.delete(res));

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': `req_${hex(16)}`,
    });
    res.flushHeaders();

    const id = `chatcmpl-${hex(12)}`;
    const created = Math.floor(Date.now() / 1000);
    const model: string = typeof req.body?.model === 'string' ? req.body.model : 'stub-model';
    const includeUsage = req.body?.stream_options?.include_usage === true;
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_openai_stub' };
    const write = (obj: unknown) => { res.write(`data: ${JSON.stringify(obj)}\n\n`); };

    for (let i = 0; i < r.chunks.length; i++) {
      if (r.delayMs) await sleep(r.delayMs, stop);
      if (stop.aborted) return;
      const c = r.chunks[i]!;
      const delta: Record<string, unknown> = i === 0 ? { role: 'assistant' } : {};
      let finish: string | null = null;
      if ('text' in c) delta.content = c.text;
      else if ('toolCalls' in c) {
        if (i === 0) delta.content = null;
        delta.tool_calls = c.toolCalls.map(wireToolCall);
      } else finish = c.finish;
      write({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
      r.onChunk?.(i, now());
    }
    if (r.stall) return; // left open until the client aborts or the stub closes
    if (includeUsage) {
      const u = r.usage ?? estimateUsage(req, r.chunks);
      write({ ...base, choices: [], usage: { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens } });
    }
    res.end('data: [DONE]\n\n');
  }

  function respond(req: RecordedRequest, res: http.ServerResponse, r: StubResponse): void | Promise<void> {
    if (r.kind === 'error') {
      const model = typeof req.body?.model === 'string' ? req.body.model : undefined;
      sendJson(res, r.status, r.body !== undefined ? r.body : defaultErrorBody(r.status, model), r.headers);
      return;
    }
    if (req.body?.stream === true) return stream(req, res, r);
    const model = typeof req.body?.model === 'string' ? req.body.model : 'stub-model';
    sendJson(res, 200, completionFromChunks(r.chunks, model, r.usage ?? estimateUsage(req, r.chunks)));
  }

  const server = http.createServer((httpReq, res) => {
    const parts: Buffer[] = [];
    httpReq.on('data', (d: Buffer) => parts.push(d));
    httpReq.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      let body: unknown = undefined;
      if (text.length) { try { body = JSON.parse(text); } catch { body = text; } }
      const url = new URL(httpReq.url ?? '/', 'http://127.0.0.1');
      const rec: RecordedRequest = { method: httpReq.method ?? 'GET', path: url.pathname, headers: { ...httpReq.headers }, body, at: now() };
      requests.push(rec);

      const p = url.pathname.replace(/\/+$/, '');
      if (rec.method === 'GET' && (p === '/v1/models' || p === '/models')) {
        sendJson(res, 200, { object: 'list', data: MODELS.map((m) => ({ id: m, object: 'model', created: 1_700_000_000, owned_by: 'openai-stub' })) });
        return;
      }
      if (rec.method === 'POST' && (p === '/v1/chat/completions' || p === '/chat/completions')) {
        const r = decide ? decide(rec) : queue.shift();
        if (!r) {
          // Loud, and fast: retry-after-ms 0 keeps the SDK's retries of this 500 from sleeping 2 s + 4 s.
          sendJson(res, 500, {
            error: {
              message: 'openaiStub: nothing queued for POST /v1/chat/completions (call stub.enqueue(...) or stub.respondWith(...) first)',
              type: 'stub_error', param: null, code: 'stub_nothing_queued',
            },
          }, { 'retry-after-ms': '0' });
          return;
        }
        Promise.resolve(respond(rec, res, r)).catch((err: unknown) => {
          if (!res.headersSent) sendJson(res, 500, { error: { message: `openaiStub: ${String(err)}`, type: 'stub_error', param: null, code: null } });
          else res.destroy();
        });
        return;
      }
      sendJson(res, 404, { error: { message: `Invalid URL (${rec.method} ${url.pathname})`, type: 'invalid_request_error', param: null, code: null } });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      let closed: Promise<void> | undefined;
      resolve({
        baseURL: `http://127.0.0.1:${port}/v1`,
        requests,
        enqueue: (...rs) => { queue.push(...rs); },
        respondWith: (fn) => { decide = fn; },
        pending: () => queue.length,
        close: () => closed ??= new Promise<void>((done) => {
          closing.abort();
          for (const res of open) res.destroy();
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

// Script mode: a stub that answers every chat request with a short streamed text.
if (typeof require !== 'undefined' && require.main === module) {
  const i = process.argv.indexOf('--port');
  const port = i >= 0 ? Number(process.argv[i + 1]) : 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`openaiStub: bad --port '${process.argv[i + 1] ?? ''}'`);
    process.exit(2);
  }
  startOpenAIStub({ port }).then((stub) => {
    stub.respondWith(() => ({
      kind: 'stream',
      chunks: textChunks('Hello from the Torbit OpenAI stub. It answers every request with this text.', 8),
      delayMs: 30,
      usage: { prompt_tokens: 12, completion_tokens: 16 },
    }));
    console.log(stub.baseURL);
    const stop = () => { void stub.close().then(() => process.exit(0)); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }, (err: unknown) => {
    console.error(`openaiStub: ${String(err)}`);
    process.exit(1);
  });
}
