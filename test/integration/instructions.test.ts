// Project instructions over the real JSON-RPC connection: a spawned backend, a workspace with
// AGENTS.md and rules, and the OpenAI-compatible SSE stub as the model. What the model is sent,
// what the chat is told, what the audit log and the checkpoint record, and what a replay asks with.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../server/logger';
import { InstructionSettings, rpc, type SessionTranscript, type TurnInstructions } from '../../server/protocol';
import { replayTurn } from '../../server/replay/replay';
import { openStore } from '../../server/store/open';
import { textChunks, toolCallChunks, type RecordedRequest } from '../stubs/openaiStub';
import { chatHarness } from '../support/chatHarness';
import { scriptedModel } from '../support/mockModel';
import { torbitAsync } from '../support/cli';
import { openRpcChat } from '../support/rpcChat';
import { stubbedBackends } from '../support/stubbed';
import { gitRepo, tmpDir } from '../support/tmp';

const CODEX_AGENTS = path.join(__dirname, '../fixtures/instructions/codex/AGENTS.md');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function write(root: string, rel: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** The system prompt of each chat completion the stub was asked for, in order. */
const systemPrompts = (requests: RecordedRequest[]): string[] => requests
  .filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'))
  .map((r) => (r.body.messages as { role: string; content: string }[]).find((m) => m.role === 'system')?.content ?? '');

describe('project instructions over JSON-RPC', function () {
  this.timeout(60_000);
  const fx = stubbedBackends();

  /** A backend on a workspace whose data directory (and home, for ~/.agents) the test knows. */
  const open = async (ws: string, home = tmpDir('torbit-home-'), init: Record<string, unknown> = {}) => {
    const data = tmpDir('torbit-data-');
    const c = await openRpcChat({ ws, baseURL: fx.stub.baseURL, env: { TORBIT_DATA_DIR: data, HOME: home }, init }, fx.live);
    return { c, data, home };
  };

  it('the model\'s first request carries the instructions; the chat, the audit log, the checkpoint and the transcript name each file by hash', async () => {
    const ws = gitRepo();
    const codex = fs.readFileSync(CODEX_AGENTS);
    write(ws, 'AGENTS.md', codex);
    write(ws, '.torbit/rules/commits.md', 'Write commit messages in the imperative mood.');
    write(ws, 'notes.txt', 'one\n');
    const home = tmpDir('torbit-home-');
    write(home, '.agents/AGENTS.md', 'The person prefers short answers.');
    const { c, data } = await open(ws, home);
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'notes.txt', content: 'two\n' } }], 2) },
      { kind: 'stream', chunks: textChunks('Done.', 2) },
    );
    const { sessionId, turnId } = await c.send('change notes.txt');
    assert.equal((await c.turnEnd(turnId)).status, 'done');

    const [first] = systemPrompts(fx.stub.requests);
    assert.ok(first!.includes(codex.toString('utf8').trim()), 'the whole AGENTS.md of a real project');
    assert.match(first!, /Write commit messages in the imperative mood\./);
    assert.match(first!, /The person prefers short answers\./);
    assert.match(first!, /They are data, not authority/);

    // The chat is told right after turn-start, with each file by name and hash, openable by its path.
    const kinds = c.events.filter((e) => e.turnId === turnId).map((e) => e.event.type);
    assert.deepEqual(kinds.slice(0, 2), ['turn-start', 'instructions']);
    const [shown] = c.of('instructions', turnId);
    const files = shown!.instructions.files;
    assert.deepEqual(files.map((f) => [f.source, f.path]), [['personal', '~/.agents/AGENTS.md'], ['agents', 'AGENTS.md'], ['rule', '.torbit/rules/commits.md']]);
    assert.equal(files[1]!.sha256, sha(codex));
    assert.equal(files[1]!.abs, path.join(ws, 'AGENTS.md'));

    // The prompt's audit record lists each file with its sha256; so does the turn's checkpoint.
    const { db } = await openStore(path.join(data, 'torbit.db'), { mode: 'readonly' });
    try {
      const prompt = await db.get<{ body: string }>("SELECT body FROM audit WHERE kind = 'prompt' AND turn_id = ?", [turnId]);
      const audited = (JSON.parse(prompt!.body) as { data: { instructions: { files: { path: string; sha256: string }[] } } }).data.instructions.files;
      assert.deepEqual(audited.map((f) => [f.path, f.sha256]), files.map((f) => [f.path, f.sha256]));
      const cps = await db.all<{ kind: string; manifest: string }>('SELECT kind, manifest FROM checkpoints WHERE turn_id = ? ORDER BY id', [turnId]);
      assert.deepEqual(cps.map((r) => r.kind), ['before-turn', 'after-turn']);
      for (const cp of cps) {
        const m = JSON.parse(cp.manifest) as { instructions: { path: string; sha256: string }[] };
        assert.deepEqual(m.instructions.map((f) => [f.path, f.sha256]), files.map((f) => [f.path, f.sha256]), cp.kind);
      }
    } finally {
      await db.close();
    }

    // A reloaded window shows the line again: the transcript keeps it (without the text).
    const t = await c.s.conn.sendRequest<SessionTranscript>(rpc.sessionGet.method, { sessionId });
    const kept = t.turns[0]!.instructions as TurnInstructions;
    assert.deepEqual(kept.files.map((f) => f.sha256), files.map((f) => f.sha256));
    assert.ok(!JSON.stringify(kept).includes('imperative mood'), 'names and hashes only');
  });

  it('a file the turn reads brings its folder\'s AGENTS.md into the next request, not the first, and the chat hears of it', async () => {
    const ws = gitRepo();
    write(ws, 'AGENTS.md', 'ROOT: be brief.');
    write(ws, 'packages/api/AGENTS.md', 'API: every handler validates its input with zod.');
    write(ws, 'packages/api/src/server.ts', 'export const port = 3000;\n');
    const { c } = await open(ws);
    fx.stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'r', name: 'read_file', args: { path: 'packages/api/src/server.ts' } }], 2) },
      { kind: 'stream', chunks: textChunks('It listens on 3000.', 2) },
    );
    const { turnId } = await c.send('what port?');
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    const [first, second] = systemPrompts(fx.stub.requests);
    assert.match(first!, /ROOT: be brief\./);
    assert.ok(!first!.includes('API: every handler'), 'not before the turn touched that folder');
    assert.match(second!, /ROOT: be brief\.[\s\S]*API: every handler validates its input with zod\./, 'added to the root\'s, after it');
    const shown = c.of('instructions', turnId);
    assert.equal(shown.length, 2, 'once at the start, once when the nested file joined');
    assert.deepEqual(shown[1]!.instructions.files.map((f) => [f.path, f.step, f.because]), [['AGENTS.md', 0, undefined], ['packages/api/AGENTS.md', 1, 'packages/api/src/server.ts']]);
  });

  it('names what does not fit the budget in the chat, and sends none of it', async () => {
    const ws = gitRepo();
    write(ws, 'AGENTS.md', 'SMALL: use tabs.');
    fs.copyFileSync(CODEX_AGENTS, path.join(ws, 'CLAUDE.md'));
    const { c } = await open(ws, undefined, { instructions: { maxTokens: 500 } });
    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('ok', 1) });
    const { turnId } = await c.send('hi');
    await c.turnEnd(turnId);
    const [shown] = c.of('instructions', turnId);
    assert.deepEqual(shown!.instructions.files.map((f) => f.path), ['AGENTS.md']);
    assert.deepEqual(shown!.instructions.leftOut.map((l) => [l.path, l.kind]), [['CLAUDE.md', 'over-budget']]);
    assert.match(shown!.instructions.leftOut[0]!.reason, /torbit\.instructions\.maxTokens \(500\)/);
    const [first] = systemPrompts(fx.stub.requests);
    assert.match(first!, /SMALL: use tabs\./);
    assert.ok(!first!.includes('Crate names are prefixed'), 'none of the file that did not fit');
  });

  it('in an untrusted workspace reads no repository file, and the chat says so', async () => {
    const ws = gitRepo();
    write(ws, 'AGENTS.md', 'REPO: run ./setup.sh first.');
    const { c } = await open(ws, undefined, { trusted: false });
    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('ok', 1) });
    const { turnId } = await c.send('hi');
    await c.turnEnd(turnId);
    const [shown] = c.of('instructions', turnId);
    assert.equal(shown!.instructions.restricted, true);
    assert.deepEqual(shown!.instructions.files, []);
    const [first] = systemPrompts(fx.stub.requests);
    assert.ok(!first!.includes('REPO: run ./setup.sh'));
    assert.match(first!, /untrusted \(restricted mode\), so its instruction files .* were not read/);
  });

  it('torbit chat reads them too (~/.agents/AGENTS.md, the workspace settings\' budget) and names them on stderr', async () => {
    const ws = gitRepo();
    write(ws, 'AGENTS.md', 'CLI-ROOT: say hello.');
    write(ws, 'CLAUDE.md', 'x'.repeat(4000));
    write(ws, '.vscode/settings.json', JSON.stringify({ 'torbit.instructions.maxTokens': 600 }));
    const home = tmpDir('torbit-home-');
    write(home, '.agents/AGENTS.md', 'CLI-PERSONAL: be kind.');
    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('hello', 1) });
    const r = await torbitAsync(ws, ['chat', 'hi', '--model', 'openai-compatible:m', '--base-url', fx.stub.baseURL],
      { HOME: home, OPENAI_COMPATIBLE_API_KEY: 'stub-key-123456789', TORBIT_ENV: '' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /≡ instructions: ~\/\.agents\/AGENTS\.md, AGENTS\.md\n/);
    assert.match(r.err, /left out CLAUDE\.md: over the instructions budget: ~1000 tokens, with \d+ of torbit\.instructions\.maxTokens \(600\) left/);
    const [first] = systemPrompts(fx.stub.requests);
    assert.match(first!, /CLI-PERSONAL: be kind\.[\s\S]*CLI-ROOT: say hello\./);
  });

  it('a turn without any instruction file sends the prompt as before and shows no line', async () => {
    const { c } = await open(gitRepo());
    fx.stub.enqueue({ kind: 'stream', chunks: textChunks('ok', 1) });
    const { turnId } = await c.send('hi');
    await c.turnEnd(turnId);
    assert.deepEqual(c.of('instructions', turnId), []);
    assert.ok(!systemPrompts(fx.stub.requests)[0]!.includes('# Project instructions'));
  });
});

describe('project instructions in a replay', function () {
  this.timeout(60_000);

  /** The system prompt of each call a scripted model got. */
  const systemOf = (model: ReturnType<typeof scriptedModel>) => model.doStreamCalls.map((call) =>
    call.prompt.filter((m) => m.role === 'system').map((m) => m.content).join('\n'));
  const steps = () => [
    { toolCalls: [{ id: 'w', name: 'write_file', input: { path: 'lib/x.ts', content: 'export const x = 2;\n' } }] },
    { text: ['Done.'] },
  ];

  it('asks with the recorded instructions, step by step, not the files as they are now', async () => {
    const home = tmpDir('torbit-home-');
    write(home, '.agents/AGENTS.md', 'PERSONAL-V1');
    const recording = scriptedModel(steps());
    const h = await chatHarness({
      model: recording,
      files: { 'AGENTS.md': 'ROOT-V1', 'lib/AGENTS.md': 'LIB-V1', 'lib/x.ts': 'export const x = 1;\n' },
      instructions: { settings: InstructionSettings.parse({}), personal: [path.join(home, '.agents', 'AGENTS.md')] },
    });
    try {
      const { turnId, done } = await h.chat.send({ text: 'bump x', model: 'openai:x' });
      assert.equal(await done, 'done');
      const recorded = systemOf(recording);
      assert.match(recorded[0]!, /PERSONAL-V1[\s\S]*ROOT-V1/);
      assert.ok(!recorded[0]!.includes('LIB-V1'), 'lib/AGENTS.md joins after the turn wrote lib/x.ts');
      assert.match(recorded[1]!, /ROOT-V1[\s\S]*LIB-V1/);

      // Everything changes on disk afterwards, the person's own file included (no checkpoint holds it).
      write(home, '.agents/AGENTS.md', 'PERSONAL-V2');
      write(h.ws, 'AGENTS.md', 'ROOT-V2');
      const live = scriptedModel(steps());
      const checkpoints = await h.backend.checkpoints({ log: silentLogger });
      const report = await replayTurn({ db: h.backend.requireDb(), checkpoints, env: {}, modelFactory: () => live }, turnId, 'live');
      assert.equal(report.same, true, JSON.stringify(report));
      assert.deepEqual(systemOf(live), recorded, 'the same system prompt at every step as when the turn ran');
      assert.ok(!systemOf(live).some((s) => s.includes('V2')));

      // A damaged record is refused, not replayed with other instructions.
      await h.backend.requireDb().run("UPDATE turns SET instructions = '{\"files\": 3}' WHERE id = ?", [turnId]);
      await assert.rejects(replayTurn({ db: h.backend.requireDb(), checkpoints, env: {}, modelFactory: () => scriptedModel(steps()) }, turnId, 'live'), /recorded instructions are damaged/);
    } finally {
      await h.close();
    }
  });
});
