// The OpenAI stub, driven through the real provider path: createOpenAICompatible + streamText.
import * as assert from 'node:assert/strict';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, RetryError, streamText, tool, stepCountIs, type TextStreamPart, type ToolSet } from 'ai';
import { z } from 'zod';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from './openaiStub';

/** Collects every fullStream part; streamText's default onError (console.error) is silenced. */
async function parts<T extends ToolSet>(result: { fullStream: AsyncIterable<TextStreamPart<T>> }): Promise<TextStreamPart<T>[]> {
  const out: TextStreamPart<T>[] = [];
  for await (const p of result.fullStream) out.push(p);
  return out;
}
const quiet = () => {};

describe('OpenAI stub (through @ai-sdk/openai-compatible and streamText)', function () {
  this.timeout(10_000);
  let stub: OpenAIStub;
  let provider: ReturnType<typeof createOpenAICompatible>;

  beforeEach(async () => {
    stub = await startOpenAIStub();
    provider = createOpenAICompatible({ name: 'stub', baseURL: stub.baseURL, apiKey: 'k', includeUsage: true });
  });
  afterEach(async () => { await stub.close(); });

  it('helpers build OpenAI-shaped chunk lists', () => {
    assert.deepEqual(textChunks('abcdefg', 3), [{ text: 'ab' }, { text: 'cd' }, { text: 'efg' }, { finish: 'stop' }]);
    assert.deepEqual(textChunks('ab', 5), [{ text: 'a' }, { text: 'b' }, { finish: 'stop' }]);
    const tc = toolCallChunks([{ id: 'c1', name: 'f', args: { x: 1 } }, { id: 'c2', name: 'g', args: {} }], 2);
    assert.deepEqual(tc, [
      { toolCalls: [{ index: 0, id: 'c1', name: 'f', arguments: '' }] },
      { toolCalls: [{ index: 0, arguments: '{"x' }] },
      { toolCalls: [{ index: 0, arguments: '":1}' }] },
      { toolCalls: [{ index: 1, id: 'c2', name: 'g', arguments: '' }] },
      { toolCalls: [{ index: 1, arguments: '{' }] },
      { toolCalls: [{ index: 1, arguments: '}' }] },
      { finish: 'tool_calls' },
    ]);
  });

  it('streams text deltas in order, and they concatenate', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. ✓ done';
    stub.enqueue({ kind: 'stream', chunks: textChunks(text, 9) });
    const r = streamText({ model: provider('gpt-4o'), prompt: 'go', maxRetries: 0, onError: quiet });
    const deltas = (await parts(r)).flatMap((p) => (p.type === 'text-delta' ? [p.text] : []));
    assert.equal(deltas.length, 9);
    assert.deepEqual(deltas, textChunks(text, 9).flatMap((c) => ('text' in c ? [c.text] : [])));
    assert.equal(await r.text, text);
    assert.equal(await r.finishReason, 'stop');
    assert.equal(stub.pending(), 0);
  });

  it('writes the real wire format: SSE, chat.completion.chunk, role first, usage chunk, [DONE]', async () => {
    stub.enqueue({ kind: 'stream', chunks: textChunks('hi there', 2), usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const res = await fetch(`${stub.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm-1', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const raw = await res.text();
    const events = raw.split('\n\n').filter(Boolean);
    assert.ok(events.every((e) => e.startsWith('data: ')), raw);
    assert.equal(events.at(-1), 'data: [DONE]');
    const objs = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    assert.equal(objs.length, 4);
    for (const o of objs) {
      assert.equal(o.object, 'chat.completion.chunk');
      assert.equal(o.model, 'm-1');
      assert.match(o.id, /^chatcmpl-/);
      assert.equal(o.id, objs[0].id);
    }
    assert.deepEqual(objs[0].choices, [{ index: 0, delta: { role: 'assistant', content: 'hi t' }, logprobs: null, finish_reason: null }]);
    assert.deepEqual(objs[1].choices[0].delta, { content: 'here' });
    assert.deepEqual(objs[2].choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    assert.deepEqual(objs[3].choices, []);
    assert.deepEqual(objs[3].usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it('parses a tool call whose JSON arguments are split over many chunks, executes it, and runs the next step', async () => {
    const args = { path: 'src/app/index.ts', lines: [1, 2, 3], options: { dryRun: true, note: 'quote " and \\ backslash' } };
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_abc', name: 'readFile', args }], 17) },
      { kind: 'stream', chunks: textChunks('Read it.', 2) },
    );
    const seen: unknown[] = [];
    const r = streamText({
      model: provider('gpt-4o'),
      prompt: 'read the file',
      maxRetries: 0,
      onError: quiet,
      stopWhen: stepCountIs(2),
      tools: {
        readFile: tool({
          description: 'Reads a file',
          inputSchema: z.object({ path: z.string(), lines: z.array(z.number()), options: z.object({ dryRun: z.boolean(), note: z.string() }) }),
          execute: (input) => { seen.push(input); return { ok: true, bytes: 42 }; },
        }),
      },
    });
    const all = await parts(r);
    assert.equal(all.filter((p) => p.type === 'tool-input-delta').length, 17);
    assert.deepEqual(seen, [args]);
    const result = all.find((p) => p.type === 'tool-result');
    assert.ok(result && result.type === 'tool-result');
    assert.equal(result.toolCallId, 'call_abc');
    assert.deepEqual(result.output, { ok: true, bytes: 42 });
    assert.equal(await r.text, 'Read it.');
    // The second request carries the assistant tool call and the tool result back, OpenAI-style.
    assert.equal(stub.requests.length, 2);
    const msgs = stub.requests[1]!.body.messages;
    assert.deepEqual(msgs[1], {
      role: 'assistant', content: null,
      tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'readFile', arguments: JSON.stringify(args) } }],
    });
    assert.deepEqual(msgs[2], { role: 'tool', tool_call_id: 'call_abc', content: JSON.stringify({ ok: true, bytes: 42 }) });
  });

  it('executes two tool calls from one step', async () => {
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_1', name: 'add', args: { a: 2, b: 3 } }, { id: 'call_2', name: 'add', args: { a: 10, b: -4 } }], 4) },
      { kind: 'stream', chunks: textChunks('5 and 6', 3) },
    );
    const calls: { a: number; b: number }[] = [];
    const r = streamText({
      model: provider('gpt-4o'),
      prompt: 'add twice',
      maxRetries: 0,
      onError: quiet,
      stopWhen: stepCountIs(2),
      tools: { add: tool({ inputSchema: z.object({ a: z.number(), b: z.number() }), execute: (x) => { calls.push(x); return x.a + x.b; } }) },
    });
    const all = await parts(r);
    assert.deepEqual(calls.sort((x, y) => x.a - y.a), [{ a: 2, b: 3 }, { a: 10, b: -4 }]);
    const results = all.flatMap((p) => (p.type === 'tool-result' ? [[p.toolCallId, p.output]] : []));
    assert.deepEqual(results.sort(), [['call_1', 5], ['call_2', 6]]);
    const steps = await r.steps;
    assert.equal(steps.length, 2);
    assert.equal(steps[0]!.finishReason, 'tool-calls');
    assert.equal(await r.text, '5 and 6');
    const toolMsgs = stub.requests[1]!.body.messages.filter((m: { role: string }) => m.role === 'tool');
    assert.deepEqual(toolMsgs.map((m: { tool_call_id: string; content: string }) => [m.tool_call_id, m.content]), [['call_1', '5'], ['call_2', '6']]);
  });

  it('reports usage from the final chunk in finish-step and finish', async () => {
    stub.enqueue({ kind: 'stream', chunks: textChunks('counted', 2), usage: { prompt_tokens: 123, completion_tokens: 45 } });
    const r = streamText({ model: provider('gpt-4o'), prompt: 'count', maxRetries: 0, onError: quiet });
    const all = await parts(r);
    const step = all.find((p) => p.type === 'finish-step');
    const fin = all.find((p) => p.type === 'finish');
    assert.ok(step?.type === 'finish-step' && fin?.type === 'finish');
    assert.equal(step.usage.inputTokens, 123);
    assert.equal(step.usage.outputTokens, 45);
    assert.equal(step.usage.totalTokens, 168);
    assert.equal(fin.totalUsage.inputTokens, 123);
    assert.equal(fin.totalUsage.outputTokens, 45);
  });

  it('like OpenAI, sends no usage chunk when the request did not ask for it (includeUsage off)', async () => {
    const noUsage = createOpenAICompatible({ name: 'stub', baseURL: stub.baseURL, apiKey: 'k' });
    stub.enqueue({ kind: 'stream', chunks: textChunks('x', 1), usage: { prompt_tokens: 9, completion_tokens: 9 } });
    const r = streamText({ model: noUsage('gpt-4o'), prompt: 'x', maxRetries: 0, onError: quiet });
    await parts(r);
    assert.equal(stub.requests[0]!.body.stream_options, undefined);
    assert.equal((await r.usage).inputTokens, undefined);
  });

  it('surfaces a 401 as an APICallError with statusCode 401 in an error part', async () => {
    stub.enqueue({ kind: 'error', status: 401 });
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 0, onError: quiet });
    const all = await parts(r);
    const err = all.find((p) => p.type === 'error');
    assert.ok(err?.type === 'error', `no error part in ${all.map((p) => p.type).join(',')}`);
    assert.ok(APICallError.isInstance(err.error));
    assert.equal(err.error.statusCode, 401);
    assert.equal(err.error.isRetryable, false);
    assert.equal(err.error.message, 'Incorrect API key provided');
    assert.deepEqual(err.error.data, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    assert.equal(stub.requests.length, 1);
  });

  it('retries a 429 after its retry-after: 3 and then succeeds', async function () {
    this.timeout(15_000);
    stub.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '3' } }, { kind: 'stream', chunks: textChunks('after the wait', 3) });
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 2, onError: quiet });
    const all = await parts(r);
    assert.equal(all.some((p) => p.type === 'error'), false);
    assert.equal(await r.text, 'after the wait');
    assert.equal(stub.requests.length, 2);
    const gap = stub.requests[1]!.at - stub.requests[0]!.at;
    // The SDK waits retry-after (3 s) instead of its 2 s exponential default: only the honoured
    // wait is this long (a lower bound holds on a loaded machine; an upper one would not).
    assert.ok(gap >= 2950, `retry came after ${gap.toFixed(0)} ms`);
  });

  it('retries a repeated 500, then fails with a RetryError whose last error has statusCode 500', async () => {
    // retry-after-ms keeps this fast; without it the SDK sleeps 2 s, then 4 s.
    const e500 = { kind: 'error', status: 500, headers: { 'retry-after-ms': '20' } } as const;
    stub.enqueue(e500, e500, e500, e500);
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 2, onError: quiet });
    const all = await parts(r);
    const err = all.find((p) => p.type === 'error');
    assert.ok(err?.type === 'error');
    assert.ok(RetryError.isInstance(err.error), String(err.error));
    assert.equal(err.error.reason, 'maxRetriesExceeded');
    assert.equal(err.error.errors.length, 3);
    assert.ok(APICallError.isInstance(err.error.lastError));
    assert.equal(err.error.lastError.statusCode, 500);
    assert.equal(stub.requests.length, 3);
    assert.equal(stub.pending(), 1);
  });

  it('records the request body the SDK sent (model, messages, stream, tools) and the auth header', async () => {
    stub.enqueue({ kind: 'stream', chunks: textChunks('ok', 1) });
    const r = streamText({
      model: provider('some-model-id'),
      system: 'be brief',
      prompt: 'hello',
      temperature: 0.25,
      maxRetries: 0,
      onError: quiet,
      tools: { ping: tool({ description: 'Pings a host', inputSchema: z.object({ host: z.string() }), execute: () => 'pong' }) },
    });
    await parts(r);
    assert.equal(stub.requests.length, 1);
    const req = stub.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer k');
    assert.equal(req.body.model, 'some-model-id');
    assert.equal(req.body.stream, true);
    assert.deepEqual(req.body.stream_options, { include_usage: true });
    assert.equal(req.body.temperature, 0.25);
    assert.deepEqual(req.body.messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello' }]);
    assert.equal(req.body.tool_choice, 'auto');
    assert.equal(req.body.tools.length, 1);
    assert.equal(req.body.tools[0].type, 'function');
    assert.equal(req.body.tools[0].function.name, 'ping');
    assert.equal(req.body.tools[0].function.description, 'Pings a host');
    assert.deepEqual(req.body.tools[0].function.parameters.properties, { host: { type: 'string' } });
    assert.deepEqual(req.body.tools[0].function.parameters.required, ['host']);
  });

  it('a stalled stream ends when the AbortController aborts (the stub never ends it)', async () => {
    stub.enqueue({ kind: 'stream', chunks: [{ text: 'partial ' }], stall: true });
    const ac = new AbortController();
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 0, abortSignal: ac.signal, onError: quiet });
    const seen: string[] = [];
    for await (const p of r.fullStream) {
      seen.push(p.type);
      if (p.type === 'text-delta') {
        assert.equal(p.text, 'partial ');
        ac.abort();
      }
    }
    assert.ok(ac.signal.aborted, `never saw the text delta: ${seen.join(',')}`);
    assert.equal(seen.at(-1), 'abort');
    assert.equal(seen.includes('finish'), false);
  });

  it('close() ends a stalled stream that nobody aborts; the dropped connection rejects fullStream', async () => {
    stub.enqueue({ kind: 'stream', chunks: [{ text: 'half' }], stall: true });
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 0, onError: quiet });
    const seen: string[] = [];
    let closed = false;
    const failure = await (async () => {
      try {
        for await (const p of r.fullStream) {
          seen.push(p.type);
          if (p.type === 'text-delta') { closed = true; void stub.close(); }
        }
        return undefined;
      } catch (e) { return e; }
    })();
    assert.ok(closed, seen.join(','));
    // A connection cut mid-stream is not an 'error' part: the fullStream iteration itself throws.
    assert.ok(APICallError.isInstance(failure), String(failure));
    assert.equal(failure.message, 'Failed to process successful response');
    assert.equal(seen.includes('error'), false);
    assert.equal(seen.includes('finish'), false);
  });

  it('paces chunks by delayMs and reports each send through onChunk', async () => {
    const sent: [number, number][] = [];
    stub.enqueue({ kind: 'stream', chunks: textChunks('abcd', 4), delayMs: 40, onChunk: (i, t) => sent.push([i, t]) });
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 0, onError: quiet });
    assert.equal(await r.text, 'abcd');
    assert.deepEqual(sent.map(([i]) => i), [0, 1, 2, 3, 4]);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i]![1] - sent[i - 1]![1] >= 35, `gap ${i}: ${sent[i]![1] - sent[i - 1]![1]}`);
    assert.ok(sent[0]![1] - stub.requests[0]!.at >= 35);
  });

  it('answers loudly when nothing is queued, and serves /v1/models and non-streaming requests', async () => {
    const r = streamText({ model: provider('gpt-4o'), prompt: 'x', maxRetries: 0, onError: quiet });
    const err = (await parts(r)).find((p) => p.type === 'error');
    assert.ok(err?.type === 'error' && APICallError.isInstance(err.error));
    assert.equal(err.error.statusCode, 500);
    assert.match(err.error.message, /nothing queued/);

    const models = await (await fetch(`${stub.baseURL}/models`)).json() as { object: string; data: { id: string }[] };
    assert.equal(models.object, 'list');
    assert.ok(models.data.length > 0 && models.data.every((m) => typeof m.id === 'string'));

    stub.respondWith((req) => ({ kind: 'stream', chunks: [...toolCallChunks([{ id: 'c9', name: 'f', args: { n: req.body.messages.length } }], 3)], usage: { prompt_tokens: 1, completion_tokens: 2 } }));
    const res = await fetch(`${stub.baseURL}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }),
    });
    const json = await res.json() as { object: string; choices: { message: unknown; finish_reason: string }[]; usage: unknown };
    assert.equal(json.object, 'chat.completion');
    assert.deepEqual(json.choices[0]!.message, { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'c9', type: 'function', function: { name: 'f', arguments: '{"n":2}' } }] });
    assert.equal(json.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(json.usage, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
  });
});
