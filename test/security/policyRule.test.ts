// Red team: "Always allow…". The rule written to .torbit/policy.json is the backend's, computed
// from the scope it offered on the approval: the extension, the webview or the model cannot supply
// rule text or widen it, a repository cannot change the file between the diff the person approved
// and the write, an unaccepted repository policy does not ride along into the person's
// acceptance, and a planted .torbit link does not carry the write outside the workspace.
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

describe('red team: "Always allow" (a rule added to .torbit/policy.json)', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();
  const { live } = fx;
  let config: string;
  beforeEach(() => { config = tmpDir('torbit-config-'); });

  const open = (ws: string) => openRpcChat({ ws, baseURL: fx.stub.baseURL, approve: 'manual', env: { XDG_CONFIG_HOME: config } }, live);
  const run = (c: RpcChat, id: string, command: string, args: string[], sessionId?: string) => {
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id, name: 'run_command', args: { command, args } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    return c.send('run it', sessionId ? { sessionId } : {});
  };
  const req = <T>(c: RpcChat, method: string, params: unknown) => c.s.conn.sendRequest<T>(method, params);
  const propose = (c: RpcChat, approvalId: string) => req<PolicyRuleProposal>(c, rpc.policyProposeRule.method, { approvalId });
  const acceptancesFile = () => path.join(config, 'torbit', 'accepted-policies.json');
  const policyRecords = async (c: RpcChat) => (await req<{ entries: unknown[] }>(c, rpc.auditList.method, { kind: 'policy' })).entries.length;

  it('refuses to write when the file changed between the diff the person approved and the write', async () => {
    const ws = gitRepo();
    // The person's own file: the default, and no `rm` at all (it only tightens, so it applies at once).
    const mine: Policy = { ...DEFAULT_POLICY, commands: [{ match: 'prefix', argv: ['rm'], decision: 'deny', note: 'mine' }, ...DEFAULT_POLICY.commands] };
    const file = path.join(ws, '.torbit', 'policy.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify(mine));
    const c = await open(ws);
    const t = await run(c, 'a', 'git', ['rev-list', '--count', 'HEAD']);
    const a = await c.approval(0);
    const p = await propose(c, a.id);
    assert.ok(p.after.includes('"rm"'), 'the diff shown keeps the deny');
    // Meanwhile something in the workspace drops the deny (the default again: nothing to accept).
    // Written now, the file would carry the person's approval without the rule they saw kept.
    fs.writeFileSync(file, JSON.stringify(DEFAULT_POLICY));
    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: p.hashBefore }), /changed since the rule was proposed.*nothing was written/);
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(DEFAULT_POLICY), 'no rule was added to the changed file');
    assert.equal(fs.existsSync(acceptancesFile()), false, 'nothing was accepted');
    assert.equal(await policyRecords(c), 0);
    assert.equal(c.resolved.length, 0, 'the approval still waits for the person');
    await c.decide({ approvalId: a.id, approve: false });
    await c.turnEnd(t.turnId);
    // The same holds for a file that appears where there was none.
    const other = gitRepo();
    const c2 = await open(other);
    const t2 = await run(c2, 'b', 'git', ['rev-list', '--count', 'HEAD']);
    const a2 = await c2.approval(0);
    const p2 = await propose(c2, a2.id);
    assert.equal(p2.hashBefore, null);
    fs.mkdirSync(path.join(other, '.torbit'));
    fs.writeFileSync(path.join(other, '.torbit', 'policy.json'), JSON.stringify(DEFAULT_POLICY));
    await assert.rejects(req(c2, rpc.policyWriteRule.method, { approvalId: a2.id, expectedHashBefore: null }), /changed since the rule was proposed/);
    assert.equal(fs.existsSync(acceptancesFile()), false, 'nothing was accepted');
    await c2.decide({ approvalId: a2.id, approve: false });
    await c2.turnEnd(t2.turnId);
  });

  it('takes no rule text from the caller: extra params are refused, and the rule written is exactly the offered scope', async () => {
    const ws = gitRepo();
    const c = await open(ws);
    const t = await run(c, 'a', 'ls', ['-la']);
    const a = await c.approval(0);
    assert.deepEqual(a.sessionScope, { kind: 'command', tool: 'run_command', argvPrefix: ['ls', '-la'], exact: true, label: 'ls -la' });
    const p = await propose(c, a.id);
    const wider = { match: 'prefix', argv: ['ls'], decision: 'allow', note: 'x' };
    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: p.hashBefore, rule: wider }), /Unrecognized key|rule/);
    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: p.hashBefore, after: JSON.stringify({ ...DEFAULT_POLICY, commands: [wider] }) }), /Unrecognized key|after/);
    await assert.rejects(req(c, rpc.policyProposeRule.method, { approvalId: a.id, scope: { kind: 'command', tool: 'run_command', argvPrefix: ['ls'], exact: false, label: 'ls …' } }), /Unrecognized key|scope/);
    assert.equal(fs.existsSync(path.join(ws, '.torbit', 'policy.json')), false);

    await req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: p.hashBefore });
    await c.turnEnd(t.turnId);
    const written = Policy.parse(JSON.parse(fs.readFileSync(path.join(ws, '.torbit', 'policy.json'), 'utf8')));
    assert.deepEqual(written.commands.at(-1), { match: 'exact', argv: ['ls', '-la'], decision: 'allow', note: p.rule.note });
    // Other uses of the program still ask.
    const other = await run(c, 'b', 'ls', ['-la', '/'], t.sessionId);
    const asked = await c.approval(1);
    assert.equal(asked.title.startsWith('ls -la /'), true);
    await c.decide({ approvalId: asked.id, approve: false });
    await c.turnEnd(other.turnId);
  });

  it('does not let an unaccepted repository policy ride along into the person\'s acceptance', async () => {
    const ws = gitRepo();
    // The repository's own file allows `touch` without asking; the person never accepted it.
    const loosening: Policy = { ...DEFAULT_POLICY, commands: [{ match: 'prefix', argv: ['touch'], decision: 'allow' }, ...DEFAULT_POLICY.commands] };
    const file = path.join(ws, '.torbit', 'policy.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify(loosening));
    const c = await open(ws);
    assert.equal((await req<PolicyView>(c, rpc.policyGet.method, {})).acceptance, 'pending');
    const t = await run(c, 'a', 'git', ['rev-list', '--count', 'HEAD']);
    const a = await c.approval(0);
    assert.ok(a.sessionScope, 'the default in force offers a scope');
    await assert.rejects(propose(c, a.id), /loosens the built-in default and you have not accepted it/);
    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: createHash('sha256').update(JSON.stringify(loosening)).digest('hex') }), /not accepted/);
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(loosening));
    assert.equal(fs.existsSync(acceptancesFile()), false, 'nothing was accepted');
    await c.decide({ approvalId: a.id, approve: false });
    await c.turnEnd(t.turnId);
  });

  it('does not write through a .torbit link that leads outside the workspace', async () => {
    const ws = gitRepo();
    const outside = tmpDir('torbit-outside-');
    fs.symlinkSync(outside, path.join(ws, '.torbit'), 'dir');
    const c = await open(ws);
    const t = await run(c, 'a', 'git', ['rev-list', '--count', 'HEAD']);
    const a = await c.approval(0);
    await assert.rejects(propose(c, a.id), /cannot be written.*outside/);
    await assert.rejects(req(c, rpc.policyWriteRule.method, { approvalId: a.id, expectedHashBefore: null }), /cannot be written/);
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written outside the workspace');
    await c.decide({ approvalId: a.id, approve: false });
    await c.turnEnd(t.turnId);
  });
});
