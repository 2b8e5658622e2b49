import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workspaceDataDir } from '../../server/dataDir';
import { Status } from '../../server/protocol';
import { LATEST_SCHEMA_VERSION } from '../../server/store/migrations';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import { torbit as runCli, torbitAsync as cliAsync } from '../support/cli';
import { gitRepo, sha256, tmpDir } from '../support/tmp';

/** The data home of these runs (the default data directories go under it), never the tester's own. */
const HOME: NodeJS.ProcessEnv = { XDG_DATA_HOME: tmpDir('torbit-home-') };
const dataOf = (ws: string) => workspaceDataDir(HOME, ws);
const torbit = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) => runCli(cwd, args, { ...HOME, ...env });

function oneLineError(r: { err: string }, pattern: RegExp): void {
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, `stderr is one line: ${r.err}`);
  assert.match(lines[0]!, /^torbit: /);
  assert.match(lines[0]!, pattern);
}

describe('torbit CLI (bundled dist/cli.js)', () => {
  it('status creates nothing; migrate creates and migrates; status then reports it', () => {
    const ws = gitRepo();
    const s1 = torbit(ws, ['status', '--json']);
    assert.equal(s1.code, 0, s1.err);
    assert.equal(Status.parse(JSON.parse(s1.out)).store.state, 'absent');
    assert.ok(!fs.existsSync(dataOf(ws)), 'status did not create the data directory');
    const m = torbit(ws, ['migrate', '--json']);
    assert.equal(m.code, 0, m.err);
    assert.deepEqual(JSON.parse(m.out), { database: path.join(dataOf(ws), 'torbit.db'), from: null, to: LATEST_SCHEMA_VERSION });
    assert.deepEqual(fs.readdirSync(ws), ['.git'], 'nothing written into the workspace');
    const again = torbit(ws, ['migrate']);
    assert.match(again.out, new RegExp(`already at schema ${LATEST_SCHEMA_VERSION}`));
    const s2 = Status.parse(JSON.parse(torbit(ws, ['status', '--json']).out));
    assert.equal(s2.store.state === 'ok' && s2.store.journalMode, 'wal');
    assert.equal(s2.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.match(torbit(ws, ['status']).out, /data dir: +.*\/torbit\/workspaces\/torbit-repo-\S+-[0-9a-f]{16} \(from workspace\)/);
  });

  it("ignores a repository's torbit.dataDir in .vscode/settings.json (machine-scoped), says so, and takes TORBIT_DATA_DIR", () => {
    const ws = tmpDir();
    fs.mkdirSync(path.join(ws, '.vscode'));
    fs.writeFileSync(path.join(ws, '.vscode/settings.json'), '{\n  // where Torbit keeps state\n  "torbit.dataDir": "var/torbit",\n}\n');
    const r = torbit(ws, ['status', '--json']);
    const s = Status.parse(JSON.parse(r.out));
    assert.notEqual(s.dataDir, path.join(ws, 'var/torbit'));
    assert.notEqual(s.dataDirSource, 'setting');
    assert.match(r.err, /torbit\.dataDir in the workspace's \.vscode\/settings\.json is ignored: only your own settings may set it.*TORBIT_DATA_DIR/);
    const env = path.join(tmpDir(), 'e');
    const e = Status.parse(JSON.parse(torbit(ws, ['status', '--json'], { TORBIT_DATA_DIR: env }).out));
    assert.deepEqual([e.dataDir, e.dataDirSource], [env, 'env']);
    fs.writeFileSync(path.join(ws, '.vscode/settings.json'), '{ "torbit.dataDir": 42 }');
    const bad = torbit(ws, ['status']);
    assert.equal(bad.code, 2);
    oneLineError(bad, /settings\.json.*torbit\.dataDir/);
  });

  it('exits 3 with a one-line reason on a refused database, and leaves it untouched', () => {
    const ws = tmpDir();
    fs.mkdirSync(dataOf(ws), { recursive: true });
    const db = path.join(dataOf(ws), 'torbit.db');
    fs.writeFileSync(db, 'not sqlite at all');
    const before = sha256(db);
    for (const cmd of ['status', 'migrate']) {
      const r = torbit(ws, [cmd]);
      assert.equal(r.code, 3, `${cmd}: ${r.err}`);
      oneLineError(r, /corrupt or not a database.*left the file untouched/);
    }
    assert.equal(sha256(db), before);
  });

  it('has --help for the program and for every command, and usage errors exit 2', () => {
    const ws = tmpDir();
    const top = torbit(ws, ['--help']);
    assert.equal(top.code, 0);
    for (const cmd of ['status', 'migrate']) {
      assert.match(top.out, new RegExp(`^  ${cmd} `, 'm'));
      const h = torbit(ws, [cmd, '--help']);
      assert.equal(h.code, 0);
      assert.match(h.out, new RegExp(`^torbit ${cmd} `));
      assert.match(h.out, /--json/);
    }
    assert.match(torbit(ws, ['--version']).out, /^\d+\.\d+\.\d+/);
    const unknown = torbit(ws, ['frobnicate']);
    assert.equal(unknown.code, 2);
    oneLineError(unknown, /unknown command 'frobnicate'/);
    const badFlag = torbit(ws, ['status', '--colour']);
    assert.equal(badFlag.code, 2);
    oneLineError(badFlag, /status: Unknown option '--colour'/);
    assert.equal(torbit(ws, []).code, 2);
    assert.ok(!fs.existsSync(dataOf(ws)), 'no command above wrote anything');
  });
});

describe('torbit chat (bundled CLI against the OpenAI-compatible SSE stub)', function () {
  this.timeout(30_000);
  let stub: OpenAIStub;
  beforeEach(async () => { stub = await startOpenAIStub(); });
  afterEach(() => stub.close());

  // The machine's own provider keys stay out of these runs.
  const torbitAsync = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) => cliAsync(cwd, args, { OPENAI_API_KEY: '', TORBIT_API_KEY: '', ...HOME, ...env });

  it('streams the answer to stdout and tool events to stderr, and edits the workspace', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'greet.txt'), 'Hello, world\n');
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'e', name: 'edit_file', args: { path: 'greet.txt', oldText: 'Hello', newText: 'Howdy' } }], 6), usage: { prompt_tokens: 100, completion_tokens: 10 } },
      { kind: 'stream', chunks: textChunks('Changed the greeting.', 5), usage: { prompt_tokens: 150, completion_tokens: 5 } },
    );
    const r = await torbitAsync(ws, ['chat', 'be friendlier', '--provider', 'openai-compatible', '--model', 'stub', '--base-url', stub.baseURL, '--approve']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Changed the greeting.\n');
    assert.match(r.err, /⚙ edit_file greet\.txt\n {2}✓ edited at line 1\n/);
    assert.match(r.err, /— done; 265 tokens; session [0-9a-f-]{36}\n$/);
    assert.equal(fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8'), 'Howdy, world\n');
  });

  it('rejects what the policy asks about when nobody can be asked, tells the model why, and refuses --approve outside dev', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'greet.txt'), 'Hello, world\n');
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'e', name: 'edit_file', args: { path: 'greet.txt', oldText: 'Hello', newText: 'Howdy' } }], 3) },
      { kind: 'stream', chunks: textChunks('I was not allowed to edit it.', 3) },
    );
    const r = await torbitAsync(ws, ['chat', 'be friendlier', '--model', 'openai-compatible:stub', '--base-url', stub.baseURL]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /⚙ edit_file greet\.txt\n {2}⊘ the policy asks \(edit inside the workspace: ask\) and nobody can be asked in this run; run it with --approve/);
    assert.equal(fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8'), 'Hello, world\n', 'nothing changed');
    // The model's next request carries the denial and its reason.
    const toolMsg = JSON.stringify(stub.requests.at(-1)!.body.messages.filter((m: { role: string }) => m.role === 'tool'));
    assert.match(toolMsg, /nobody can be asked/);
    const prod = await torbitAsync(ws, ['chat', 'x', '--model', 'openai-compatible:stub', '--base-url', stub.baseURL, '--approve'],
      { TORBIT_ENV: 'production', TORBIT_AUDIT_SIGNING_SECRET: 's' });
    assert.equal(prod.code, 2, prod.err);
    assert.match(prod.err, /--approve approves everything the policy asks about, and is refused in production mode/);
  });

  it('prints JSON lines with --json, takes the workspace from --workspace and the key from TORBIT_API_KEY', async () => {
    const ws = gitRepo();
    stub.enqueue({ kind: 'stream', chunks: textChunks('hi there', 2) });
    const r = await torbitAsync(tmpDir(), ['chat', 'hi', '--workspace', ws, '--model', 'openai-compatible:stub', '--base-url', stub.baseURL, '--json'], { TORBIT_API_KEY: 'generic-key-0123456789' });
    assert.equal(r.code, 0, r.err);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; event: { type: string } });
    assert.deepEqual(events.map((e) => e.event.type), ['turn-start', 'text-delta', 'text-delta', 'usage', 'turn-end']);
    assert.equal(stub.requests[0]!.headers.authorization, 'Bearer generic-key-0123456789');
    assert.ok(fs.existsSync(path.join(dataOf(ws), 'torbit.db')), 'the session was stored for the workspace given');
  });

  it('fails with a one-line reason: no key, a rejected key, no prompt, a bad provider', async () => {
    const ws = tmpDir();
    const noKey = await torbitAsync(ws, ['chat', 'hi', '--provider', 'openai', '--model', 'gpt-4.1']);
    assert.equal(noKey.code, 1);
    assert.equal(noKey.err, 'torbit: No API key for openai. Run "Torbit: Set API Key", or set OPENAI_API_KEY (or TORBIT_API_KEY for the CLI).\n');
    stub.enqueue({ kind: 'error', status: 401 });
    const bad = await torbitAsync(ws, ['chat', 'hi', '--model', 'openai-compatible:stub', '--base-url', stub.baseURL]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^torbit: the model server at .* rejected the API key \(401\).*\n$/);
    assert.equal((await torbitAsync(ws, ['chat'])).code, 2);
    const prov = await torbitAsync(ws, ['chat', 'x', '--provider', 'azure', '--model', 'm']);
    assert.equal(prov.code, 2);
    assert.match(prov.err, /--provider must be one of openai, anthropic, google, openai-compatible/);
  });

  it('exits 4 when the budget in .vscode/settings.json stops the run', async () => {
    const ws = gitRepo();
    fs.mkdirSync(path.join(ws, '.vscode'));
    fs.writeFileSync(path.join(ws, '.vscode/settings.json'), '{ "torbit.budget.maxTokens": 150, "torbit.model": "openai-compatible:stub" }');
    const step = { kind: 'stream' as const, chunks: toolCallChunks([{ id: 'l', name: 'list_files', args: {} }], 2), usage: { prompt_tokens: 90, completion_tokens: 10 } };
    stub.enqueue(step, step);
    const r = await torbitAsync(ws, ['chat', 'go', '--base-url', stub.baseURL]);
    assert.equal(r.code, 4, r.err);
    assert.match(r.err, /budget \(150 tokens\) would be exceeded/);
    assert.equal(stub.requests.length, 1);
  });
});
