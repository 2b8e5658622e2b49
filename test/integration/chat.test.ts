// The real provider path end to end: a spawned backend runs turns against the OpenAI-compatible
// SSE stub through @ai-sdk/openai-compatible, and reports them over JSON-RPC.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { rpc, SessionTranscript } from '../../server/protocol';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import { openRpcChat } from '../support/rpcChat';
import { shutdown, type Spawned } from '../support/server';
import { gitRepo } from '../support/tmp';
import { until } from '../support/until';

describe('chat over JSON-RPC with the real OpenAI-compatible provider (SSE stub)', function () {
  this.timeout(60_000);
  let stub: OpenAIStub;
  const live: Spawned[] = [];

  const open = (ws?: string, agent: Record<string, unknown> = {}) => openRpcChat({ ws, baseURL: stub.baseURL, agent }, live);

  beforeEach(async () => { stub = await startOpenAIStub(); });
  afterEach(async () => {
    for (const s of live.splice(0)) await shutdown(s);
    await stub.close();
  });

  it('streams text deltas, parses tool-call arguments split over many chunks, writes the file, and reports usage', async () => {
    const c = await open();
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_w', name: 'write_file', args: { path: 'notes/todo.md', content: '# Todo\n- ship it\n' } }], 25), usage: { prompt_tokens: 300, completion_tokens: 40 } },
      { kind: 'stream', chunks: textChunks('I created **notes/todo.md**.', 12), usage: { prompt_tokens: 420, completion_tokens: 9 } },
    );
    const { turnId } = await c.send('make a todo list');
    const end = await c.turnEnd(turnId);
    assert.equal(end.status, 'done');
    assert.equal(fs.readFileSync(path.join(c.ws, 'notes/todo.md'), 'utf8'), '# Todo\n- ship it\n');
    const deltas = c.of('text-delta', turnId);
    assert.equal(deltas.length, 12);
    assert.equal(deltas.map((d) => d.text).join(''), 'I created **notes/todo.md**.');
    const seqs = c.events.filter((e) => e.turnId === turnId).map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i), 'notifications arrive in order, none lost');
    const usage = c.of('usage', turnId).at(-1)!;
    assert.deepEqual([usage.turn.inputTokens, usage.turn.outputTokens], [720, 49]);
    assert.equal(usage.turn.costUsd, null, 'an unknown model counts tokens but has no price');
    // What the SDK sent: the tool result went back in the second request, with the key as bearer.
    assert.equal(stub.requests.length, 2);
    const second = stub.requests[1]!;
    assert.equal(second.headers.authorization, 'Bearer stub-key-123456789');
    assert.ok(second.body.messages.some((m: { role: string }) => m.role === 'tool'));
    assert.equal(second.body.model, 'stub-model');
  });

  it('runs two tool calls from one step', async () => {
    const c = await open();
    fs.writeFileSync(path.join(c.ws, 'a.txt'), 'A');
    fs.writeFileSync(path.join(c.ws, 'b.txt'), 'B');
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'r1', name: 'read_file', args: { path: 'a.txt' } }, { id: 'r2', name: 'read_file', args: { path: 'b.txt' } }], 4) },
      { kind: 'stream', chunks: textChunks('A and B.', 2) },
    );
    const { turnId } = await c.send('read both');
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    const ends = c.of('tool-end', turnId).map((e) => `${e.card.toolCallId}:${e.card.summary}:${e.card.status}`).sort();
    assert.deepEqual(ends, ['r1:a.txt:ok', 'r2:b.txt:ok']);
    const toolMsgs = stub.requests[1]!.body.messages.filter((m: { role: string }) => m.role === 'tool');
    assert.equal(toolMsgs.length, 2);
  });

  it('turns a 401 into a bad-key error with the Set API Key action', async () => {
    const c = await open();
    stub.enqueue({ kind: 'error', status: 401 });
    const { turnId } = await c.send('hi');
    const end = await c.turnEnd(turnId);
    assert.equal(end.status, 'error');
    assert.equal(end.error?.code, 'bad-key');
    assert.equal(end.error?.action, 'setApiKey');
    assert.match(end.error.message, /rejected the API key \(401\): Incorrect API key provided/);
    assert.equal(stub.requests.length, 1, 'a 401 is not retried');
  });

  it('retries a 429, honouring retry-after, and then succeeds', async () => {
    const c = await open();
    // 3 s is longer than the SDK's own first backoff (2 s): only a wait that honours it is that long.
    stub.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '3' } }, { kind: 'stream', chunks: textChunks('ok', 1) });
    const { turnId } = await c.send('hi');
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.equal(stub.requests.length, 2);
    const gap = stub.requests[1]!.at - stub.requests[0]!.at;
    assert.ok(gap >= 2950, `retried after ${gap.toFixed(0)} ms`);
  });

  it('gives up on repeated 500s with a clear server error, and a 429 that persists with a rate-limit error', async () => {
    const c = await open(undefined, { maxRetries: 1 });
    const fail = { kind: 'error' as const, status: 500, headers: { 'retry-after-ms': '10' } };
    stub.enqueue(fail, fail);
    const a = await c.send('hi');
    const e1 = await c.turnEnd(a.turnId);
    assert.deepEqual([e1.status, e1.error?.code], ['error', 'server']);
    assert.match(e1.error!.message, /failed \(500\) \(after 2 attempts\)/);
    const limited = { kind: 'error' as const, status: 429, headers: { 'retry-after-ms': '10' } };
    stub.enqueue(limited, limited);
    const b = await c.send('again', { sessionId: a.sessionId });
    const e2 = await c.turnEnd(b.turnId);
    assert.deepEqual([e2.status, e2.error?.code], ['error', 'rate-limit']);
  });

  it('reports an unreachable model server as a network error', async () => {
    const c = await open(undefined, { maxRetries: 0 });
    const port = await new Promise<number>((r) => { const srv = net.createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => r(p)); }); });
    const { turnId } = await c.send('hi', { baseUrl: `http://127.0.0.1:${port}/v1` });
    const end = await c.turnEnd(turnId);
    assert.equal(end.error?.code, 'network');
    assert.match(end.error.message, new RegExp(`Could not reach the model server at http://127.0.0.1:${port}/v1.*ECONNREFUSED`));
  });

  it('stops a streaming turn over torbit/chat/stop', async () => {
    const c = await open();
    stub.enqueue({ kind: 'stream', chunks: textChunks('a '.repeat(50), 50), delayMs: 20, stall: true });
    const { turnId } = await c.send('long answer');
    await until('three text deltas', () => c.of('text-delta', turnId).length >= 3);
    const r = await c.s.conn.sendRequest(rpc.chatStop.method, { turnId });
    assert.deepEqual(r, { stopped: true });
    // The stub stalls after its chunks: only the stop can end this turn.
    assert.equal((await c.turnEnd(turnId)).status, 'canceled');
  });

  it('keeps sessions across a backend restart, and marks a turn cut off by a crash as interrupted', async () => {
    const ws = gitRepo();
    const c = await open(ws);
    stub.enqueue({ kind: 'stream', chunks: textChunks('first answer', 3) });
    const first = await c.send('first');
    await c.turnEnd(first.turnId);
    stub.enqueue({ kind: 'stream', chunks: textChunks('partial words that keep coming', 30), delayMs: 30, stall: true });
    const second = await c.send('second', { sessionId: first.sessionId });
    await until('twelve text deltas', () => c.of('text-delta', second.turnId).length >= 12);
    // The recorder writes streamed text in slices: wait until a slice of this turn is on disk.
    await until('the partial answer on disk', async () => {
      const t = SessionTranscript.parse(await c.s.conn.sendRequest(rpc.sessionGet.method, { sessionId: first.sessionId }));
      const part = t.turns[1]?.parts[0];
      return part?.kind === 'text' && part.text.length > 0;
    });
    c.s.child.kill('SIGKILL');
    await c.s.exited;
    const d = await open(ws);
    const list = await d.s.conn.sendRequest<{ sessions: { id: string; turns: number }[] }>(rpc.sessionList.method, {});
    assert.deepEqual(list.sessions.map((x) => [x.id, x.turns]), [[first.sessionId, 2]]);
    const t = SessionTranscript.parse(await d.s.conn.sendRequest(rpc.sessionGet.method, { sessionId: first.sessionId }));
    assert.deepEqual(t.turns.map((x) => [x.userText, x.status]), [['first', 'done'], ['second', 'interrupted']]);
    assert.deepEqual(t.turns[0]!.parts, [{ kind: 'text', text: 'first answer' }]);
    const partial = t.turns[1]!.parts[0];
    assert.ok(partial?.kind === 'text' && partial.text.length > 0 && 'partial words that keep coming'.startsWith(partial.text), `kept: ${JSON.stringify(partial)}`);
    assert.equal(t.runningTurnId, null);
  });

  it('refuses a bad chat request with a reason naming the field, and stays up', async () => {
    const c = await open();
    await assert.rejects(c.s.conn.sendRequest(rpc.chatSend.method, { text: '', model: 'openai-compatible:m' }), /text: the prompt is empty/);
    await assert.rejects(c.s.conn.sendRequest(rpc.chatSend.method, { text: 'x', model: 'gpt-4' }), /model: expected provider:model/);
    await assert.rejects(c.s.conn.sendRequest(rpc.chatSend.method, { text: 'x', model: 'openai:m', sessionId: 'nope' }), /there is no session nope/);
    await assert.rejects(c.s.conn.sendRequest(rpc.sessionGet.method, { sessionId: 'nope' }), /there is no session/);
    assert.deepEqual(await c.s.conn.sendRequest(rpc.chatStop.method, { turnId: 'nope' }), { stopped: false });
  });
});
