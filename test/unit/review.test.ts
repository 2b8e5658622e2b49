import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockLanguageModelV4 } from 'ai/test';
import { createModel, parseModelRef } from '../../server/agent/models';
import { AuditLog } from '../../server/audit/log';
import { BundleResult, ReviewResult } from '../../server/protocol/review';
import { finishReview } from '../../server/review/finish';
import { isSimulated } from '../../server/review/reviewer';
import { reviewChanges } from '../../server/review/service';
import { ReviewRepo } from '../../server/review/store';
import { openStore } from '../../server/store/open';
import type { Db } from '../../server/store/sqlite';
import { BASELINE_FILE, currentRange, ReviewError } from '../../server/review/baseline';
import { buildBundle } from '../../server/review/bundle';
import { gitQuote } from '../../server/review/changes';
import { ENV_SECRET, git, KEY_SECRET, reviewRepo } from '../support/reviewRepo';
import { tmpDir } from '../support/tmp';
import { startOpenAIStub, textChunks, type OpenAIStub } from '../stubs/openaiStub';

/** Every file under `dir`, as one string (to look for what must not be there). */
function everything(dir: string): string {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile())
    .map((f) => f.endsWith('.gz') ? execFileSync('gzip', ['-dc', f], { maxBuffer: 1 << 30 }).toString('latin1') : fs.readFileSync(f, 'latin1')).join('\n');
}

/** A checkout of `commit` in a fresh clone. */
function checkout(root: string, commit: string): string {
  const dir = path.join(tmpDir('torbit-apply-'), 'w');
  git(path.dirname(dir), 'clone', '-q', root, dir);
  git(dir, 'checkout', '-q', commit);
  return dir;
}

/** The files of a work tree but those listed only (what a bundle can carry), path → content. */
function textFiles(dir: string, except: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).map((x) => x.split(path.sep).join('/')).sort()) {
    if (f === '.git' || f.startsWith('.git/') || except.includes(f) || !fs.statSync(path.join(dir, f)).isFile()) continue;
    out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  }
  return out;
}

const LISTED = ['assets/logo.png', '.env', 'config/deploy.txt'];

describe('review bundles', function () {
  this.timeout(60_000);

  it('bundles the range since the baseline: header, stats as git counts them, renames; binaries listed, a dotenv file left out with its size, a key block masked in place', async () => {
    const repo = reviewRepo();
    const range = await currentRange(repo.root, false);
    assert.deepEqual(range, { from: repo.base, to: repo.head, worktree: false });
    const out = tmpDir('torbit-bundle-');
    const r = BundleResult.parse(await buildBundle({ root: repo.root, range, maxBytes: 10 * 1024 * 1024, out }));
    assert.equal(r.mode, 'bundle');
    assert.deepEqual(r.packets, []);
    const byPath = Object.fromEntries(r.files.map((f) => [f.path, f]));

    // Every changed file, with git's own counts (numstat) for the text ones.
    const numstat = git(repo.root, '-c', 'core.quotePath=false', 'diff', '--numstat', '-z', '-M', repo.base, repo.head).split('\0').filter(Boolean);
    const counted: Record<string, [number, number]> = {};
    for (let i = 0; i < numstat.length; i++) {
      const [a, d, p] = numstat[i]!.split('\t');
      const name = p === '' ? numstat[(i += 2)]! : p!; // a rename: "a\td\t" then old\0new\0
      counted[name] = [a === '-' ? -1 : Number(a), d === '-' ? -1 : Number(d)];
    }
    assert.deepEqual(Object.keys(byPath).sort(), Object.keys(counted).sort());
    for (const [p, [a, d]] of Object.entries(counted)) {
      const f = byPath[p]!;
      if (f.kind === 'text') assert.deepEqual([f.added, f.deleted], [a, d], p);
    }
    assert.deepEqual(byPath['src/new-name.ts'], { ...byPath['src/new-name.ts']!, status: 'R', from: 'src/old-name.ts', added: 1, deleted: 0, kind: 'text' });
    assert.equal(byPath['docs/guide.md']!.status, 'D');
    assert.equal(byPath['assets/logo.png']!.kind, 'binary');
    assert.equal(byPath['.env']!.kind, 'redacted');
    assert.match(byPath['.env']!.reason!, /environment file/);
    assert.equal(byPath['.env']!.size, Buffer.byteLength(`${ENV_SECRET}\n`));
    // A key block in an ordinary file: the file is shown, the block's lines masked.
    assert.equal(byPath['config/deploy.txt']!.kind, 'text');
    assert.deepEqual(byPath['config/deploy.txt']!.masked, { 'private key block': 1 });

    const text = fs.readFileSync(r.main, 'utf8');
    assert.match(text, new RegExp(`^# Torbit review bundle\\n# range: ${repo.base}\\.\\.${repo.head}\\n`));
    assert.match(text, /# files: \d+ changed \(\+\d+ -\d+\); 1 binary \(listed, not inlined\); 1 redacted/);
    assert.match(text, /# {3}R {2}src\/old-name\.ts -> src\/new-name\.ts {2}\+1 -0/);
    assert.match(text, /# {3}A {2}\.env {2}redacted \(an environment file .*; 37 bytes\)/);
    assert.ok(text.includes('+-----BEGIN RSA PRIVATE KEY-----\n+[masked: private key block]\n+-----END RSA PRIVATE KEY-----\n'));
    assert.match(text, /Binary files \/dev\/null and b\/assets\/logo\.png differ/);
    assert.ok(text.includes(gitQuote('docs/a "quoted" name.md')));
    // Nothing of a secret anywhere in what was written.
    const all = everything(out);
    for (const secret of [ENV_SECRET, KEY_SECRET]) assert.ok(!all.includes(secret), `${secret} leaked`);

    // The bundle is a patch: on the baseline it gives HEAD's text files.
    const w = checkout(repo.root, repo.base);
    git(w, 'apply', ...LISTED.map((l) => `--exclude=${l}`), r.main);
    assert.deepEqual(textFiles(w, LISTED), textFiles(checkout(repo.root, repo.head), LISTED));
  });

  it('above the cap, writes packets: one per file, a huge file split by hunks and lines, each under the cap, hashed, archived, and in order they give HEAD', async () => {
    const repo = reviewRepo({ commits: 4, hugeBytes: 3 * 1024 * 1024 });
    // A second change in the huge file, far from the first: two hunks.
    const huge = path.join(repo.root, 'huge.txt');
    const lines = fs.readFileSync(huge, 'utf8').split('\n');
    lines.splice(20, 3, 'edited near the top');
    lines.splice(lines.length - 50, 1, 'edited near the end', 'and one more');
    fs.writeFileSync(huge, lines.join('\n'));
    git(repo.root, 'commit', '-qam', 'edit the huge file');
    const head = git(repo.root, 'rev-parse', 'HEAD');
    const cap = 64 * 1024;
    const out = tmpDir('torbit-packets-');
    const r = BundleResult.parse(await buildBundle({ root: repo.root, range: await currentRange(repo.root, false), maxBytes: cap, out }));
    assert.equal(r.mode, 'packets');
    assert.equal(r.main, path.join(out, 'README.md'));
    for (const [file, least] of [['huge.txt', 45], ['corpus.txt', 4]] as const) {
      const parts = r.packets.filter((p) => p.path === file);
      assert.ok(parts.length >= least, `${parts.length} packets for ${file} at a 64 KiB cap`);
      assert.deepEqual(parts.map((p) => p.part), parts.map((_, i) => i + 1));
      assert.ok(parts.every((p) => p.parts === parts.length));
    }
    // The scattered edits of corpus.txt are hunks of their own; its 5,000-line block is cut by lines.
    const corpusText = r.packets.filter((p) => p.path === 'corpus.txt').map((p) => fs.readFileSync(path.join(out, p.name), 'utf8'));
    assert.ok(corpusText.reduce((n, t) => n + (t.match(/^@@ /gm)?.length ?? 0), 0) >= 7);
    assert.ok(corpusText.filter((t) => t.includes('+rewritten line')).length >= 3, 'the block spans packets');
    // One packet per other text file; binaries and secrets in none.
    const textPaths = r.files.filter((f) => f.kind === 'text').map((f) => f.path).sort();
    assert.deepEqual([...new Set(r.packets.map((p) => p.path))].sort(), textPaths);
    for (const p of r.packets) {
      const data = fs.readFileSync(path.join(out, p.name));
      assert.ok(data.length <= cap, `${p.name}: ${data.length} bytes`);
      assert.equal(data.length, p.bytes);
      assert.equal(createHash('sha256').update(data).digest('hex'), p.sha256);
      assert.match(data.toString('utf8'), new RegExp(`^# Torbit review packet \\d+ of ${r.packets.length}\\n`));
      assert.ok(data.toString('utf8').includes(`part ${p.part} of ${p.parts} of this file`));
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { packets: unknown; range: unknown };
    assert.deepEqual(manifest.packets, r.packets);
    assert.deepEqual(manifest.range, r.range);
    execFileSync('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], { cwd: out });
    const listed = execFileSync('tar', ['-tzf', r.archive!], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, ['README.md', 'manifest.json', 'SHA256SUMS', ...r.packets.map((p) => p.name)]);
    const readme = fs.readFileSync(r.main, 'utf8');
    assert.match(readme, /## How to review/);
    assert.match(readme, /sha256sum -c SHA256SUMS/);
    assert.match(readme, /- A {2}\.env {2}redacted/);
    // Each packet is reviewed alone: each names the file left out, with its size.
    for (const p of r.packets) assert.match(fs.readFileSync(path.join(out, p.name), 'utf8'), /^# not shown in any packet: A {2}\.env {2}redacted \(.*; 37 bytes\)$/m);
    const all = everything(out);
    for (const secret of [ENV_SECRET, KEY_SECRET]) assert.ok(!all.includes(secret), `${secret} leaked`);

    // From the archive, the packets applied in order turn the baseline into HEAD.
    const unpacked = tmpDir('torbit-unpacked-');
    execFileSync('tar', ['-xzf', r.archive!, '-C', unpacked]);
    const w = checkout(repo.root, repo.base);
    for (const p of r.packets) git(w, 'apply', '--unidiff-zero', path.join(unpacked, p.name));
    assert.deepEqual(textFiles(w, LISTED), textFiles(checkout(repo.root, head), LISTED));
  });

  it('includes the uncommitted changes of tracked files only when asked', async () => {
    const repo = reviewRepo({ commits: 1 });
    fs.appendFileSync(path.join(repo.root, 'src/app.ts'), 'not committed yet\n');
    const out = tmpDir('torbit-bundle-');
    const committed = await buildBundle({ root: repo.root, range: await currentRange(repo.root, false), maxBytes: 1 << 20, out });
    assert.ok(!fs.readFileSync(committed.main, 'utf8').includes('not committed yet'));
    const range = await currentRange(repo.root, true);
    assert.equal(range.worktree, true);
    const withTree = await buildBundle({ root: repo.root, range, maxBytes: 1 << 20, out });
    const text = fs.readFileSync(withTree.main, 'utf8');
    assert.ok(text.includes('+not committed yet'));
    assert.match(text, /# work tree: included/);
    assert.equal(git(repo.root, 'status', '--porcelain'), 'M src/app.ts', 'the index was not touched');
  });

  it('starts from the first commit without a baseline, and refuses a damaged one or one that is not an ancestor of HEAD', async () => {
    const repo = reviewRepo({ commits: 1 });
    const file = path.join(repo.root, BASELINE_FILE);
    fs.rmSync(file);
    assert.deepEqual(await currentRange(repo.root, false), { from: null, to: repo.head, worktree: false });
    const r = await buildBundle({ root: repo.root, range: await currentRange(repo.root, false), maxBytes: 1 << 20, out: tmpDir('torbit-bundle-') });
    assert.ok(r.files.some((f) => f.path === 'src/app.ts' && f.status === 'A'));
    fs.writeFileSync(file, 'not a commit\n');
    await assert.rejects(currentRange(repo.root, false), (e: Error) => e instanceof ReviewError && /does not hold a commit id/.test(e.message));
    fs.writeFileSync(file, `${'0'.repeat(40)}\n`);
    await assert.rejects(currentRange(repo.root, false), /is not a commit of this repository/);
    // A commit on another line of history.
    const other = git(repo.root, 'commit-tree', `${repo.base}^{tree}`, '-p', repo.base, '-m', 'elsewhere');
    fs.writeFileSync(file, `${other}\n`);
    await assert.rejects(currentRange(repo.root, false), /is not an ancestor of HEAD/);
  });
});

/** A model that answers each review call with the next verdict (as JSON text), recording the prompts. */
function verdictModel(answers: unknown[]): MockLanguageModelV4 {
  let call = 0;
  return new MockLanguageModelV4({
    provider: 'mock',
    modelId: 'mock-reviewer',
    doGenerate: () => {
      const a = answers[Math.min(call++, answers.length - 1)];
      return Promise.resolve({
        content: [{ type: 'text', text: typeof a === 'string' ? a : JSON.stringify(a) }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: { total: 100, noCache: 100, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 20, text: 20, reasoning: 0 } },
        warnings: [],
      });
    },
  });
}

describe('model reviews of a bundle', function () {
  this.timeout(60_000);
  let db: Db;
  let audit: AuditLog;
  let dataDir: string;
  beforeEach(async () => {
    dataDir = tmpDir('torbit-data-');
    db = (await openStore(path.join(dataDir, 'torbit.db'), { mode: 'migrate' })).db;
    audit = new AuditLog(db);
  });
  afterEach(() => db.close());

  it('stores and audits a BLOCKED verdict with its blockers; a mock model\'s verdict is simulated', async () => {
    const repo = reviewRepo({ commits: 2 });
    const model = verdictModel([{ verdict: 'BLOCKED', summary: 'A bug in app.ts.', blockers: [{ file: 'b/src/app.ts', line: 6, severity: 'error', message: 'off by one' }, { file: 'src/nowhere.ts', line: 1, severity: 'warning', message: 'odd' }] }]);
    const r = ReviewResult.parse(await reviewChanges({ db, audit, dataDir, env: {}, modelFactory: () => model }, { folder: repo.root, model: 'openai:gpt-4.1-mini', includeWorktree: false }));
    const v = r.review.verdict;
    assert.equal(v.verdict, 'BLOCKED');
    assert.deepEqual(v.blockers[0], { file: 'src/app.ts', line: 6, severity: 'error', message: 'off by one' });
    assert.match(v.blockers[1]!.message, /not in the range/);
    assert.deepEqual(v.meta.range, { from: repo.base, to: repo.head, worktree: false });
    assert.equal(v.meta.simulated, true);
    assert.deepEqual([v.meta.provider, v.meta.model], ['openai', 'gpt-4.1-mini']);
    assert.deepEqual(v.meta.reviewed, [createHash('sha256').update(fs.readFileSync(r.bundle.main)).digest('hex')]);
    // The model saw the bundle, and was told how to review.
    const call = model.doGenerateCalls[0]!;
    assert.match(JSON.stringify(call.prompt), /Torbit review bundle/);
    assert.match(JSON.stringify(call.prompt), /Answer BLOCKED when the change has a defect/);
    assert.equal(r.bundle.root, repo.root);
    assert.deepEqual(await new ReviewRepo(db).get(r.review.id), r.review);
    assert.deepEqual(await new ReviewRepo(db).latestFor(repo.root, repo.base, repo.head), r.review);
    const rec = (await audit.records()).find((x) => JSON.parse(x.body).kind === 'review');
    assert.ok(rec);
    assert.deepEqual(JSON.parse(rec.body).data, {
      reviewId: r.review.id, repo: repo.root, range: `${repo.base.slice(0, 12)}..${repo.head.slice(0, 12)}`, from: repo.base, to: repo.head, worktree: false,
      verdict: 'BLOCKED', blockers: 2, simulated: true, provider: 'openai', model: 'gpt-4.1-mini', reviewed: v.meta.reviewed,
    });
    assert.equal((await audit.verify()).ok, true);
  });

  it('reviews each packet above the cap: one call per packet, BLOCKED when any packet is', async () => {
    const repo = reviewRepo({ commits: 3 });
    const approve = { verdict: 'APPROVED', summary: 'fine', blockers: [] };
    const block = { verdict: 'BLOCKED', summary: 'not fine', blockers: [{ file: 'src/app.ts', line: 2, severity: 'error', message: 'no' }] };
    const answers = [approve, approve, block, approve, approve, approve, approve, approve, approve, approve, approve, approve];
    const model = verdictModel(answers);
    const r = await reviewChanges({ db, audit, dataDir, env: {}, modelFactory: () => model }, { folder: repo.root, model: 'anthropic:claude-sonnet-4', maxBytes: 2048, includeWorktree: false });
    assert.equal(r.bundle.mode, 'packets');
    assert.equal(model.doGenerateCalls.length, r.bundle.packets.length);
    assert.deepEqual(r.review.verdict.meta.reviewed, r.bundle.packets.map((p) => p.sha256));
    assert.equal(r.review.verdict.verdict, 'BLOCKED');
    assert.equal(r.review.verdict.blockers.length, 1);
    assert.match(JSON.stringify(model.doGenerateCalls[1]!.prompt), new RegExp(`Packet 2 of ${r.bundle.packets.length}`));
  });

  it('refuses an answer that is not a verdict, and stores nothing', async () => {
    const repo = reviewRepo({ commits: 1 });
    for (const answer of ['{"verdict":"MAYBE","summary":"?","blockers":[]}', { verdict: 'BLOCKED', summary: 'no reason', blockers: [] }, { verdict: 'APPROVED', summary: 'but', blockers: [{ file: 'src/app.ts', line: 1, severity: 'error', message: 'x' }] }, 'not json at all']) {
      await assert.rejects(reviewChanges({ db, audit, dataDir, env: {}, modelFactory: () => verdictModel([answer]) }, { folder: repo.root, model: 'openai:gpt-4.1-mini', includeWorktree: false }));
    }
    assert.deepEqual(await new ReviewRepo(db).list(repo.root), []);
    assert.equal((await audit.records()).length, 0);
  });

  it('knows a simulated model: mocks, tests and the demo are; a real provider is not', () => {
    const real = createModel(parseModelRef('openai-compatible:llama3', 'http://127.0.0.1:1/v1'), {});
    assert.equal(isSimulated(real, 'llama3', true), false);
    assert.equal(isSimulated(createModel(parseModelRef('openai-compatible:torbit-demo', 'http://127.0.0.1:1/v1'), {}), 'torbit-demo', true), true);
    assert.equal(isSimulated(real, 'llama3', false), true, 'any model from an injected factory');
    assert.equal(isSimulated(verdictModel([]), 'gpt-4.1', true), true);
  });
});

describe('review finish: the baseline moves only for a real approval of exactly the current range', function () {
  this.timeout(60_000);
  let db: Db;
  let audit: AuditLog;
  let dataDir: string;
  let stub: OpenAIStub;
  beforeEach(async () => {
    dataDir = tmpDir('torbit-data-');
    db = (await openStore(path.join(dataDir, 'torbit.db'), { mode: 'migrate' })).db;
    audit = new AuditLog(db);
    stub = await startOpenAIStub();
  });
  afterEach(async () => { await db.close(); await stub.close(); });

  /** A review through the real OpenAI-compatible provider (not simulated), answering `answer`. */
  const review = (root: string, answer: unknown, model = 'openai-compatible:qwen2.5-coder') => {
    stub.enqueue({ kind: 'stream', chunks: textChunks(JSON.stringify(answer), 3) });
    return reviewChanges({ db, audit, dataDir, env: {} }, { folder: root, model, baseUrl: stub.baseURL, includeWorktree: false });
  };
  const approved = { verdict: 'APPROVED', summary: 'good', blockers: [] };
  const state = (root: string) => [git(root, 'rev-parse', 'HEAD'), fs.readFileSync(path.join(root, BASELINE_FILE), 'utf8'), git(root, 'status', '--porcelain')];

  it('refuses with no review, a BLOCKED one, a simulated one, or one of another range, and changes nothing', async () => {
    const repo = reviewRepo({ commits: 1 });
    const before = state(repo.root);
    await assert.rejects(finishReview({ db, audit }, repo.root), /no review covers/);
    await review(repo.root, { verdict: 'BLOCKED', summary: 'no', blockers: [{ file: 'src/app.ts', line: 1, severity: 'error', message: 'x' }] });
    await assert.rejects(finishReview({ db, audit }, repo.root), /is BLOCKED \(1 blocker\(s\)\)/);
    const demo = await review(repo.root, approved, 'openai-compatible:torbit-demo');
    assert.equal(demo.review.verdict.meta.simulated, true);
    await assert.rejects(finishReview({ db, audit }, repo.root), /simulated model \(openai-compatible:torbit-demo\): it cannot move the baseline/);
    assert.deepEqual(state(repo.root), before);
    // Approved, then HEAD moves on: the approval does not cover the new range.
    await review(repo.root, approved);
    fs.writeFileSync(path.join(repo.root, 'late.txt'), 'after the review\n');
    git(repo.root, 'add', 'late.txt');
    git(repo.root, 'commit', '-qm', 'late');
    const moved = state(repo.root);
    await assert.rejects(finishReview({ db, audit }, repo.root), new RegExp(`no review covers ${repo.base.slice(0, 12)}\\.\\.[0-9a-f]{12} \\(the last one, \\d+, covers ${repo.base.slice(0, 12)}\\.\\.${repo.head.slice(0, 12)}\\)`));
    assert.deepEqual(state(repo.root), moved);
  });

  it('advances the baseline for an approval of exactly the range, committing only the baseline file', async () => {
    const repo = reviewRepo({ commits: 2 });
    const r = await review(repo.root, approved);
    assert.equal(r.review.verdict.meta.simulated, false);
    // Work the person staged is not committed with it.
    fs.appendFileSync(path.join(repo.root, 'src/app.ts'), 'staged, not reviewed\n');
    git(repo.root, 'add', 'src/app.ts');
    const f = await finishReview({ db, audit }, repo.root);
    assert.deepEqual([f.reviewId, f.baseline], [r.review.id, repo.head]);
    assert.equal(git(repo.root, 'rev-parse', 'HEAD'), f.commit);
    assert.equal(git(repo.root, 'rev-parse', 'HEAD^'), repo.head);
    assert.equal(git(repo.root, 'show', '--name-only', '--format=', 'HEAD'), BASELINE_FILE);
    assert.equal(git(repo.root, 'show', `HEAD:${BASELINE_FILE}`), repo.head);
    assert.equal(git(repo.root, 'status', '--porcelain'), 'M  src/app.ts');
    const rec = (await audit.records()).map((x) => JSON.parse(x.body) as { kind: string; actor: string; data: { action?: string; commit?: string } }).at(-1)!;
    assert.deepEqual([rec.kind, rec.actor, rec.data.action, rec.data.commit], ['review', 'user', 'finish', f.commit]);
    // The next range starts at the reviewed commit.
    assert.deepEqual((await currentRange(repo.root, false)).from, repo.head);
    await assert.rejects(finishReview({ db, audit }, repo.root), /no review covers/);
  });
});
