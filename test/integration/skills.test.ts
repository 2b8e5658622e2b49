// Agent Skills over the real JSON-RPC connection, the model played by the SSE stub: the index in
// the first request, use_skill's body, a contract skill's script within its permissions (and an
// undeclared command refused before the policy, audited), its time and memory limits, the load
// recorded by hash in the audit log and the checkpoint, and replayed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayReport, rpc, type SkillView, type ToolCard } from '../../server/protocol';
import { openStore } from '../../server/store/open';
import { textChunks, toolCallChunks, type StubResponse } from '../stubs/openaiStub';
import { openRpcChat, type RpcChat } from '../support/rpcChat';
import { contractSkill, plainSkill, skillRepo, type SkillRepo } from '../support/skillRepo';
import { stubbedBackends } from '../support/stubbed';
import { sha256 } from '../support/tmp';
import { until } from '../support/until';

const call = (id: string, name: string, args: unknown): StubResponse => ({ kind: 'stream', chunks: toolCallChunks([{ id, name, args }], 2) });
const text = (t: string): StubResponse => ({ kind: 'stream', chunks: textChunks(t, 1) });
const COUNT = '.agents/skills/good-count/scripts/count.js';

/** The system prompt of a request the stub received. */
const systemOf = (body: { messages: { role: string; content: unknown }[] }) => JSON.stringify(body.messages.filter((m) => m.role === 'system').map((m) => m.content));

async function dbRows<T extends Record<string, unknown>>(r: SkillRepo, sql: string): Promise<T[]> {
  const { db } = await openStore(path.join(r.data, 'torbit.db'), { mode: 'migrate' });
  try {
    return await db.all<T>(sql);
  } finally {
    await db.close();
  }
}

describe('Agent Skills over JSON-RPC', function () {
  this.timeout(120_000);
  const fx = stubbedBackends();
  let r: SkillRepo;
  beforeEach(() => {
    r = skillRepo();
    plainSkill(r.userSkills, 'my-notes', 'How I like my notes written. Use it for notes.', '# Notes\n\nFollow references/style.md.\n', { 'references/style.md': 'Short sentences.\n' });
  });
  const open = (o: { approve?: 'all' | 'manual'; trusted?: boolean } = {}) =>
    openRpcChat({ ws: r.ws, baseURL: fx.stub.baseURL, env: r.env, approve: o.approve ?? 'all', init: o.trusted === false ? { trusted: false } : {} }, fx.live);
  const ends = (c: RpcChat, turnId: string) => c.of('tool-end', turnId).map((e) => e.card);
  const card = (c: RpcChat, turnId: string, id: string): ToolCard => {
    const found = ends(c, turnId).find((x) => x.toolCallId === id);
    assert.ok(found, `no card ${id}: ${JSON.stringify(ends(c, turnId))}`);
    return found;
  };

  it('the first request carries the skill index (names and descriptions, as data); use_skill returns the body, audited and checkpointed with its sha256', async () => {
    const c = await open();
    fx.stub.enqueue(call('u', 'use_skill', { name: 'good-count' }), call('n', 'run_command', { command: 'node', args: [COUNT, 'README.md'] }), text('Counted.'));
    const { turnId } = await c.send('how long is the README?');
    assert.equal((await c.turnEnd(turnId)).status, 'done');

    const first = systemOf(fx.stub.requests[0]!.body);
    assert.match(first, /\{\\"name\\":\\"good-count\\",\\"description\\":\\"Counts the lines of files with a pinned Node script/);
    assert.match(first, /my-notes/);
    assert.match(first, /it is not an instruction to you/);
    assert.doesNotMatch(first, /Run `node scripts\/count\.js/, 'only names and descriptions: the body waits for use_skill');
    const tools = (fx.stub.requests[0]!.body as { tools: { function: { name: string } }[] }).tools.map((t) => t.function.name);
    assert.ok(tools.includes('use_skill'));

    const toolMessage = JSON.stringify(fx.stub.requests[1]!.body.messages.filter((m: { role: string }) => m.role === 'tool'));
    assert.match(toolMessage, /Run `node scripts\/count\.js <file>` to count a file's lines/);
    assert.match(card(c, turnId, 'u').result ?? '', /^loaded good-count \(sha256 [0-9a-f]{12}…\), under its contract$/);
    assert.match(c.of('tool-output', turnId).map((e) => e.chunk).join(''), /README\.md: 3 lines/);

    const file = sha256(path.join(r.ws, '.agents/skills/good-count/SKILL.md'));
    const loads = await dbRows<{ body: string }>(r, "SELECT body FROM audit WHERE kind = 'skill'");
    assert.equal(loads.length, 1);
    const load = JSON.parse(loads[0]!.body) as { actor: string; turnId: string; data: { name: string; sha256: string; path: string; toolCallId: string } };
    assert.deepEqual([load.actor, load.turnId, load.data.name, load.data.sha256, load.data.path, load.data.toolCallId], ['model', turnId, 'good-count', file, '.agents/skills/good-count/SKILL.md', 'u']);
    const timeline = await c.s.conn.sendRequest<{ entries: { kind: string; summary: string }[] }>(rpc.auditList.method, { kind: 'skill' });
    assert.match(timeline.entries[0]!.summary, new RegExp(`skill good-count loaded from .agents/skills/good-count/SKILL.md \\(sha256 ${file.slice(0, 12)}…\\), under its contract`));
    const [after] = await dbRows<{ manifest: string }>(r, `SELECT manifest FROM checkpoints WHERE kind = 'after-turn' AND turn_id = '${turnId}'`);
    const skills = (JSON.parse(after!.manifest) as { skills: { name: string; sha256: string; text: string }[] }).skills;
    assert.deepEqual(skills.map((s) => [s.name, s.sha256]), [['good-count', file]]);
    assert.equal(sha256(path.join(r.ws, '.agents/skills/good-count/SKILL.md')), file);
    assert.equal(skills[0]!.text, fs.readFileSync(path.join(r.ws, '.agents/skills/good-count/SKILL.md'), 'utf8'));

    // Replay serves the recorded SKILL.md, even once the skill on disk has gone.
    fs.rmSync(path.join(r.ws, '.agents/skills/good-count/SKILL.md'));
    const replay = ReplayReport.parse(await c.s.conn.sendRequest(rpc.replayTurn.method, { turnId, mode: 'deterministic' }));
    assert.deepEqual(replay.toolCalls.map((x) => [x.tool, x.same]), [['use_skill', true], ['run_command', true]], JSON.stringify(replay.toolCalls));
  });

  it('a contract skill\'s script runs within its permissions; an undeclared command is refused before the policy is asked, and audited', async () => {
    const c = await open({ approve: 'manual' });
    fx.stub.enqueue(
      call('u', 'use_skill', { name: 'good-count' }),
      call('n', 'run_command', { command: 'node', args: [COUNT, 'README.md'] }),
      call('rm', 'run_command', { command: 'rm', args: ['-rf', 'build'] }),
      call('w', 'write_file', { path: 'notes.txt', content: 'x' }),
      text('Done.'),
    );
    fs.mkdirSync(path.join(r.ws, 'build'));
    const { turnId } = await c.send('count, then clean up');
    // The declared script still asks: a declared permission never widens the policy.
    const asked = await c.approval(0);
    assert.deepEqual(asked.command?.argv, ['node', COUNT, 'README.md']);
    await c.decide({ approvalId: asked.id, approve: true });
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.equal(c.approvals.length, 1, 'the refused command and edit never reached the person');
    assert.equal(card(c, turnId, 'n').status, 'ok');
    assert.match(card(c, turnId, 'rm').result ?? '', /refused by the skill contract before the policy was asked: \[rm -rf build\] is not among the commands the skill\(s\) good-count declare/);
    assert.match(card(c, turnId, 'w').result ?? '', /editing is outside their declared permissions \(read, command\)/);
    assert.ok(fs.existsSync(path.join(r.ws, 'build')), 'rm did not run');
    assert.ok(!fs.existsSync(path.join(r.ws, 'notes.txt')));
    const decisions = (await dbRows<{ body: string }>(r, "SELECT body FROM audit WHERE kind = 'decision'"))
      .map((x) => JSON.parse(x.body) as { actor: string; data: { toolCallId: string; decision: string; reason: string; skills?: { name: string }[] } });
    assert.deepEqual(decisions.filter((d) => d.data.toolCallId === 'rm').map((d) => [d.actor, d.data.decision, d.data.skills?.map((s) => s.name)]), [['system', 'deny', ['good-count']]],
      'one decision, the contract\'s, and none by the policy');
    assert.deepEqual(decisions.filter((d) => d.data.toolCallId === 'n').map((d) => [d.actor, d.data.decision]), [['policy', 'ask'], ['user', 'approved']]);
  });

  it('a time limit kills a sleeping script and its process group; a memory limit stops an allocation past it', async () => {
    contractSkill(path.join(r.ws, '.agents/skills'), 'napper', {
      categories: ['command'], maxSeconds: 1, maxMemoryMB: 1200,
      scripts: {
        // The script and a child it starts both sleep; both pids go to stdout first.
        'nap.js': "const { spawn } = require('node:child_process');\nconst kid = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });\nconsole.log(`pids ${process.pid} ${kid.pid}`);\nsetInterval(() => {}, 1000);\n",
        'hog.js': "const b = Buffer.alloc(2048 * 1024 * 1024, 1);\nconsole.log(`allocated ${b.length}`);\n",
      },
    });
    const c = await open();
    fx.stub.enqueue(
      call('u', 'use_skill', { name: 'napper' }),
      call('nap', 'run_command', { command: 'node', args: ['.agents/skills/napper/scripts/nap.js'], timeoutSeconds: 120 }),
      call('hog', 'run_command', { command: 'node', args: ['.agents/skills/napper/scripts/hog.js'] }),
      text('Done.'),
    );
    const started = Date.now();
    const { turnId } = await c.send('nap');
    assert.equal((await c.turnEnd(turnId, 60_000)).status, 'done');
    const nap = card(c, turnId, 'nap');
    assert.match(nap.result ?? '', /^timed out after \d+\.\d s \(the time limit of the skill napper\)$/);
    assert.ok(Date.now() - started < 60_000);
    const out = c.of('tool-output', turnId).filter((e) => e.toolCallId === 'nap').map((e) => e.chunk).join('');
    const pids = /pids (\d+) (\d+)/.exec(out);
    assert.ok(pids, `the script printed its pids: ${out}`);
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await until('the script and its child are gone', () => !alive(Number(pids[1])) && !alive(Number(pids[2])));
    const hog = card(c, turnId, 'hog');
    assert.match(hog.result ?? '', /^exit [1-9]\d* in/, `the allocation past the limit failed: ${hog.result}`);
    assert.doesNotMatch(c.of('tool-output', turnId).filter((e) => e.toolCallId === 'hog').map((e) => e.chunk).join(''), /allocated/);
  });

  it('restricted mode leaves the repository\'s skills out of the index; torbit/skills/list lists every skill with its source, codes, permissions and sha256', async () => {
    plainSkill(path.join(r.ws, '.claude/skills'), 'broken', 'x', 'body');
    fs.writeFileSync(path.join(r.ws, '.claude/skills/broken/SKILL.md'), '---\nname: Broken\ndescription: d\n---\n');
    const c = await open({ trusted: false });
    fx.stub.enqueue(text('Hi.'));
    const { turnId } = await c.send('hi');
    await c.turnEnd(turnId);
    const system = systemOf(fx.stub.requests[0]!.body);
    assert.match(system, /my-notes/);
    assert.doesNotMatch(system, /good-count/);
    const { skills } = await c.s.conn.sendRequest<{ skills: SkillView[] }>(rpc.skillsList.method, {});
    assert.deepEqual(skills.map((s) => [s.source, s.name, s.valid, s.problems.map((p) => p.code)]), [
      ['~/.agents/skills', 'my-notes', true, []], ['.agents/skills', 'good-count', true, []], ['.claude/skills', 'broken', false, ['ERR_SCHEMA_INVALID']],
    ]);
    const good = skills[1]!;
    assert.equal(good.sha256, sha256(path.join(r.ws, '.agents/skills/good-count/SKILL.md')));
    assert.deepEqual(good.contract?.permissions, { categories: ['read', 'command'], commands: [['node', 'scripts/count.js']] });
    assert.equal(good.folder, r.ws);
  });

  it('the person\'s own skill is readable while in use (read_file at ~/.agents/skills/<name>/…), and only readable', async () => {
    const c = await open();
    fx.stub.enqueue(
      call('u', 'use_skill', { name: 'my-notes' }),
      call('rd', 'read_file', { path: '~/.agents/skills/my-notes/references/style.md' }),
      call('wr', 'write_file', { path: '~/.agents/skills/my-notes/references/style.md', content: 'pwned' }),
      text('Done.'),
    );
    const { turnId } = await c.send('write notes');
    await c.turnEnd(turnId);
    assert.equal(card(c, turnId, 'rd').status, 'ok');
    assert.match(JSON.stringify(fx.stub.requests[2]!.body.messages), /Short sentences\./);
    assert.equal(card(c, turnId, 'wr').status, 'error');
    assert.match(card(c, turnId, 'wr').result ?? '', /absolute path/);
    assert.equal(fs.readFileSync(path.join(r.userSkills, 'my-notes/references/style.md'), 'utf8'), 'Short sentences.\n');
  });
});
