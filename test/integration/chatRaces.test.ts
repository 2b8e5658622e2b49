// Races on the chat over the backend's real JSON-RPC connection: two sends to one session, and a
// chat turn against a Ship run. Each must let exactly one through, and refuse the other in words.
import * as assert from 'node:assert/strict';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { rpc } from '../../server/protocol';
import { startOpenAIStub, textChunks, type OpenAIStub } from '../stubs/openaiStub';
import { openRpcChat } from '../support/rpcChat';
import { shutdown, type Spawned } from '../support/server';

const live: Spawned[] = [];

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
    assert.match(refused[0]!, /a turn is already running in this session/);
    const got = await c.s.conn.sendRequest(rpc.sessionGet.method, { sessionId: first.sessionId }) as { turns: unknown[]; runningTurnId: string | null };
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
});
