// "Always allow…" over the real JSON-RPC connection: on a pending command the backend proposes the
// rule for .torbit/policy.json from the scope it offered, writes it once the person approved the
// diff, and the next such command runs without asking, in any session.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rpc, type PolicyRuleProposal, type PolicyView } from '../../server/protocol';
import { DEFAULT_POLICY, Policy } from '../../server/trust/policy';
import { textChunks, toolCallChunks } from '../stubs/openaiStub';
import { openRpcChat, type RpcChat } from '../support/rpcChat';
import { stubbedBackends } from '../support/stubbed';
import { gitRepo, tmpDir } from '../support/tmp';

describe('"Always allow" over JSON-RPC', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();
  const { live } = fx;

  const open = (ws = gitRepo(), config = tmpDir('torbit-config-')) =>
    openRpcChat({ ws, baseURL: fx.stub.baseURL, approve: 'manual', env: { XDG_CONFIG_HOME: config } }, live);
  const runGit = (c: RpcChat, id: string, args: string[], sessionId?: string) => {
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id, name: 'run_command', args: { command: 'git', args } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    return c.send('run it', sessionId ? { sessionId } : {});
  };
  const req = <T>(c: RpcChat, method: string, params: unknown) => c.s.conn.sendRequest<T>(method, params);
  const policy = (c: RpcChat) => req<PolicyView>(c, rpc.policyGet.method, {});
  const entries = async (c: RpcChat, kind: string) => (await req<{ entries: { actor: string; outcome: string; summary: string }[] }>(c, rpc.auditList.method, { kind })).entries.reverse();

  it('writes the approved rule, changes the policy hash, approves the command, and the next one runs unasked in a new session; audited', async () => {
    const config = tmpDir('torbit-config-');
    const c = await open(gitRepo(), config);
    const h0 = (await policy(c)).hash;
    const first = await runGit(c, 'a', ['rev-list', '--count', 'HEAD']);
    const a = await c.approval(0);
    assert.equal(a.sessionScope?.label, 'git rev-list …');
    // The chat's card carries the label, for its buttons (the scope itself stays the backend's).
    assert.deepEqual(c.of('tool-start', first.turnId)[0]?.card.approval?.sessionScope, { kind: 'command', label: 'git rev-list …' });

    const p = await req<PolicyRuleProposal>(c, rpc.policyProposeRule.method, { approvalId: a.id });
    const file = path.join(c.ws, '.torbit', 'policy.json');
    assert.equal(fs.realpathSync(path.dirname(path.dirname(p.path))), fs.realpathSync(c.ws));
    assert.equal(path.basename(p.path), 'policy.json');
    assert.equal(p.before, null);
    assert.equal(p.hashBefore, null);
    assert.deepEqual(JSON.parse(p.baseline), DEFAULT_POLICY, 'the diff\'s left side is the default written out');
    assert.deepEqual({ ...p.rule, note: undefined }, { match: 'prefix', argv: ['git', 'rev-list'], decision: 'allow', note: undefined });
    assert.match(p.rule.note, /^added by .+ from an approval on \d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(Policy.parse(JSON.parse(p.after)), { ...DEFAULT_POLICY, commands: [...DEFAULT_POLICY.commands, p.rule] });
    assert.equal(p.hashAfter, createHash('sha256').update(p.after).digest('hex'));
    assert.equal(fs.existsSync(file), false, 'proposing writes nothing');
    assert.equal(c.resolved.length, 0, 'proposing decides nothing');

    const w = await req<{ hash: string; approved: boolean }>(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: null });
    assert.deepEqual({ hash: w.hash, approved: w.approved }, { hash: p.hashAfter, approved: true });
    assert.equal(fs.readFileSync(file, 'utf8'), p.after);
    assert.equal((await c.turnEnd(first.turnId)).status, 'done');
    const now = await policy(c);
    assert.notEqual(now.hash, h0);
    assert.deepEqual({ hash: now.hash, source: now.source, acceptance: now.acceptance, error: now.error }, { hash: p.hashAfter, source: 'file', acceptance: 'accepted', error: null });
    // The person's acceptance of the new file, in their own configuration directory.
    const accepted = JSON.parse(fs.readFileSync(path.join(config, 'torbit', 'accepted-policies.json'), 'utf8')) as { accepted: { sha256: string }[] };
    assert.deepEqual(accepted.accepted.map((x) => x.sha256), [p.hashAfter]);

    // The same kind of command in a NEW session (no session allowance): the policy allows it.
    const next = await runGit(c, 'b', ['rev-list', '--max-count=1', 'HEAD']);
    assert.notEqual(next.sessionId, first.sessionId);
    assert.equal((await c.turnEnd(next.turnId)).status, 'done');
    assert.equal(c.approvals.length, 1, 'nothing more was asked');
    assert.ok(c.of('tool-end', next.turnId).some((e) => e.card.status === 'ok'));

    const [record] = await entries(c, 'policy');
    assert.equal(record?.actor, 'user');
    assert.equal(record?.outcome, 'rule-added');
    assert.equal(record?.summary, `.torbit/policy.json created by "Always allow": prefix [git rev-list] allowed; sha256 none → ${p.hashAfter.slice(0, 12)}`);
    const decisions = await entries(c, 'decision');
    assert.deepEqual(decisions.map((e) => `${e.actor}:${e.outcome}`), ['policy:ask', 'user:approved', 'policy:allow']);
    assert.match(decisions[1]!.summary, /"Always allow" added prefix \[git rev-list\] to \.torbit\/policy\.json/);
    assert.match(decisions[2]!.summary, /rule prefix \[git rev-list\]: allow/);
  });

  it('appends to the repository\'s own file, keeping it, and refuses a stale hash, an approval gone, or one without a scope', async () => {
    const ws = gitRepo();
    // A policy that only tightens the default (applies at once): it denies git rev-list --all.
    const own = { ...DEFAULT_POLICY, commands: [{ match: 'exact' as const, argv: ['git', 'rev-list', '--all'], decision: 'deny' as const }, ...DEFAULT_POLICY.commands] };
    const text = `${JSON.stringify(own, null, 2)}\n`;
    fs.mkdirSync(path.join(ws, '.torbit'));
    const file = path.join(ws, '.torbit', 'policy.json');
    fs.writeFileSync(file, text);
    const c = await open(ws);
    assert.equal((await policy(c)).source, 'file');
    const t = await runGit(c, 'a', ['rev-list', '--count', 'HEAD']);
    const a = await c.approval(0);
    const p = await req<PolicyRuleProposal>(c, rpc.policyProposeRule.method, { approvalId: a.id });
    assert.equal(p.before, text);
    assert.equal(p.baseline, text);
    assert.equal(p.hashBefore, createHash('sha256').update(text).digest('hex'));
    assert.deepEqual(Policy.parse(JSON.parse(p.after)).commands, [...own.commands, p.rule]);

    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: null }), /changed since the rule was proposed/);
    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: 'nope', expectedHashBefore: p.hashBefore }), /no pending approval nope/);
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'nothing was written');
    await req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: p.hashBefore });
    await c.turnEnd(t.turnId);
    // The earlier deny still wins over the appended allow.
    const denied = await runGit(c, 'b', ['rev-list', '--all']);
    await c.turnEnd(denied.turnId);
    assert.ok(c.of('tool-end', denied.turnId).some((e) => e.card.status === 'rejected' && /denied by the policy/.test(e.card.result ?? '')));

    // Shell syntax: no scope, so no rule.
    const chained = await runGit(c, 'c', ['rev-list', 'HEAD;', 'rm', 'x']);
    const asked = await c.approval(1);
    assert.equal(asked.sessionScope, undefined);
    await assert.rejects(req(c, rpc.policyProposeRule.method, { approvalId: asked.id }), /offered only on a command the policy merely asks about/);
    await c.decide({ approvalId: asked.id, approve: false });
    await c.turnEnd(chained.turnId);
    assert.deepEqual((await entries(c, 'policy')).length, 1);
  });

  it('writes one rule at a time: of two written from the same file at once, the second is refused, and the first rule stays', async () => {
    const c = await open();
    // Two sessions, each waiting on a command (a turn asks one at a time).
    const call = (id: string, args: string[]) => ({ kind: 'stream' as const, chunks: toolCallChunks([{ id, name: 'run_command', args: { command: 'git', args } }], 2) });
    fx.stub.enqueue(call('a', ['rev-list', '--count', 'HEAD']));
    const t = await c.send('run one');
    const a = await c.approval(0);
    fx.stub.enqueue(call('b', ['shortlog', '-sn', 'HEAD']));
    const t2 = await c.send('run another');
    const b = await c.approval(1);
    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('Done.', 1) }, { kind: 'stream', chunks: textChunks('Done.', 1) });
    const [pa, pb] = [await req<PolicyRuleProposal>(c, rpc.policyProposeRule.method, { approvalId: a.id }), await req<PolicyRuleProposal>(c, rpc.policyProposeRule.method, { approvalId: b.id })];
    const [wa, wb] = await Promise.allSettled([
      req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: pa.hashBefore }),
      req(c, rpc.policyWriteRule.method, { approvalId: b.id, expectedHashBefore: pb.hashBefore }),
    ]);
    assert.equal(wa.status, 'fulfilled');
    assert.ok(wb.status === 'rejected', 'the second write is refused');
    assert.match(String(wb.reason), /changed since the rule was proposed/);
    const written = Policy.parse(JSON.parse(fs.readFileSync(path.join(c.ws, '.torbit', 'policy.json'), 'utf8')));
    assert.deepEqual(written.commands.at(-1)?.argv, ['git', 'rev-list']);
    // The second, proposed again from the file as it is now, keeps the first rule.
    const again = await req<PolicyRuleProposal>(c, rpc.policyProposeRule.method, { approvalId: b.id });
    await req(c, rpc.policyWriteRule.method, { approvalId: b.id, expectedHashBefore: again.hashBefore });
    const both = Policy.parse(JSON.parse(fs.readFileSync(path.join(c.ws, '.torbit', 'policy.json'), 'utf8')));
    assert.deepEqual(both.commands.slice(-2).map((r) => r.argv), [['git', 'rev-list'], ['git', 'shortlog']]);
    assert.equal((await c.turnEnd(t.turnId)).status, 'done');
    assert.equal((await c.turnEnd(t2.turnId)).status, 'done');
    assert.equal((await entries(c, 'policy')).length, 2);
  });
});
