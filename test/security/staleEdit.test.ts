// Red team: an approval covers the file as the person saw it. Two chat sessions propose changes to
// one file at once (both shown inline, each against the file as it is); approving the second after
// the first was written must not write the second's version over it, undoing the first unseen. The
// defence: the tool re-reads the file when it runs, and the gate refuses a text other than the one
// approved (server/trust/runTrust.ts decideGate).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { textChunks, toolCallChunks } from '../stubs/openaiStub';
import { openRpcChat } from '../support/rpcChat';
import { stubbedBackends } from '../support/stubbed';
import { gitRepo } from '../support/tmp';

describe('red team: an approved edit of a file that changed while it waited', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();

  it('is not written: the file keeps the change approved first, and the model is told to read it again', async () => {
    const ws = gitRepo();
    const file = path.join(ws, 'a.txt');
    fs.writeFileSync(file, 'one\ntwo\n');
    const c = await openRpcChat({ ws, baseURL: fx.stub.baseURL, approve: 'manual' }, fx.live);
    fx.stub.enqueue({ kind: 'stream', chunks: toolCallChunks([{ id: 'first', name: 'write_file', args: { path: 'a.txt', content: 'ONE\ntwo\n' } }], 2) });
    const first = await c.send('shout one');
    const a1 = await c.approval(0);
    fx.stub.enqueue({ kind: 'stream', chunks: toolCallChunks([{ id: 'second', name: 'write_file', args: { path: 'a.txt', content: 'one\nTWO\n' } }], 2) });
    const second = await c.send('shout two');
    const a2 = await c.approval(1);
    assert.notEqual(first.sessionId, second.sessionId, 'two sessions, both waiting');

    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('Done.', 1) });
    await c.decide({ approvalId: a1.id, approve: true });
    await c.turnEnd(first.turnId);
    assert.equal(fs.readFileSync(file, 'utf8'), 'ONE\ntwo\n');

    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('I will read it again.', 1) });
    await c.decide({ approvalId: a2.id, approve: true });
    await c.turnEnd(second.turnId);
    assert.equal(fs.readFileSync(file, 'utf8'), 'ONE\ntwo\n', 'the first approved change is still there');
    const card = c.of('tool-end', second.turnId)[0]!.card;
    assert.equal(card.status, 'error');
    const told = JSON.stringify(fx.stub.requests.at(-1)!.body.messages.filter((m: { role: string }) => m.role === 'tool'));
    assert.match(told, /a\.txt changed after the change was proposed; read it again and propose the change anew/);
  });

  it('is not written over a file the person deleted meanwhile, nor does a new file replace one created meanwhile', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'gone.txt'), 'x\n');
    const c = await openRpcChat({ ws, baseURL: fx.stub.baseURL, approve: 'manual' }, fx.live);
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'd', name: 'write_file', args: { path: 'gone.txt', content: 'y\n' } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    const t1 = await c.send('change gone');
    const a1 = await c.approval(0);
    fs.rmSync(path.join(ws, 'gone.txt'));
    await c.decide({ approvalId: a1.id, approve: true });
    await c.turnEnd(t1.turnId);
    assert.equal(fs.existsSync(path.join(ws, 'gone.txt')), false, 'not brought back');

    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'n', name: 'write_file', args: { path: 'new.txt', content: 'model\n' } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    const t2 = await c.send('create new');
    const a2 = await c.approval(1);
    fs.writeFileSync(path.join(ws, 'new.txt'), 'mine\n');
    await c.decide({ approvalId: a2.id, approve: true });
    await c.turnEnd(t2.turnId);
    assert.equal(fs.readFileSync(path.join(ws, 'new.txt'), 'utf8'), 'mine\n', 'the person\'s file stays');
    assert.deepEqual([...c.of('tool-end', t1.turnId), ...c.of('tool-end', t2.turnId)].map((e) => e.card.status), ['error', 'error']);
  });
});
