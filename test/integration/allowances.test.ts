// "Allow for this session" over the real JSON-RPC connection: a spawned backend runs turns against
// the OpenAI-compatible SSE stub; the test answers approvals as the person would.
import * as assert from 'node:assert/strict';
import { rpc, type AllowanceView } from '../../server/protocol';
import { textChunks, toolCallChunks } from '../stubs/openaiStub';
import { openRpcChat, type RpcChat } from '../support/rpcChat';
import { stubbedBackends } from '../support/stubbed';
import { until } from '../support/until';

describe('session allowances over JSON-RPC', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();
  const { live } = fx;

  const manual = () => openRpcChat({ baseURL: fx.stub.baseURL, approve: 'manual' }, live);
  /** One turn in which the model runs `git <args>` once. */
  const runGit = async (c: RpcChat, id: string, args: string[], sessionId?: string) => {
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id, name: 'run_command', args: { command: 'git', args } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    return c.send('run it', sessionId ? { sessionId } : {});
  };
  const decisions = async (c: RpcChat) => (await c.s.conn.sendRequest<{ entries: { actor: string; outcome: string; summary: string }[] }>(rpc.auditList.method, { kind: 'decision' })).entries.reverse();
  const allowances = async (c: RpcChat) => (await c.s.conn.sendRequest<{ allowances: AllowanceView[] }>(rpc.allowanceList.method, {})).allowances;

  it('a command approved for this session does not ask again in it, does in a new session, and is audited', async () => {
    const c = await manual();
    const first = await runGit(c, 'a', ['rev-list', '--count', 'HEAD']);
    const a = await c.approval(0);
    // The scope is computed by the backend and shown before the person decides.
    assert.deepEqual(a.sessionScope, { kind: 'command', tool: 'run_command', argvPrefix: ['git', 'rev-list'], exact: false, label: 'git rev-list …' });
    await c.decide({ approvalId: a.id, approve: true, forSession: true });
    assert.equal((await c.turnEnd(first.turnId)).status, 'done');
    const listed = await allowances(c);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.sessionId, first.sessionId);
    assert.equal(listed[0]!.approvalId, a.id);

    // Same session, same prefix, other arguments: no approval.
    const second = await runGit(c, 'b', ['rev-list', '--max-count=1', 'HEAD'], first.sessionId);
    assert.equal((await c.turnEnd(second.turnId)).status, 'done');
    assert.equal(c.approvals.length, 1);
    assert.equal((await allowances(c))[0]!.uses, 1);

    // A new session asks.
    const other = await runGit(c, 'c', ['rev-list', '--count', 'HEAD']);
    assert.notEqual(other.sessionId, first.sessionId);
    const asked = await c.approval(1);
    await c.decide({ approvalId: asked.id, approve: false, reason: 'not now' });
    await c.turnEnd(other.turnId);

    const log = await decisions(c);
    assert.deepEqual(log.map((e) => `${e.actor}:${e.outcome}`), ['policy:ask', 'user:approved-for-session', 'policy:ask', 'user:allowed-for-session', 'policy:ask', 'user:rejected']);
    assert.match(log[1]!.summary, /allowed for this session: git rev-list …/);
    assert.match(log[3]!.summary, /allowed for this session \(git rev-list …\)/);
  });

  it('revoking makes the next one ask, and is audited', async () => {
    const c = await manual();
    const first = await runGit(c, 'a', ['rev-list', '--count', 'HEAD']);
    await c.decide({ approvalId: (await c.approval(0)).id, approve: true, forSession: true });
    await c.turnEnd(first.turnId);
    const [allowance] = await allowances(c);
    await c.s.conn.sendRequest(rpc.allowanceRevoke.method, { id: allowance!.id });
    assert.deepEqual(await allowances(c), []);
    await assert.rejects(c.s.conn.sendRequest(rpc.allowanceRevoke.method, { id: allowance!.id }), /no session allowance/);

    const again = await runGit(c, 'b', ['rev-list', '--count', 'HEAD'], first.sessionId);
    const asked = await c.approval(1);
    await c.decide({ approvalId: asked.id, approve: true });
    assert.equal((await c.turnEnd(again.turnId)).status, 'done');
    assert.deepEqual((await decisions(c)).map((e) => `${e.actor}:${e.outcome}`),
      ['policy:ask', 'user:approved-for-session', 'user:allowance-revoked', 'policy:ask', 'user:approved']);
  });

  it('announces every change of the allowances (given, used, revoked) with all of them in force', async () => {
    const c = await manual();
    const heard: AllowanceView[][] = [];
    c.s.conn.onNotification(rpc.allowanceChanged.method, (p: unknown) => { heard.push(rpc.allowanceChanged.params.parse(p).allowances); });
    const first = await runGit(c, 'a', ['rev-list', '--count', 'HEAD']);
    await c.decide({ approvalId: (await c.approval(0)).id, approve: true, forSession: true });
    await c.turnEnd(first.turnId);
    await until(() => `the grant announced; heard ${JSON.stringify(heard)}`, () => heard.length === 1);
    assert.deepEqual(heard[0]!.map((a) => [a.scope.label, a.uses]), [['git rev-list …', 0]]);
    const second = await runGit(c, 'b', ['rev-list', '--max-count=1', 'HEAD'], first.sessionId);
    await c.turnEnd(second.turnId);
    await until(() => `the use announced; heard ${JSON.stringify(heard)}`, () => heard.length === 2);
    assert.deepEqual(heard[1]!.map((a) => a.uses), [1]);
    await c.s.conn.sendRequest(rpc.allowanceRevoke.method, { id: heard[1]![0]!.id });
    await until(() => `the revocation announced; heard ${JSON.stringify(heard)}`, () => heard.length === 3);
    assert.deepEqual(heard[2], []);
    // A revoke of nothing changes nothing, and says nothing.
    await assert.rejects(c.s.conn.sendRequest(rpc.allowanceRevoke.method, { id: 'gone' }), /no session allowance/);
    assert.deepEqual(heard.length, 3);
  });

  it('an allowance on a command does not cover it with shell syntax or inside a shell', async () => {
    const c = await manual();
    const first = await runGit(c, 'a', ['rev-list', '--count', 'HEAD']);
    await c.decide({ approvalId: (await c.approval(0)).id, approve: true, forSession: true });
    await c.turnEnd(first.turnId);

    const chained = await runGit(c, 'b', ['rev-list', '--count', 'HEAD;', 'rm', 'x'], first.sessionId);
    const a1 = await c.approval(1);
    assert.match(a1.reason, /shell syntax/);
    assert.equal(a1.sessionScope, undefined, 'no session allowance is offered on shell syntax');
    await assert.rejects(c.decide({ approvalId: a1.id, approve: true, forSession: true }), /not offered/);
    await c.decide({ approvalId: a1.id, approve: false });
    await c.turnEnd(chained.turnId);

    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'sh', name: 'run_command', args: { command: 'sh', args: ['-c', 'git rev-list --count HEAD'] } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    const shell = await c.send('run it', { sessionId: first.sessionId });
    const a2 = await c.approval(2);
    assert.match(a2.reason, /sh runs arbitrary commands/);
    await c.decide({ approvalId: a2.id, approve: false });
    await c.turnEnd(shell.turnId);
  });
});
