import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RestoreRefused } from '../../server/checkpoints/service';
import { ShadowRepo } from '../../server/checkpoints/shadowRepo';
import { harness } from '../support/checkpointHarness';
import { fsState } from '../support/fsState';
import { gitRepo, tmpDir } from '../support/tmp';

const w = (ws: string, rel: string, data: string | Buffer, mode?: number) => {
  fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  fs.writeFileSync(path.join(ws, rel), data, mode ? { mode } : {});
};
const git = (cwd: string, ...a: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t', ...a], { cwd, encoding: 'utf8' });
/** The data directory lives inside the workspace by default; the states below leave it out. */
const DATA = '.torbit-data';
const state = (ws: string) => fsState(ws, [DATA]);

async function refusal(p: Promise<unknown>): Promise<RestoreRefused> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RestoreRefused) return err;
    throw err;
  }
  assert.fail('the restore went ahead');
}

describe('checkpoints: take, preview and restore', () => {
  it('restores files created, modified, deleted and renamed, binaries, the executable bit, empty folders and symlinks; leaves ignored files alone', async () => {
    const ws = gitRepo();
    w(ws, '.gitignore', 'build/\n*.log\n.vscode/\n');
    w(ws, 'src/a.ts', 'one\n');
    w(ws, 'old-name.txt', 'moving\n');
    w(ws, 'doomed.txt', 'bye\n');
    w(ws, 'bin.dat', Buffer.from([0, 1, 2, 255, 0]));
    w(ws, 'run.sh', '#!/bin/sh\n', 0o755);
    fs.symlinkSync('src/a.ts', path.join(ws, 'link'));
    fs.mkdirSync(path.join(ws, 'empty/inner'), { recursive: true });
    w(ws, 'build/out.js', 'ignored\n');
    w(ws, 'debug.log', 'ignored too\n');
    w(ws, '.vscode/settings.json', '{ "torbit.environment": "dev" }\n');
    const h = await harness([ws], { dataDir: path.join(ws, DATA) });
    const cp = await h.cps.create({ label: 'start' });
    const before = state(ws);

    w(ws, 'src/a.ts', 'two\n');
    w(ws, 'src/new.ts', 'created\n');
    fs.rmSync(path.join(ws, 'doomed.txt'));
    fs.renameSync(path.join(ws, 'old-name.txt'), path.join(ws, 'new-name.txt'));
    w(ws, 'bin.dat', Buffer.from([9, 9, 0]));
    fs.chmodSync(path.join(ws, 'run.sh'), 0o644);
    fs.rmSync(path.join(ws, 'link'));
    fs.symlinkSync('bin.dat', path.join(ws, 'link'));
    fs.rmSync(path.join(ws, 'empty'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'later/deeper'), { recursive: true });
    w(ws, 'build/out.js', 'rebuilt\n');
    w(ws, '.vscode/settings.json', '{ "torbit.environment": "production" }\n');

    const preview = await h.cps.preview(cp.id, 'files');
    assert.deepEqual(preview.files.map((f) => `${f.action} ${f.path}`).sort(), [
      'create doomed.txt', 'create old-name.txt', 'delete new-name.txt', 'delete src/new.ts',
      'modify .vscode/settings.json', 'modify bin.dat', 'modify link', 'modify run.sh', 'modify src/a.ts',
    ]);
    assert.deepEqual(preview.folders, { create: [path.join(ws, 'empty/inner')], remove: [path.join(ws, 'later/deeper')] });
    assert.equal(state(ws)['src/new.ts'] !== undefined, true, 'a preview changes nothing');
    // Everything changed outside a turn (no turn ran): the person confirms all of it.
    const all = preview.userWork.map((u) => path.join(u.folder, u.path));
    assert.equal(all.length, preview.files.length);
    await h.cps.restore({ checkpointId: cp.id, mode: 'files', confirmUserWork: all });
    const after = state(ws);
    assert.equal(after['build/out.js'], `-:${Buffer.from('rebuilt\n').toString('base64')}`, 'an ignored file is neither in a checkpoint nor restored');
    delete after['build/out.js'];
    const expected = { ...before };
    delete expected['build/out.js'];
    assert.deepEqual(after, expected);
    await h.close();
  });

  it('records files above the size limit by hash and size only, and says it cannot bring them back', async () => {
    const ws = gitRepo();
    const big = crypto.randomBytes(4096);
    w(ws, 'big.bin', big);
    w(ws, 'small.txt', 'small\n');
    const h = await harness([ws], { dataDir: path.join(ws, DATA), maxFileBytes: 1024 });
    const cp = await h.cps.create();
    const got = await h.cps.store.get(cp.id);
    assert.deepEqual(got!.record.manifest.folders[0]!.large.map((l) => [l.path, l.size]), [['big.bin', 4096]]);
    const shadow = fs.readdirSync(path.join(ws, DATA, 'checkpoints')).filter((f) => f.endsWith('.git')).map((f) => path.join(ws, DATA, 'checkpoints', f));
    const oid = execFileSync('git', ['hash-object', path.join(ws, 'big.bin')], { encoding: 'utf8' }).trim();
    assert.throws(() => execFileSync('git', ['--git-dir', shadow[0]!, 'cat-file', '-e', oid], { stdio: 'ignore' }), 'the big file is not stored');
    assert.equal(got!.record.manifest.folders[0]!.large[0]!.sha256, crypto.createHash('sha256').update(big).digest('hex'));
    assert.deepEqual(await h.cps.file(cp.id, ws, 'big.bin'), { content: null, note: 'big.bin was 4096 bytes, over the size limit: only its hash was recorded' });
    w(ws, 'big.bin', Buffer.alloc(4096, 2));
    w(ws, 'small.txt', 'changed\n');
    const preview = await h.cps.preview(cp.id, 'files');
    assert.deepEqual(preview.unrestorable.map((u) => u.path), ['big.bin']);
    await h.cps.restore({ checkpointId: cp.id, mode: 'files', confirmUserWork: preview.userWork.map((u) => path.join(u.folder, u.path)) });
    assert.equal(fs.readFileSync(path.join(ws, 'small.txt'), 'utf8'), 'small\n');
    assert.equal(fs.readFileSync(path.join(ws, 'big.bin'))[0], 2, 'left as it is');
    await h.close();
  });

  it('restores a turn\'s own changes without asking, but lists work done outside the turns and needs it confirmed', async () => {
    const ws = gitRepo();
    w(ws, 'a.txt', 'a0\n');
    w(ws, 'b.txt', 'b0\n');
    const h = await harness([ws], { dataDir: path.join(ws, DATA) });
    const s = await h.chat.createSession('s', 'test:model');
    const t1 = await h.turn(s, 'edit a', () => w(ws, 'a.txt', 'a1 by torbit\n'));
    const beforeT1 = await h.cps.forTurn(t1);
    assert.equal(beforeT1?.kind, 'before-turn');
    // Without anyone else's work, the turn is undone at once.
    const p1 = await h.cps.preview(beforeT1.id);
    assert.deepEqual([p1.files.map((f) => f.path), p1.userWork], [['a.txt'], []]);
    assert.deepEqual(p1.conversation, { sessionId: s, keep: 0, hide: 1, bringBack: 0 });

    w(ws, 'b.txt', 'b1 by the person\n');
    w(ws, 'c.txt', 'new by the person\n');
    const p2 = await h.cps.preview(beforeT1.id);
    assert.deepEqual(p2.userWork.map((u) => `${u.action} ${u.path}`).sort(), ['delete c.txt', 'modify b.txt']);
    const refused = await refusal(h.cps.restore({ checkpointId: beforeT1.id }));
    assert.match(refused.message, /2 file\(s\) were changed outside Torbit's turns since checkpoint \d+.*b\.txt, c\.txt.*Confirm/);
    assert.equal(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'a1 by torbit\n', 'a refusal changes nothing');
    assert.equal((await h.chat.transcript(s)).length, 1);
    await refusal(h.cps.restore({ checkpointId: beforeT1.id, confirmUserWork: [path.join(ws, 'b.txt')] }));

    const res = await h.cps.restore({ checkpointId: beforeT1.id, confirmUserWork: p2.userWork.map((u) => path.join(u.folder, u.path)) });
    assert.deepEqual([res.written, res.removed], [2, 1]);
    assert.deepEqual(state(ws), { 'a.txt': `-:${Buffer.from('a0\n').toString('base64')}`, 'b.txt': `-:${Buffer.from('b0\n').toString('base64')}` });
    assert.equal((await h.chat.transcript(s)).length, 0, 'the turn left the conversation');
    assert.deepEqual(await h.chat.messages(s), []);

    // The restore is itself undone by restoring the checkpoint it took first.
    const back = await h.cps.preview(res.backupCheckpointId);
    assert.deepEqual(back.userWork, [], 'the restore\'s own changes are Torbit\'s');
    await h.cps.restore({ checkpointId: res.backupCheckpointId });
    assert.equal(fs.readFileSync(path.join(ws, 'c.txt'), 'utf8'), 'new by the person\n');
    assert.equal((await h.chat.transcript(s)).length, 1, 'and the turn is back');
    await h.close();
  });

  it('restores files only, the conversation only, or both', async () => {
    const ws = gitRepo();
    w(ws, 'f.txt', '0\n');
    const h = await harness([ws], { dataDir: path.join(ws, DATA) });
    const s = await h.chat.createSession('s', 'test:model');
    await h.turn(s, 'one', () => w(ws, 'f.txt', '1\n'));
    const t2 = await h.turn(s, 'two', () => w(ws, 'f.txt', '2\n'));
    const cp = (await h.cps.forTurn(t2))!;
    const usage = async () => (await h.chat.sessionUsage(s));
    await h.chat.addUsage(s, t2, 0, 'test:model', { inputTokens: 10, outputTokens: 5, costUsd: 0.5 });

    await h.cps.restore({ checkpointId: cp.id, mode: 'conversation' });
    assert.equal(fs.readFileSync(path.join(ws, 'f.txt'), 'utf8'), '2\n', 'files untouched');
    assert.deepEqual((await h.chat.transcript(s)).map((t) => t.userText), ['one']);
    assert.deepEqual(await usage(), { inputTokens: 0, outputTokens: 0, costUsd: 0 }, 'the usage of a turn taken out goes with it');

    const back = (await h.cps.list({ limit: 1 }))[0]!;
    assert.equal(back.kind, 'after-rollback');
    const undo = (await h.cps.list()).find((c) => c.kind === 'before-rollback')!;
    await h.cps.restore({ checkpointId: undo.id, mode: 'conversation' });
    assert.deepEqual((await h.chat.transcript(s)).map((t) => t.userText), ['one', 'two']);

    await h.cps.restore({ checkpointId: cp.id, mode: 'files' });
    assert.equal(fs.readFileSync(path.join(ws, 'f.txt'), 'utf8'), '1\n');
    assert.deepEqual((await h.chat.transcript(s)).map((t) => t.userText), ['one', 'two'], 'conversation untouched');
    await h.close();
  });

  it('refuses when the user\'s HEAD moved since the checkpoint, unless confirmed', async () => {
    const ws = gitRepo();
    w(ws, 'f.txt', 'v1\n');
    git(ws, 'add', '.');
    git(ws, 'commit', '-qm', 'one');
    const h = await harness([ws], { dataDir: path.join(ws, DATA) });
    const cp = await h.cps.create();
    w(ws, 'f.txt', 'v2\n');
    git(ws, 'commit', '-qam', 'two');
    const r = await refusal(h.cps.restore({ checkpointId: cp.id, confirmUserWork: [path.join(ws, 'f.txt')] }));
    assert.match(r.message, /HEAD of .* moved since checkpoint \d+ \(then [0-9a-f]{12} \(main\), now [0-9a-f]{12} \(main\)\).*Confirm/);
    assert.equal(fs.readFileSync(path.join(ws, 'f.txt'), 'utf8'), 'v2\n');
    await h.cps.restore({ checkpointId: cp.id, confirmUserWork: [path.join(ws, 'f.txt')], confirmHeadMoved: true });
    assert.equal(fs.readFileSync(path.join(ws, 'f.txt'), 'utf8'), 'v1\n');
    assert.match(git(ws, 'log', '--format=%s'), /^two\none\n$/, 'the user\'s history is untouched');
    await h.close();
  });

  it('covers nested repositories and every folder of a multi-root workspace, without renaming anything', async () => {
    const a = gitRepo();
    const b = tmpDir('torbit-plain-'); // not a repository at all
    w(a, 'top.txt', 'top\n');
    w(a, 'vendor/lib/lib.js', 'lib v1\n');
    execFileSync('git', ['init', '-q'], { cwd: path.join(a, 'vendor/lib') });
    w(a, 'vendor/lib/.gitignore', 'dist/\n');
    w(a, 'vendor/lib/dist/x.js', 'ignored by the nested repo\n');
    w(b, 'b.txt', 'b1\n');
    w(b, '.gitignore', 'tmp/\n');
    w(b, 'tmp/scratch', 'ignored\n');
    const dataDir = tmpDir('torbit-data-');
    const h = await harness([a, b], { dataDir });
    const cp = await h.cps.create();
    const m = (await h.cps.store.get(cp.id))!.record.manifest;
    assert.deepEqual(m.folders.map((f) => [f.folder, f.files]), [[a, 3], [b, 2]]);
    const before = [fsState(a), fsState(b)];
    w(a, 'vendor/lib/lib.js', 'lib v2\n');
    w(b, 'b.txt', 'b2\n');
    w(b, 'tmp/scratch', 'still ignored\n');
    const p = await h.cps.preview(cp.id, 'files');
    assert.deepEqual(p.files.map((f) => [f.folder, f.path]), [[a, 'vendor/lib/lib.js'], [b, 'b.txt']]);
    await h.cps.restore({ checkpointId: cp.id, mode: 'files', confirmUserWork: p.userWork.map((u) => path.join(u.folder, u.path)) });
    const afterB = fsState(b);
    assert.equal(afterB['tmp/scratch'], `-:${Buffer.from('still ignored\n').toString('base64')}`);
    afterB['tmp/scratch'] = before[1]!['tmp/scratch']!;
    assert.deepEqual([fsState(a), afterB], before);
    assert.ok(fs.existsSync(path.join(a, 'vendor/lib/.git')), 'the nested repository is still a repository');
    await h.close();
  });

  it('audits every checkpoint and rollback, and a rollback never removes audit records', async () => {
    const ws = gitRepo();
    w(ws, 'f.txt', '0\n');
    const h = await harness([ws], { dataDir: path.join(ws, DATA) });
    const s = await h.chat.createSession('s', 'test:model');
    const t = await h.turn(s, 'one', () => w(ws, 'f.txt', '1\n'));
    await h.audit.append({ kind: 'note', actor: 'system', sessionId: s, turnId: t, data: { text: 'during the turn' } });
    const count = (await h.audit.records()).length;
    const res = await h.cps.restore({ checkpointId: (await h.cps.forTurn(t))!.id });
    const recs = (await h.audit.records()).map((r) => JSON.parse(r.body) as { kind: string; actor: string; data: Record<string, unknown> });
    assert.ok(recs.length > count);
    assert.deepEqual(recs.filter((r) => r.kind === 'checkpoint').map((r) => r.data.checkpoint), ['before-turn', 'after-turn', 'before-rollback']);
    const rb = recs.find((r) => r.kind === 'rollback')!;
    assert.deepEqual([rb.actor, rb.data.rollbackId, rb.data.mode, rb.data.written], ['user', res.rollbackId, 'both', 1]);
    assert.ok(recs.some((r) => r.kind === 'note'), 'the turn\'s records stay');
    assert.equal((await h.audit.verify()).ok, true);
    await h.close();
  });

  it('an incremental snapshot from the change feed equals a full scan', async () => {
    const ws = gitRepo();
    w(ws, '.gitignore', '*.log\n');
    for (let i = 0; i < 30; i++) w(ws, `d${i % 3}/f${i}.txt`, `${i}\n`);
    fs.mkdirSync(path.join(ws, 'keep-empty'));
    const h = await harness([ws], { dataDir: path.join(ws, DATA), watching: true });
    await h.cps.create();
    const s = await h.chat.createSession('s', 'test:model');
    const changed = ['d0/f0.txt', 'd1/f1.txt', 'd2/new.txt', 'noise.log', 'd1/f4.txt'];
    await h.turn(s, 'edit', () => {
      w(ws, 'd0/f0.txt', 'changed\n');
      fs.chmodSync(path.join(ws, 'd1/f1.txt'), 0o755);
      w(ws, 'd2/new.txt', 'new\n');
      w(ws, 'noise.log', 'ignored\n');
      fs.rmSync(path.join(ws, 'd1/f4.txt'));
    }, { touched: changed.map((c) => path.join(ws, c)) });
    const list = await h.cps.list({ limit: 1 });
    const fast = (await h.cps.store.get(list[0]!.id))!.record.manifest.folders[0]!;
    h.feed.setWatching(false); // the next one must scan
    const full = (await h.cps.store.get((await h.cps.create()).id))!.record.manifest.folders[0]!;
    assert.deepEqual([fast.tree, fast.emptyDirs, fast.files], [full.tree, full.emptyDirs, full.files]);
    assert.deepEqual(full.emptyDirs, ['keep-empty']);
    await h.close();
  });

  it('an incremental snapshot of new, deleted, nested, ignored, executable and symlinked files equals a full scan', async () => {
    const ws = gitRepo();
    w(ws, '.gitignore', '*.log\n');
    for (let i = 0; i < 12; i++) w(ws, `d${i % 3}/f${i}.txt`, `${i}\n`);
    const h = await harness([ws], { dataDir: path.join(ws, DATA), watching: true });
    await h.cps.create();
    const s = await h.chat.createSession('s', 'test:model');
    const update = ShadowRepo.prototype.update;
    let incremental = 0;
    ShadowRepo.prototype.update = function (...a) {
      incremental++;
      return update.apply(this, a);
    };
    try {
      const changed = ['d0/f0.txt', 'd1/f1.txt', 'd2/f2.txt', 'd0/f3.txt', 'new/deeper/n.txt', 'noise.log', 'new/deeper/x.log', 'd1/link'];
      await h.turn(s, 'edit', () => {
        w(ws, 'd0/f0.txt', 'changed\n');
        fs.chmodSync(path.join(ws, 'd1/f1.txt'), 0o755);
        fs.rmSync(path.join(ws, 'd2/f2.txt'));
        fs.rmSync(path.join(ws, 'd0/f3.txt'));
        w(ws, 'new/deeper/n.txt', 'new\n');
        w(ws, 'noise.log', 'ignored\n');
        w(ws, 'new/deeper/x.log', 'ignored too\n');
        fs.symlinkSync('../d0/f0.txt', path.join(ws, 'd1/link'));
      }, { touched: changed.map((c) => path.join(ws, c)) });
      assert.equal(incremental, 2, 'the turn\'s two checkpoints built on the last snapshot');
    } finally {
      ShadowRepo.prototype.update = update;
    }
    const fast = (await h.cps.store.get((await h.cps.list({ limit: 1 }))[0]!.id))!.record.manifest.folders[0]!;
    h.feed.setWatching(false);
    const full = (await h.cps.store.get((await h.cps.create()).id))!.record.manifest.folders[0]!;
    assert.deepEqual([fast.tree, fast.files, fast.emptyDirs, fast.head], [full.tree, full.files, full.emptyDirs, full.head]);
    assert.equal(fast.files, 13);
    await h.close();
  });

  it('reads the user\'s HEAD as git does: unborn, a loose or a packed branch, detached, a worktree', async () => {
    const ws = gitRepo();
    const h = await harness([ws], { dataDir: tmpDir('torbit-data-') });
    const head = async () => (await h.cps.store.get((await h.cps.create()).id))!.record.manifest.folders[0]!.head;
    const gitHead = () => ({ sha: git(ws, 'rev-parse', 'HEAD').trim(), ref: git(ws, 'rev-parse', '--symbolic-full-name', 'HEAD').trim().replace(/^HEAD$/, '') || null });
    assert.equal(await head(), null, 'no commit yet');
    w(ws, 'f.txt', '1\n');
    git(ws, 'add', '.');
    git(ws, 'commit', '-qm', 'one');
    assert.deepEqual(await head(), { sha: gitHead().sha, ref: 'refs/heads/main' });
    git(ws, 'pack-refs', '--all');
    assert.equal(fs.existsSync(path.join(ws, '.git/refs/heads/main')), false);
    assert.deepEqual(await head(), gitHead());
    git(ws, 'checkout', '-q', '--detach');
    assert.deepEqual(await head(), { sha: gitHead().sha, ref: null });
    git(ws, 'checkout', '-q', '-b', 'other');
    git(ws, 'commit', '-q', '--allow-empty', '-m', 'two');
    assert.deepEqual(await head(), { sha: gitHead().sha, ref: 'refs/heads/other' });
    await h.close();
    const wt = path.join(tmpDir('torbit-wt-'), 'wt');
    git(ws, 'worktree', 'add', '-q', wt, 'main');
    const h2 = await harness([wt], { dataDir: tmpDir('torbit-data-') });
    const m = (await h2.cps.store.get((await h2.cps.create()).id))!.record.manifest.folders[0]!;
    assert.deepEqual(m.head, { sha: git(wt, 'rev-parse', 'HEAD').trim(), ref: 'refs/heads/main' });
    await h2.close();
  });
});
