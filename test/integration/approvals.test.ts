// The approval flow over the real JSON-RPC connection: a spawned backend runs turns against the
// OpenAI-compatible SSE stub; the policy asks, the test answers as the person would.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { approvalText, hunkWords, rpc } from '../../server/protocol';
import { textChunks, toolCallChunks } from '../stubs/openaiStub';
import { openRpcChat } from '../support/rpcChat';
import { stubbedBackends } from '../support/stubbed';
import { gitRepo } from '../support/tmp';

const TEN = Array.from({ length: 10 }, (_, i) => `line ${i + 1}\n`).join('');

describe('approvals over JSON-RPC', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();
  const { live } = fx;

  const manual = (ws?: string, agent: Record<string, unknown> = {}) => openRpcChat({ ws, baseURL: fx.stub.baseURL, agent, approve: 'manual' }, live);
  /** What the model was told about its tool calls in the latest request. */
  const toolResultsSent = () => JSON.stringify(fx.stub.requests.at(-1)!.body.messages.filter((m: { role: string }) => m.role === 'tool'));

  it('names the function each hunk is in, for the lens, on the approval and on the card', async () => {
    const ws = gitRepo();
    const before = 'const x = 1;\n\nexport function greet(name) {\n  return `Hello, ${name}!`;\n}\n';
    fs.writeFileSync(path.join(ws, 'greet.js'), before);
    const c = await manual(ws);
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'g', name: 'write_file', args: { path: 'greet.js', content: before.replace('const x = 1;', 'const x = 2;').replace('Hello', 'Hi') } }], 4) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    const { turnId } = await c.send('change greet');
    const a = await c.approval(0);
    assert.deepEqual(a.edit!.hunks.map((h) => hunkWords(h)), ['+1 −1 at line 1', '+1 −1 in greet()']);
    assert.deepEqual(c.of('tool-start', turnId)[0]!.card.approval?.edit?.hunks, a.edit!.hunks);
    await c.decide({ approvalId: a.id, approve: false });
    assert.equal((await c.turnEnd(turnId)).status, 'done');
  });

  it('approves some hunks of an edit: exactly those are applied, the model is told which', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'ten.txt'), TEN);
    const c = await manual(ws);
    const proposed = TEN.replace('line 1\n', 'LINE 1\n').replace('line 5\n', 'LINE 5\n').replace('line 9\n', 'LINE 9\n');
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'ten.txt', content: proposed } }], 4) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    const { turnId } = await c.send('shout three lines');
    const a = await c.approval(0);
    assert.equal(a.kind, 'edit');
    assert.deepEqual(a.edit!.hunks.map((h) => [h.index, h.line, h.removed, h.added]), [[0, 0, 1, 1], [1, 4, 1, 1], [2, 8, 1, 1]]);
    assert.deepEqual([a.edit!.path, a.edit!.absPath, a.edit!.created, a.tool, a.title], ['ten.txt', path.join(ws, 'ten.txt'), false, 'write_file', 'ten.txt']);
    assert.match(a.reason, /edit inside the workspace: ask/);
    assert.deepEqual(a.why, { kind: 'category', category: 'edit', inside: true });
    assert.equal(approvalText(a), 'Torbit wants to edit ten.txt (3 changes). Your policy asks before edits.');
    assert.match(a.policyHash, /^[0-9a-f]{64}$/);
    // The chat's card waits, naming the approval, and carries what the same wording needs.
    const waiting = c.of('tool-start', turnId)[0]!.card;
    assert.deepEqual([waiting.status, waiting.approval?.id], ['awaiting-approval', a.id]);
    assert.equal(approvalText({ tool: waiting.tool, title: waiting.summary, ...waiting.approval! }), approvalText(a));
    assert.deepEqual(await c.s.conn.sendRequest(rpc.approvalList.method, {}), { approvals: [a] });
    const text = await c.s.conn.sendRequest<{ before: string; after: string }>(rpc.approvalGet.method, { approvalId: a.id });
    assert.deepEqual([text.before, text.after], [TEN, proposed]);
    assert.equal(fs.readFileSync(path.join(ws, 'ten.txt'), 'utf8'), TEN, 'nothing is applied while it waits');

    await c.decide({ approvalId: a.id, approve: true, hunks: [0, 2] });
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.equal(fs.readFileSync(path.join(ws, 'ten.txt'), 'utf8'), TEN.replace('line 1\n', 'LINE 1\n').replace('line 9\n', 'LINE 9\n'));
    assert.match(toolResultsSent(), /only hunk\(s\) 1, 3 of 3 were approved and applied; hunk\(s\) 2 were rejected/);
    const ended = c.of('tool-end', turnId)[0]!.card;
    assert.equal(ended.status, 'ok');
    assert.deepEqual(c.of('tool-update', turnId).map((e) => e.card.status), ['running']);
    assert.deepEqual(c.resolved.map((r) => r.outcome), [{ approved: true, by: 'user', hunks: [0, 2] }]);
    assert.deepEqual(await c.s.conn.sendRequest(rpc.approvalList.method, {}), { approvals: [] });
    const t = await c.s.conn.sendRequest<{ entries: { actor: string; outcome: string }[] }>(rpc.auditList.method, { kind: 'decision' });
    assert.deepEqual(t.entries.map((e) => `${e.actor}:${e.outcome}`).reverse(), ['policy:ask', 'user:approved-partly']);
  });

  it('rejects with a reason: nothing changes, the card says so, the model gets the reason', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'a.ts'), 'const x = 1;\n');
    const c = await manual(ws);
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'e', name: 'edit_file', args: { path: 'a.ts', oldText: '1', newText: '2' } }], 3) },
      { kind: 'stream', chunks: textChunks('Understood.', 1) },
    );
    const { turnId } = await c.send('bump it');
    const a = await c.approval(0);
    await c.decide({ approvalId: a.id, approve: false, reason: 'use a named constant instead' });
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.equal(fs.readFileSync(path.join(ws, 'a.ts'), 'utf8'), 'const x = 1;\n');
    const card = c.of('tool-end', turnId)[0]!.card;
    assert.deepEqual([card.status, card.result], ['rejected', 'the user rejected it: use a named constant instead']);
    assert.match(toolResultsSent(), /use a named constant instead/);
    // Deciding again is refused: the approval is gone.
    await assert.rejects(c.decide({ approvalId: a.id, approve: true }), /no pending approval/);
    // The session goes on: the stored conversation (with the denial in it) is valid for the provider.
    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('Sure.', 1) });
    const { sessionId } = c.events.find((e) => e.turnId === turnId)!;
    const next = await c.send('ok, leave it', { sessionId });
    assert.equal((await c.turnEnd(next.turnId)).status, 'done');
    const sent = JSON.stringify(fx.stub.requests.at(-1)!.body.messages);
    assert.match(sent, /use a named constant instead/);
    assert.match(sent, /ok, leave it/);
  });

  it('counts no decision before the timeout as a rejection', async () => {
    const ws = gitRepo();
    const c = await manual(ws, { approvalTimeoutSeconds: 1 });
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'new.txt', content: 'x\n' } }], 2) },
      { kind: 'stream', chunks: textChunks('Nobody answered.', 1) },
    );
    const t0 = Date.now();
    const { turnId } = await c.send('write it');
    const a = await c.approval(0);
    assert.equal(a.edit!.created, true);
    assert.ok(Date.parse(a.expiresAt) - Date.parse(a.createdAt) === 1000);
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.ok(Date.now() - t0 >= 1000);
    assert.equal(fs.existsSync(path.join(ws, 'new.txt')), false);
    assert.equal(c.resolved[0]!.outcome.by, 'timeout');
    assert.match(toolResultsSent(), /no decision within 1 s, so it counts as rejected/);
    const t = await c.s.conn.sendRequest<{ entries: { actor: string; outcome: string }[] }>(rpc.auditList.method, { kind: 'decision' });
    assert.deepEqual(t.entries.map((e) => `${e.actor}:${e.outcome}`).reverse(), ['policy:ask', 'system:timed-out']);
  });

  it('asks for a command with its exact argv and working directory, and runs it once approved', async () => {
    const ws = gitRepo();
    fs.mkdirSync(path.join(ws, 'sub'));
    const c = await manual(ws);
    const argv = ['-e', 'process.stdout.write(process.cwd() + " " + process.argv[1])', 'a b;c'];
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'r', name: 'run_command', args: { command: process.execPath, args: argv, cwd: 'sub' } }], 3) },
      { kind: 'stream', chunks: textChunks('Ran it.', 1) },
    );
    const { turnId } = await c.send('run it');
    const a = await c.approval(0);
    assert.equal(a.kind, 'command');
    assert.deepEqual(a.command, { argv: [process.execPath, ...argv], cwd: 'sub', cwdAbs: path.join(ws, 'sub') });
    // The program is given by path and an argument holds shell syntax: the policy says why it asks.
    assert.match(a.reason, /shell syntax|given by path/);
    await assert.rejects(c.decide({ approvalId: a.id, approve: true, hunks: [0] }), /only edits can be approved hunk by hunk/);
    await assert.rejects(c.decide({ approvalId: 'no-such-approval', approve: true }), /no pending approval no-such-approval/);
    await c.decide({ approvalId: a.id, approve: true });
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.match(toolResultsSent(), new RegExp(`${path.join(ws, 'sub').replace(/[/\\]/g, '.')} a b;c`));
  });

  it('refuses a bad decision and changes nothing; stopping the run gives up the wait', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'a.txt'), 'one\n');
    const c = await manual(ws);
    fx.stub.enqueue({ kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'a.txt', content: 'two\n' } }], 2) });
    const { turnId } = await c.send('change it');
    const a = await c.approval(0);
    await assert.rejects(c.decide({ approvalId: a.id, approve: true, hunks: [1] }), /hunk 1 does not exist \(the change has 1\)/);
    await assert.rejects(c.s.conn.sendRequest(rpc.approvalDecide.method, { approvalId: a.id, approve: 'yes' }), /invalid params: approve/);
    assert.equal((await c.s.conn.sendRequest<{ approvals: unknown[] }>(rpc.approvalList.method, {})).approvals.length, 1, 'still pending');
    await c.s.conn.sendRequest(rpc.chatStop.method, { turnId });
    assert.equal((await c.turnEnd(turnId)).status, 'canceled');
    assert.equal(c.resolved[0]!.outcome.by, 'stopped');
    assert.equal(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'one\n');
  });

  it('builds a second edit of a file in one step on the first, and applies both in order', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'a.txt'), 'alpha\nbeta\n');
    const c = await openRpcChat({ ws, baseURL: fx.stub.baseURL }, live);
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([
        { id: 'e1', name: 'edit_file', args: { path: 'a.txt', oldText: 'alpha', newText: 'ALPHA' } },
        { id: 'e2', name: 'edit_file', args: { path: 'a.txt', oldText: 'ALPHA\nbeta', newText: 'ALPHA\nBETA' } },
      ], 2) },
      { kind: 'stream', chunks: textChunks('Both.', 1) },
    );
    const { turnId } = await c.send('capitalize');
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.equal(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'ALPHA\nBETA\n');
    assert.deepEqual(c.of('tool-end', turnId).map((e) => e.card.status), ['ok', 'ok']);
    assert.equal(c.approvals.length, 2);
  });
});
