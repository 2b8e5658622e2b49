// Races on the chat over the backend's real JSON-RPC connection: two sends to one session, and a
// chat turn against a Ship run. Each must let exactly one through, and refuse the other in words.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, type ResponseError } from 'vscode-jsonrpc/node';
import { rpc } from '../../server/protocol';
import { startOpenAIStub, textChunks, type OpenAIStub } from '../stubs/openaiStub';
import { openRpcChat } from '../support/rpcChat';
import { shutdown, type Spawned } from '../support/server';
import { shipper } from '../support/shipper';
import { tmpDir } from '../support/tmp';
import { until } from '../support/until';

const live: Spawned[] = [];
const approved = { kind: 'stream' as const, chunks: textChunks(JSON.stringify({ verdict: 'APPROVED', summary: 'Looks right.', blockers: [] }), 2) };

describe('chat races over JSON-RPC', function () {
  this.timeout(60_000);
  let stub: OpenAIStub;
  before(async () => { stub = await startOpenAIStub(); });
  after(async () => { await stub.close(); });
  afterEach(async () => { stub.respondWith(undefined); for (const s of live.splice(0)) await shutdown(s); });

  it('two concurrent sends to one session: exactly one turn starts, the other is refused', async () => {
    const c = await openRpcChat({ baseURL: stub.baseURL }, live);
    stub.enqueue({ kind: 'stream', chunks: textChunks('first', 2) });
    const first = await c.send('first');
    await c.turnEnd(first.turnId);
    // Every later turn is held open by the model, so a started turn stays running.
    stub.respondWith(() => ({ kind: 'stream', chunks: textChunks('thinking', 2), stall: true }));
    const settled = await Promise.allSettled([
      c.send('one', { sessionId: first.sessionId }),
      c.send('two', { sessionId: first.sessionId }),
    ]);
    const started = settled.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const refused = settled.filter((r) => r.status === 'rejected').map((r) => (r.reason as ResponseError<unknown>).message);
    assert.equal(started.length, 1, `exactly one turn started: ${JSON.stringify(settled.map((r) => r.status))}`);
    assert.equal(refused.length, 1);
    const codes = settled.filter((r) => r.status === 'rejected').map((r) => (r.reason as ResponseError<unknown>).code);
    assert.deepEqual(codes, [ErrorCodes.InvalidRequest], 'the caller\'s to wait for, not the backend failing');
    assert.match(refused[0]!, /a turn is already running in this session/);
    const got = await c.s.conn.sendRequest<{ turns: unknown[]; runningTurnId: string | null }>(rpc.sessionGet.method, { sessionId: first.sessionId });
    assert.equal(got.turns.length, 2, 'the refused send left no turn behind');
    assert.equal(got.runningTurnId, started[0]!.turnId);
    assert.deepEqual(await c.s.conn.sendRequest(rpc.chatStop.method, { turnId: started[0]!.turnId }), { stopped: true });
    assert.equal((await c.turnEnd(started[0]!.turnId)).status, 'canceled');
    // Once it ended, the session takes a new turn.
    stub.respondWith(undefined);
    stub.enqueue({ kind: 'stream', chunks: textChunks('again', 2) });
    const next = await c.send('three', { sessionId: first.sessionId });
    assert.equal((await c.turnEnd(next.turnId)).status, 'done');
  });

  it('a chat turn sent while Ship runs is refused, naming the Ship run; once Ship ends, turns start again', async () => {
    const w = await shipper(stub, live, { commits: 1 });
    // The test step waits for the go file: Ship is mid-run, for as long as the test needs.
    const go = path.join(tmpDir('torbit-go-'), 'go');
    stub.enqueue(approved);
    const shipped = w.ship({ shipId: 'ship-race', testCommand: `while [ ! -e '${go}' ]; do sleep 0.05; done; echo tests ran`, healPaths: ['src/**'], attempts: 1 });
    await until('the test step', () => w.progress.find((p) => p.step === 'test' && p.state === 'running'));
    const refused = await w.chat.send('sneak an edit into the heal commit').then(() => undefined, (e: ResponseError<unknown>) => e.message);
    assert.match(refused ?? 'it started', /Ship run ship-race is running on this workspace/);
    fs.writeFileSync(go, '');
    const r = await shipped;
    assert.equal(r.outcome, 'pushed', r.message);
    stub.enqueue({ kind: 'stream', chunks: textChunks('after ship', 2) });
    const after = await w.chat.send('now');
    assert.equal((await w.chat.turnEnd(after.turnId)).status, 'done');
  });

  it('Ship refuses to start while a chat turn runs', async () => {
    const w = await shipper(stub, live, { commits: 1 });
    stub.respondWith(() => ({ kind: 'stream', chunks: textChunks('thinking', 2), stall: true }));
    const turn = await w.chat.send('a long turn');
    const r = await w.ship({ shipId: 'ship-busy', testCommand: 'true', healPaths: ['src/**'], attempts: 1 });
    assert.deepEqual([r.outcome, r.failedStep], ['failed', 'prepare']);
    assert.match(r.message, /a chat turn is running: wait for it to end, or stop it, then ship/);
    await w.chat.s.conn.sendRequest(rpc.chatStop.method, { turnId: turn.turnId });
    await w.chat.turnEnd(turn.turnId);
  });
});
