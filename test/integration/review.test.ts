import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { workspaceDataDir } from '../../server/dataDir';
import { BundleResult, ReviewResult, rpc } from '../../server/protocol';
import { startOpenAIStub, textChunks } from '../stubs/openaiStub';
import { torbit } from '../support/cli';
import { git, reviewRepo } from '../support/reviewRepo';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { tmpDir } from '../support/tmp';

/** git push, as a person runs it (hooks included). */
function push(cwd: string, ...args: string[]) {
  const r = spawnSync('git', ['push', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return { code: r.status, err: r.stderr };
}

describe('review bundles from the CLI and over JSON-RPC', function () {
  this.timeout(120_000);
  const live: Spawned[] = [];
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('torbit review bundle: a bundle under the cap (exit 0), packets above it (exit 6), usage errors (exit 2)', () => {
    const repo = reviewRepo({ commits: 3 });
    const home = { XDG_DATA_HOME: tmpDir('torbit-home-') };
    const ok = torbit(repo.root, ['review', 'bundle', '--json'], home);
    assert.equal(ok.code, 0, ok.err);
    const r = BundleResult.parse(JSON.parse(ok.out));
    assert.deepEqual([r.mode, r.range.from, r.range.to], ['bundle', repo.base, repo.head]);
    assert.equal(path.dirname(path.dirname(r.dir)), workspaceDataDir(home, repo.root), 'under the data directory by default');
    assert.ok(fs.existsSync(r.main));
    assert.equal(r.files.find((f) => f.path === '.env')?.kind, 'redacted');

    // --out is inside the data directory (relative to it); a folder elsewhere is refused (exit 2).
    const out = path.join(workspaceDataDir(home, repo.root), 'cli-packets');
    const big = torbit(repo.root, ['review', 'bundle', '--max-bytes', '2048', '--out', 'cli-packets'], home);
    assert.equal(big.code, 6, big.err);
    assert.match(big.out, /above the cap \(\d+ bytes of diff, cap 2048\): \d+ packet\(s\) in /);
    assert.match(big.out, /A \.env {2}REDACTED: an environment file/);
    assert.ok(fs.existsSync(path.join(out, 'packets.tar.gz')));
    assert.ok(fs.existsSync(path.join(out, 'README.md')));
    const elsewhere = torbit(repo.root, ['review', 'bundle', '--out', tmpDir('torbit-cli-elsewhere-')], home);
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.err, /must be inside the data directory/);

    assert.equal(torbit(repo.root, ['review', 'bundle', '--max-bytes', '10']).code, 2);
    assert.equal(torbit(repo.root, ['review']).code, 2);
    const nogit = torbit(tmpDir('torbit-not-a-repo-'), ['review', 'bundle']);
    assert.equal(nogit.code, 2);
    assert.match(nogit.err, /^torbit: .* is not in a git repository/);
  });

  it('torbit/review/bundle over JSON-RPC: the same bundle, and a clear refusal for a damaged baseline', async () => {
    const repo = reviewRepo({ commits: 2 });
    const s = spawnServer({ TORBIT_DATA_DIR: tmpDir('torbit-data-') });
    live.push(s);
    await initialize(s, { workspaceFolders: [repo.root], trusted: true });
    const r = BundleResult.parse(await s.conn.sendRequest(rpc.reviewBundle.method, { maxBytes: 1 << 20 }));
    assert.deepEqual([r.mode, r.range.from, r.range.to], ['bundle', repo.base, repo.head]);
    assert.match(fs.readFileSync(r.main, 'utf8'), /^# Torbit review bundle\n/);
    fs.writeFileSync(path.join(repo.root, '.torbit/LAST_REVIEWED_SHA'), 'garbage\n');
    await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, {}), (e: ResponseError<unknown>) => /does not hold a commit id/.test(e.message));
    await assert.rejects(s.conn.sendRequest(rpc.reviewBundle.method, { folder: tmpDir() }), (e: ResponseError<unknown>) => /is not a folder of this workspace/.test(e.message));
  });

  it('torbit/review/run: the real OpenAI-compatible path gives a verdict that is not simulated, stored and audited; the demo model\'s is simulated', async () => {
    const repo = reviewRepo({ commits: 2 });
    const stub = await startOpenAIStub();
    try {
      const answer = { verdict: 'BLOCKED', summary: 'One bug.', blockers: [{ file: 'src/app.ts', line: 7, severity: 'error', message: 'this breaks the build' }] };
      stub.enqueue({ kind: 'stream', chunks: textChunks(JSON.stringify(answer), 5) });
      const s = spawnServer({ TORBIT_DATA_DIR: tmpDir('torbit-data-') });
      live.push(s);
      await initialize(s, { workspaceFolders: [repo.root], trusted: true });
      const r = ReviewResult.parse(await s.conn.sendRequest(rpc.reviewRun.method, { model: 'openai-compatible:qwen2.5-coder', baseUrl: stub.baseURL }));
      assert.equal(r.review.verdict.verdict, 'BLOCKED');
      assert.deepEqual(r.review.verdict.blockers, answer.blockers);
      assert.equal(r.review.verdict.meta.simulated, false);
      assert.deepEqual(r.review.verdict.meta.range, { from: repo.base, to: repo.head, worktree: false });
      const sent = stub.requests.find((q) => q.method === 'POST')!.body as { model: string; messages: { role: string; content: string }[] };
      assert.equal(sent.model, 'qwen2.5-coder');
      assert.match(sent.messages.map((m) => m.content).join('\n'), /# Torbit review bundle/);
      const timeline = await s.conn.sendRequest<{ entries: { kind: string; summary: string }[] }>(rpc.auditList.method, {});
      assert.ok(timeline.entries.some((e) => e.kind === 'review' && /: BLOCKED, 1 blocker\(s\)$/.test(e.summary)), JSON.stringify(timeline.entries.map((e) => e.summary)));

      stub.enqueue({ kind: 'stream', chunks: textChunks(JSON.stringify({ verdict: 'APPROVED', summary: 'ok', blockers: [] }), 3) });
      const demo = ReviewResult.parse(await s.conn.sendRequest(rpc.reviewRun.method, { model: 'openai-compatible:torbit-demo', baseUrl: stub.baseURL }));
      assert.deepEqual([demo.review.verdict.verdict, demo.review.verdict.meta.simulated], ['APPROVED', true]);
      await assert.rejects(s.conn.sendRequest(rpc.reviewRun.method, {}), (e: ResponseError<unknown>) => /needs a model/.test(e.message));
      // The demo's approval cannot move the baseline; from the CLI, finish says why (exit 1).
      await assert.rejects(s.conn.sendRequest(rpc.reviewFinish.method, {}), (e: ResponseError<unknown>) => /simulated model/.test(e.message));
      const cli = torbit(repo.root, ['review', 'finish']);
      assert.equal(cli.code, 1);
      assert.match(cli.err, /^torbit: no review covers/);
    } finally {
      await stub.close();
    }
  });

  it('the push gate: installed where git looks, chaining the hook that was there; it refuses what no real approval covers, allows what one does; --no-verify is recorded on the next start', async () => {
    const repo = reviewRepo({ commits: 2 });
    const remote = path.join(tmpDir('torbit-remote-'), 'origin.git');
    git(repo.root, 'init', '-q', '--bare', remote);
    git(repo.root, 'remote', 'add', 'origin', remote);
    git(repo.root, 'push', '-q', 'origin', `${repo.base}:refs/heads/main`);
    await new Promise((r) => setTimeout(r, 1100)); // reflog times are in seconds: this push is before the gate
    // A hook the person had: kept, and run first.
    const marker = path.join(tmpDir('torbit-marker-'), 'ran');
    const hooks = path.join(repo.root, '.git', 'hooks');
    fs.writeFileSync(path.join(hooks, 'pre-push'), `#!/bin/sh\necho "$1" >> '${marker}'\nexit 0\n`, { mode: 0o755 });
    const dataDir = tmpDir('torbit-data-');
    const install = torbit(repo.root, ['review', 'install-gate'], { TORBIT_DATA_DIR: dataDir });
    assert.equal(install.code, 0, install.err);
    assert.match(install.out, /push gate installed: .*pre-push \(runs .*pre-push\.torbit-chained first\)/);
    assert.match(fs.readFileSync(path.join(hooks, 'pre-push.torbit-chained'), 'utf8'), /echo "\$1"/);
    // Installing again refreshes the gate: it never chains itself.
    assert.equal(torbit(repo.root, ['review', 'install-gate'], { TORBIT_DATA_DIR: dataDir }).code, 0);
    assert.doesNotMatch(fs.readFileSync(path.join(hooks, 'pre-push.torbit-chained'), 'utf8'), /torbit-push-gate/);

    const refused = push(repo.root, 'origin', 'main');
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /torbit: push refused: the commits of refs\/heads\/main \([0-9a-f]{12}\) for refs\/heads\/main are not covered by an approved review/);
    assert.match(fs.readFileSync(marker, 'utf8'), /^origin$/m, 'the chained hook ran');
    assert.equal(git(remote, 'rev-parse', 'refs/heads/main'), repo.base);

    const stub = await startOpenAIStub();
    try {
      const s = spawnServer({ TORBIT_DATA_DIR: dataDir });
      live.push(s);
      await initialize(s, { workspaceFolders: [repo.root], trusted: true });
      const approve = () => stub.enqueue({ kind: 'stream', chunks: textChunks(JSON.stringify({ verdict: 'APPROVED', summary: 'ok', blockers: [] }), 2) });
      // A simulated approval covers nothing.
      approve();
      await s.conn.sendRequest(rpc.reviewRun.method, { model: 'openai-compatible:torbit-demo', baseUrl: stub.baseURL });
      assert.notEqual(push(repo.root, 'origin', 'main').code, 0);
      // A real one does, and so does finishing it (a commit that only records the baseline).
      approve();
      const real = ReviewResult.parse(await s.conn.sendRequest(rpc.reviewRun.method, { model: 'openai-compatible:qwen2.5-coder', baseUrl: stub.baseURL }));
      await s.conn.sendRequest(rpc.reviewFinish.method, {});
      const allowed = push(repo.root, 'origin', 'main');
      assert.equal(allowed.code, 0, allowed.err);
      assert.match(allowed.err, new RegExp(`covered by review ${real.review.id}`));
      assert.equal(git(remote, 'rev-parse', 'refs/heads/main'), git(repo.root, 'rev-parse', 'HEAD'));

      // Around the gate: a new commit pushed with --no-verify goes through, and the next start records it.
      fs.writeFileSync(path.join(repo.root, 'unreviewed.txt'), 'x\n');
      git(repo.root, 'add', 'unreviewed.txt');
      git(repo.root, 'commit', '-qm', 'unreviewed');
      assert.equal(push(repo.root, '--no-verify', 'origin', 'main').code, 0);
      await shutdown(live.pop()!);
      const s2 = spawnServer({ TORBIT_DATA_DIR: dataDir });
      live.push(s2);
      await initialize(s2, { workspaceFolders: [repo.root], trusted: true });
      const sha = git(repo.root, 'rev-parse', 'HEAD');
      let summaries: string[] = [];
      for (let i = 0; i < 50 && !summaries.some((x) => x.includes('without the review gate')); i++) {
        await new Promise((r) => setTimeout(r, 100));
        summaries = (await s2.conn.sendRequest<{ entries: { summary: string }[] }>(rpc.auditList.method, {})).entries.map((e) => e.summary);
      }
      assert.ok(summaries.includes(`refs/remotes/origin/main pushed to ${sha.slice(0, 12)} without the review gate (git push --no-verify)`), summaries.join('\n'));
      assert.equal(summaries.filter((x) => x.includes('without the review gate')).length, 1, 'the gated pushes are not reported');
    } finally {
      await stub.close();
    }
  });

  it('the push gate goes where core.hooksPath says', () => {
    const repo = reviewRepo({ commits: 1 });
    git(repo.root, 'config', 'core.hooksPath', '.githooks');
    const r = torbit(repo.root, ['review', 'install-gate', '--json'], { TORBIT_DATA_DIR: tmpDir('torbit-data-') });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { hook: path.join(repo.root, '.githooks', 'pre-push'), chained: null });
    assert.ok(!fs.existsSync(path.join(repo.root, '.git', 'hooks', 'pre-push')));
    assert.match(fs.readFileSync(path.join(repo.root, '.githooks', 'pre-push'), 'utf8'), /torbit-push-gate v1/);
    assert.ok((fs.statSync(path.join(repo.root, '.githooks', 'pre-push')).mode & 0o111) !== 0);
  });
});
