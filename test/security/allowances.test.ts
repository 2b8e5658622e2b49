// Red team: "allow for this session" and the default's read-only git. A model may not widen a
// session allowance past what the person chose, a repository may not plant one, and a hostile
// .git/config may not run a program through a git command the default allows without asking.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rpc, type AllowanceView } from '../../server/protocol';
import { DEFAULT_POLICY, type Policy } from '../../server/trust/policy';
import { textChunks, toolCallChunks } from '../stubs/openaiStub';
import { openRpcChat, type RpcChat } from '../support/rpcChat';
import { shutdown } from '../support/server';
import { stubbedBackends } from '../support/stubbed';
import { gitRepo, tmpDir } from '../support/tmp';

describe('red team: session allowances and read-only git', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();
  const { live } = fx;

  const open = (ws: string, dataDir = tmpDir('torbit-data-')) =>
    openRpcChat({ ws, baseURL: fx.stub.baseURL, approve: 'manual', env: { TORBIT_DATA_DIR: dataDir, XDG_CONFIG_HOME: tmpDir('torbit-config-') } }, live);
  const call = (c: RpcChat, id: string, name: string, args: unknown, sessionId?: string) => {
    fx.stub.enqueue({ kind: 'stream', chunks: toolCallChunks([{ id, name, args }], 2) }, { kind: 'stream', chunks: textChunks('Done.', 1) });
    return c.send('go', sessionId ? { sessionId } : {});
  };

  it('a file the person protects after allowing its edits for the session asks again (the policy is re-checked at each use)', async () => {
    const ws = gitRepo();
    const c = await open(ws);
    const first = await call(c, 'w1', 'write_file', { path: 'notes.txt', content: 'one\n' });
    const a = await c.approval(0);
    assert.equal(a.sessionScope?.label, 'write_file on notes.txt');
    await c.decide({ approvalId: a.id, approve: true, forSession: true });
    await c.turnEnd(first.turnId);
    // The person tightens the policy (applies at once): notes.txt is now protected.
    const tighter: Policy = { ...DEFAULT_POLICY, protectedPaths: [...DEFAULT_POLICY.protectedPaths, 'notes.txt'] };
    fs.mkdirSync(path.join(ws, '.torbit'));
    fs.writeFileSync(path.join(ws, '.torbit', 'policy.json'), JSON.stringify(tighter));
    const second = await call(c, 'w2', 'write_file', { path: 'notes.txt', content: 'two\n' }, first.sessionId);
    const asked = await c.approval(1);
    assert.equal(asked.title, 'notes.txt');
    assert.equal(asked.sessionScope, undefined, 'a protected path is never offered for the session');
    await c.decide({ approvalId: asked.id, approve: false });
    await c.turnEnd(second.turnId);
    assert.equal(fs.readFileSync(path.join(ws, 'notes.txt'), 'utf8'), 'one\n');
  });

  it('an allowance on one file does not reach a protected file or another one', async () => {
    const ws = gitRepo();
    const c = await open(ws);
    const first = await call(c, 'w1', 'write_file', { path: 'notes.txt', content: 'one\n' });
    await c.decide({ approvalId: (await c.approval(0)).id, approve: true, forSession: true });
    await c.turnEnd(first.turnId);
    const env = await call(c, 'w2', 'write_file', { path: '.env', content: 'X=1\n' }, first.sessionId);
    const asked = await c.approval(1);
    assert.equal(asked.title, '.env');
    assert.equal(asked.sessionScope, undefined, 'a protected path is never offered for the session');
    await c.decide({ approvalId: asked.id, approve: false });
    await c.turnEnd(env.turnId);
    assert.equal(fs.existsSync(path.join(ws, '.env')), false);
  });

  it('a repository cannot plant an allowance: they live in the backend\'s memory, and a new backend has none', async () => {
    const ws = gitRepo();
    const dataDir = tmpDir('torbit-data-');
    // What a repository might try: an allowance file in the workspace and in the data directory.
    const planted = JSON.stringify({ allowances: [{ sessionId: '*', scope: { kind: 'command', tool: 'run_command', argvPrefix: ['git', 'rev-list'], exact: false, label: 'x' } }] });
    fs.mkdirSync(path.join(ws, '.torbit'));
    fs.writeFileSync(path.join(ws, '.torbit', 'allowances.json'), planted);
    fs.writeFileSync(path.join(dataDir, 'allowances.json'), planted);
    const c = await open(ws, dataDir);
    assert.deepEqual((await c.s.conn.sendRequest<{ allowances: AllowanceView[] }>(rpc.allowanceList.method, {})).allowances, []);
    const first = await call(c, 'r1', 'run_command', { command: 'git', args: ['rev-list', '--all'] });
    const a = await c.approval(0);
    await c.decide({ approvalId: a.id, approve: true, forSession: true });
    await c.turnEnd(first.turnId);
    await shutdown(live.pop()!);

    const again = await open(ws, dataDir);
    assert.deepEqual((await again.s.conn.sendRequest<{ allowances: AllowanceView[] }>(rpc.allowanceList.method, {})).allowances, []);
    const next = await call(again, 'r2', 'run_command', { command: 'git', args: ['rev-list', '--all'] }, first.sessionId);
    const asked = await again.approval(0);
    await again.decide({ approvalId: asked.id, approve: false });
    await again.turnEnd(next.turnId);
  });

  it('a hostile .git/config cannot run a program through a git command the default allows (core.fsmonitor on git status)', async () => {
    const ws = gitRepo();
    const marker = path.join(tmpDir('torbit-marker-'), 'ran');
    fs.writeFileSync(path.join(ws, 'a.txt'), 'a\n');
    execFileSync('git', ['add', 'a.txt'], { cwd: ws });
    execFileSync('git', ['config', 'core.fsmonitor', `touch ${marker}`], { cwd: ws });
    const c = await open(ws);
    const t = await call(c, 'g1', 'run_command', { command: 'git', args: ['status', '--short'] });
    assert.equal((await c.turnEnd(t.turnId)).status, 'done');
    assert.equal(c.approvals.length, 0, 'the default allows git status --short without asking');
    assert.match(JSON.stringify(fx.stub.requests.at(-1)!.body.messages), /A {2}a\.txt/);
    assert.equal(fs.existsSync(marker), false, 'the repository\'s fsmonitor ran');
  });

  it('a hostile diff driver cannot run through git diff or git log -p, which the default allows', async () => {
    const ws = gitRepo();
    const marker = path.join(tmpDir('torbit-marker-'), 'ran');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: ws });
    fs.writeFileSync(path.join(ws, 'a.txt'), 'a\n');
    fs.writeFileSync(path.join(ws, '.gitattributes'), '*.txt diff=evil\n');
    git('add', '.');
    git('commit', '-qm', 'one');
    fs.writeFileSync(path.join(ws, 'a.txt'), 'b\n');
    git('commit', '-qam', 'two');
    fs.writeFileSync(path.join(ws, 'a.txt'), 'c\n');
    execFileSync('git', ['config', 'diff.evil.textconv', `sh -c 'touch ${marker}; cat "$0"'`], { cwd: ws });
    execFileSync('git', ['config', 'diff.external', `sh -c 'touch ${marker}'`], { cwd: ws });
    const c = await open(ws);
    const t = await call(c, 'd1', 'run_command', { command: 'git', args: ['diff'] });
    await c.turnEnd(t.turnId);
    const l = await call(c, 'd2', 'run_command', { command: 'git', args: ['log', '-p', '-1'] }, t.sessionId);
    await c.turnEnd(l.turnId);
    assert.equal(c.approvals.length, 0, 'the default allows git diff and git log -p without asking');
    assert.equal(fs.existsSync(marker), false, 'a repository\'s diff driver ran');
  });
});
