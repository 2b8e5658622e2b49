// "Torbit: Ship" over JSON-RPC against a spawned backend, a real git repository with a bare
// remote behind the installed push gate, and the OpenAI-compatible stub as the model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { rpc, type ShipResult } from '../../server/protocol';
import { textChunks, toolCallChunks } from '../stubs/openaiStub';
import { git } from '../support/reviewRepo';
import { stubbedBackends } from '../support/stubbed';
import { shipper } from '../support/shipper';
import { tmpDir } from '../support/tmp';

const verdict = (v: 'APPROVED' | 'BLOCKED', blockers: { file: string; line: number; severity: string; message: string }[] = []) =>
  ({ kind: 'stream' as const, chunks: textChunks(JSON.stringify({ verdict: v, summary: v === 'APPROVED' ? 'Looks right.' : 'Needs a fix.', blockers }), 3) });

const steps = (r: ShipResult) => r.steps.map((s) => `${s.attempt}:${s.step}:${s.state}`);

describe('Torbit: Ship (test, review, heal, review again, push) over JSON-RPC', function () {
  this.timeout(120_000);
  const fx = stubbedBackends();
  const { live } = fx;

  it('a blocked review gets one heal round (allowlisted files only, approved as usual), then tests and review pass and the push goes through the gate', async () => {
    const sh = await shipper(fx.stub, live);
    const { root } = sh.repo;
    await sh.chat.s.conn.sendRequest(rpc.reviewInstallGate.method, {});
    const marker = path.join(tmpDir('torbit-tests-'), 'runs');
    fx.stub.enqueue(
      verdict('BLOCKED', [
        { file: 'src/app.ts', line: 6, severity: 'error', message: 'this line must say it was fixed' },
        { file: 'docs/ünïcode.md', line: 1, severity: 'warning', message: 'a typo' },
      ]),
      // The heal round: an edit inside the allowlist, and a write outside it.
      { kind: 'stream', chunks: toolCallChunks([
        { id: 'call_fix', name: 'edit_file', args: { path: 'src/app.ts', oldText: 'changed in commit 0', newText: 'fixed in the heal round' } },
        { id: 'call_out', name: 'write_file', args: { path: 'docs/outside.md', content: 'not allowed\n' } },
      ], 3) },
      { kind: 'stream', chunks: textChunks('Fixed the line in src/app.ts.', 2) },
      verdict('APPROVED'),
    );
    const r = await sh.ship({ testCommand: `echo "tests ran" && echo run >> '${marker}'`, healPaths: ['src/**'], attempts: 2 });

    assert.equal(r.outcome, 'pushed', r.message);
    assert.deepEqual(steps(r), [
      '0:prepare:passed', '1:test:passed', '1:review:passed', '1:heal:passed',
      '2:test:passed', '2:review:passed', '2:finish:passed', '2:push:passed',
    ]);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'run\nrun\n', 'the tests ran before each review');
    assert.match(sh.output.join(''), /tests ran/);
    // Each step was announced before it ended.
    assert.deepEqual(sh.progress.filter((p) => p.state === 'running').map((p) => p.step), ['prepare', 'test', 'review', 'heal', 'test', 'review', 'finish', 'push']);
    assert.match(r.steps[2]!.message, /: BLOCKED, 2 blocker\(s\)$/);
    // Each review's verdict comes with the end of its step, so its blockers show while the run goes on.
    assert.deepEqual(sh.progress.filter((p) => p.review).map((p) => `${p.step}:${p.review!.review.verdict.verdict}:${p.review!.review.verdict.blockers.length}`), ['review:BLOCKED:2', 'review:APPROVED:0']);
    assert.ok(r.steps.every((x) => !x.review));

    // The heal: one approval (the edit); the write outside the allowlist was refused before anyone was asked.
    assert.deepEqual(sh.chat.approvals.map((a) => a.title), ['src/app.ts']);
    assert.equal(r.healSessions.length, 1);
    const heal = fx.stub.requests.filter((q) => q.method === 'POST')[1]!.body as { messages: { role: string; content: string }[]; tools: { function: { name: string } }[] };
    const said = heal.messages.map((m) => m.content).join('\n');
    assert.match(said, /- src\/app\.ts:6 \[error\] this line must say it was fixed/);
    assert.match(said, /files you may not change[^]*docs\/ünïcode\.md:1/);
    assert.match(said, /you may change only files matching "src\/\*\*"/i);
    assert.ok(!heal.tools.some((t) => t.function.name === 'run_command'), 'no command tool in a heal round');
    const healCommit = git(root, 'log', '--format=%H', '--grep', 'heal round 1', '-n', '1');
    assert.equal(git(root, 'show', '--name-only', '--format=', healCommit), 'src/app.ts', 'the heal commit holds exactly the fixed file');
    assert.match(fs.readFileSync(path.join(root, 'src/app.ts'), 'utf8'), /fixed in the heal round/);
    assert.ok(!fs.existsSync(path.join(root, 'docs/outside.md')));

    // The second review covered the heal; the finish recorded it; the gate let the push through.
    const review = r.review!.review;
    assert.equal(review.verdict.meta.range.to, healCommit);
    assert.equal(fs.readFileSync(path.join(root, '.torbit/LAST_REVIEWED_SHA'), 'utf8').trim(), healCommit);
    const head = git(root, 'rev-parse', 'HEAD');
    assert.deepEqual(r.pushed, { remote: 'origin', ref: 'refs/heads/main', sha: head });
    assert.equal(git(sh.remote, 'rev-parse', 'refs/heads/main'), head);
    assert.equal(git(root, 'status', '--porcelain', '--untracked-files=no'), '');

    const summaries = (await sh.chat.s.conn.sendRequest<{ entries: { summary: string }[] }>(rpc.auditList.method, {})).entries.map((e) => e.summary);
    const has = (re: RegExp) => assert.ok(summaries.some((s) => re.test(s)), `${re}\n${summaries.join('\n')}`);
    has(/^deny docs\/outside\.md: this run may change only files matching "src\/\*\*"/);
    has(new RegExp(`^Ship heal round 1: 1 file\\(s\\) fixed for review \\d+, committed as ${healCommit.slice(0, 12)}$`));
    has(new RegExp(`^push of refs/heads/main at ${head.slice(0, 12)} allowed \\(review ${review.id}\\)$`));
    has(/^Ship shipped: [0-9a-f]{12} is on origin refs\/heads\/main$/);

    // Shipping again with nothing new: no review, the tests still run, and the push is a no-op.
    const again = await sh.ship({ testCommand: 'true' });
    assert.equal(again.outcome, 'pushed', again.message);
    assert.deepEqual(steps(again), ['0:prepare:passed', '1:test:passed', '1:review:skipped', '1:push:passed']);
  });

  it('stops clearly at the first failure: failing tests, still blocked, blockers outside the allowlist, a simulated review, a dirty tree, no remote', async () => {
    const sh = await shipper(fx.stub, live);
    const { root } = sh.repo;
    const origin = git(sh.remote, 'rev-parse', 'refs/heads/main');

    const failing = await sh.ship({ testCommand: 'echo "1 test failed: expected 2, got 3" >&2; exit 3' });
    assert.deepEqual([failing.outcome, failing.failedStep], ['failed', 'test']);
    assert.match(failing.message, /^failed at test: echo .* failed \(exit 3\) in \d+\.\d s: 1 test failed: expected 2, got 3$/);
    assert.equal(fx.stub.requests.length, 0, 'no review after failing tests');

    fx.stub.enqueue(verdict('BLOCKED', [{ file: 'src/app.ts', line: 6, severity: 'error', message: 'wrong' }]));
    const blocked = await sh.ship({ testCommand: 'true', attempts: 1 });
    assert.deepEqual([blocked.outcome, blocked.failedStep], ['failed', 'review']);
    assert.match(blocked.message, /still BLOCKED after 1 attempt\(s\) \(torbit\.ship\.maxAttempts is 1\): 1 blocker\(s\) remain/);
    assert.deepEqual(blocked.review?.review.verdict.blockers.map((b) => b.file), ['src/app.ts'], 'the blockers come back to be shown');

    fx.stub.enqueue(verdict('BLOCKED', [{ file: 'docs/ünïcode.md', line: 1, severity: 'error', message: 'wrong' }]));
    const outside = await sh.ship({ testCommand: 'true', healPaths: ['src/**'] });
    assert.deepEqual([outside.outcome, outside.failedStep], ['failed', 'heal']);
    assert.match(outside.message, /every blocker is in a file the heal round may not change \(docs\/ünïcode\.md\)/);
    assert.equal(sh.chat.approvals.length, 0);

    fx.stub.enqueue(verdict('APPROVED'));
    const simulated = await sh.ship({ testCommand: 'true', model: 'openai-compatible:torbit-demo' });
    assert.deepEqual([simulated.outcome, simulated.failedStep], ['failed', 'review']);
    assert.match(simulated.message, /simulated model .* can never pass the gate/);

    fs.appendFileSync(path.join(root, 'src/app.ts'), 'uncommitted\n');
    const dirty = await sh.ship({ testCommand: 'true' });
    assert.deepEqual([dirty.outcome, dirty.failedStep], ['failed', 'prepare']);
    assert.match(dirty.message, /1 tracked file\(s\) have uncommitted changes \(src\/app\.ts\)/);
    git(root, 'checkout', '--', 'src/app.ts');

    git(root, 'remote', 'remove', 'origin');
    const noRemote = await sh.ship({ testCommand: 'true' });
    assert.match(noRemote.message, /^failed at prepare: this repository has no remote to push to/);

    // Nothing was pushed or finished along the way, and every run is in the audit log.
    assert.equal(git(sh.remote, 'rev-parse', 'refs/heads/main'), origin);
    assert.equal(fs.readFileSync(path.join(root, '.torbit/LAST_REVIEWED_SHA'), 'utf8').trim(), sh.repo.base);
    const summaries = (await sh.chat.s.conn.sendRequest<{ entries: { summary: string }[] }>(rpc.auditList.method, {})).entries.map((e) => e.summary);
    assert.equal(summaries.filter((s) => s.startsWith('Ship failed at ')).length, 6, summaries.join('\n'));
  });

  it('a push the remote refuses fails the push step; cancelling stops the running test command', async () => {
    const sh = await shipper(fx.stub, live);
    // The remote already moved on: the push is not a fast-forward.
    const other = path.join(tmpDir('torbit-other-'), 'clone');
    git(sh.repo.root, 'clone', '-q', '-b', 'main', sh.remote, other);
    fs.writeFileSync(path.join(other, 'theirs.txt'), 'x\n');
    git(other, 'add', '.');
    git(other, '-c', 'user.name=o', '-c', 'user.email=o@example.invalid', 'commit', '-qm', 'theirs');
    git(other, 'push', '-q', 'origin', 'HEAD:main');
    fx.stub.enqueue(verdict('APPROVED'));
    const rejected = await sh.ship({ testCommand: 'true' });
    assert.deepEqual([rejected.outcome, rejected.failedStep], ['failed', 'push']);
    assert.match(rejected.message, /git push to origin failed \(exit 1\): .*(rejected|non-fast-forward|fetch first)/);

    const cancel = new CancellationTokenSource();
    const started = Date.now();
    const run = sh.ship({ testCommand: 'echo started; sleep 30' }, cancel);
    for (let i = 0; i < 200 && !sh.output.join('').includes('started'); i++) await new Promise((r) => setTimeout(r, 25));
    cancel.cancel();
    const stopped = await run;
    assert.deepEqual([stopped.outcome, stopped.failedStep], ['canceled', 'test']);
    assert.ok(Date.now() - started < 15_000, 'the command was killed, not waited for');
    // And the next run may start.
    const next = await sh.ship({ testCommand: 'exit 1' });
    assert.equal(next.failedStep, 'test');
  });
});
