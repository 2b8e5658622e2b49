import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointView, ReplayReport, RestorePreview, RestoreResult, rpc } from '../../server/protocol';
import { openStore } from '../../server/store/open';
import { AuditLog } from '../../server/audit/log';
import { torbit as runCli } from '../support/cli';
import { fsState } from '../support/fsState';
import { openRpcChat } from '../support/rpcChat';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { gitRepo } from '../support/tmp';
import { startOpenAIStub, textChunks, toolCallChunks } from '../stubs/openaiStub';

// The data directory inside each test workspace (relative: taken from the workspace), so the crash
// test's copy of the workspace carries its database along.
const DATA = '.torbit-data';
const torbit = (cwd: string, args: string[]) => runCli(cwd, args, { TORBIT_DATA_DIR: DATA });
const state = (ws: string) => fsState(ws, [DATA]);

describe('checkpoints from the CLI and over JSON-RPC', function () {
  this.timeout(120_000);
  const live: Spawned[] = [];
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('torbit checkpoint create, list and restore: a preview first, user work needs --yes, and the restore can be undone', () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'app.json'), '{ "expo": { "name": "a" } }\n');
    fs.writeFileSync(path.join(ws, 'notes.txt'), 'first\n');
    const c = torbit(ws, ['checkpoint', 'create', '--label', 'start', '--json']);
    assert.equal(c.code, 0, c.err);
    const cp = CheckpointView.parse(JSON.parse(c.out));
    assert.deepEqual([cp.kind, cp.label, cp.files], ['manual', 'start', 2]);
    const before = state(ws);
    fs.writeFileSync(path.join(ws, 'app.json'), '{ "expo": { "name": "b" } }\n');
    fs.writeFileSync(path.join(ws, 'extra.txt'), 'mine\n');

    const no = torbit(ws, ['checkpoint', 'restore', String(cp.id)]);
    assert.equal(no.code, 7, no.err);
    assert.match(no.err, /modify app\.json {3}<- changed outside Torbit's turns/);
    assert.match(no.err, /delete extra\.txt/);
    assert.match(no.err.trimEnd().split('\n').at(-1)!, /^torbit: 2 file\(s\) were changed outside Torbit's turns since checkpoint \d+: nothing was changed; run again with --yes/);
    assert.equal(fs.readFileSync(path.join(ws, 'extra.txt'), 'utf8'), 'mine\n');

    const yes = torbit(ws, ['checkpoint', 'restore', String(cp.id), '--yes', '--mode', 'files', '--json']);
    assert.equal(yes.code, 0, yes.err);
    const r = RestoreResult.parse(JSON.parse(yes.out));
    assert.deepEqual(state(ws), before);
    const list = torbit(ws, ['checkpoint', 'list', '--json']);
    assert.deepEqual(CheckpointView.array().parse(JSON.parse(list.out)).map((x) => x.kind), ['after-rollback', 'before-rollback', 'manual']);
    assert.match(torbit(ws, ['checkpoint', 'list']).out, /manual +2 file\(s\) +start/);
    // Undo: the checkpoint the restore took of what it replaced. Its own changes need no confirmation.
    const undo = torbit(ws, ['checkpoint', 'restore', String(r.backupCheckpointId)]);
    assert.equal(undo.code, 0, undo.err);
    assert.equal(fs.readFileSync(path.join(ws, 'extra.txt'), 'utf8'), 'mine\n');
    assert.equal(torbit(ws, ['checkpoint', 'restore', '999']).code, 2);
    assert.equal(torbit(ws, ['checkpoint', 'restore', String(cp.id), '--mode', 'sideways']).code, 2);
    const verify = torbit(ws, ['audit', 'verify', '--json']);
    assert.equal(verify.code, 0, verify.err);
  });

  it('a chat turn gets checkpoints before its first change and after it; Restore on the turn over JSON-RPC brings the file back', async () => {
    const stub = await startOpenAIStub();
    try {
      const ws = gitRepo();
      fs.writeFileSync(path.join(ws, 'a.txt'), 'original\n');
      const chat = await openRpcChat({ ws, baseURL: stub.baseURL, env: { TORBIT_DATA_DIR: DATA } }, live);
      const changed: unknown[] = [];
      chat.s.conn.onNotification(rpc.checkpointChanged.method, (p: unknown) => { changed.push(rpc.checkpointChanged.params.parse(p)); });
      stub.enqueue(
        { kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'a.txt', content: 'rewritten\n' } }], 2) },
        { kind: 'stream', chunks: textChunks('done', 1) },
      );
      const { sessionId, turnId } = await chat.send('rewrite a');
      assert.equal((await chat.turnEnd(turnId)).status, 'done');
      assert.equal(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'rewritten\n');
      const list = (await chat.s.conn.sendRequest<{ checkpoints: CheckpointView[] }>(rpc.checkpointList.method, { sessionId })).checkpoints;
      assert.deepEqual(list.map((c) => [c.kind, c.turnId, c.turnTitle, c.turns]), [['after-turn', turnId, 'rewrite a', 1], ['before-turn', turnId, 'rewrite a', 0]]);
      assert.deepEqual(changed.length, 2, 'the extension hears of each checkpoint');
      // The turn replays from its checkpoint: over JSON-RPC (the command) and with the CLI.
      const replay = ReplayReport.parse(await chat.s.conn.sendRequest(rpc.replayTurn.method, { turnId, mode: 'deterministic' }));
      assert.deepEqual([replay.same, replay.toolCalls.map((c) => [c.tool, c.same]), replay.files], [true, [['write_file', true]], []]);
      const cli = torbit(ws, ['replay', `${sessionId.slice(0, 8)}:1`]);
      assert.equal(cli.code, 0, cli.err);
      assert.match(cli.out, /same {5}write_file w: ok: /);
      assert.match(cli.out, /The replay reproduces the turn\./);
      assert.equal(torbit(ws, ['replay', 'nope:1']).code, 2);
      const { checkpoint } = await chat.s.conn.sendRequest<{ checkpoint: CheckpointView }>(rpc.checkpointForTurn.method, { turnId });
      assert.equal(checkpoint.kind, 'before-turn');
      const file = await chat.s.conn.sendRequest(rpc.checkpointFile.method, { checkpointId: checkpoint.id, folder: ws, path: 'a.txt' });
      assert.deepEqual(file, { content: 'original\n' });
      const preview = RestorePreview.parse(await chat.s.conn.sendRequest(rpc.checkpointPreview.method, { checkpointId: checkpoint.id, mode: 'both' }));
      assert.deepEqual([preview.files, preview.userWork, preview.conversation], [[{ folder: ws, path: 'a.txt', action: 'modify' }], [], { sessionId, keep: 0, hide: 1, bringBack: 0 }]);
      const r = RestoreResult.parse(await chat.s.conn.sendRequest(rpc.checkpointRestore.method, { checkpointId: checkpoint.id, mode: 'both' }));
      assert.equal(r.written, 1);
      assert.equal(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'original\n');
      const got = await chat.s.conn.sendRequest<{ turns: unknown[] }>(rpc.sessionGet.method, { sessionId });
      assert.equal(got.turns.length, 0, 'the turn left the conversation');
      // A refusal is an error the extension can show, with the preview attached; nothing changes.
      fs.writeFileSync(path.join(ws, 'a.txt'), 'edited by hand\n');
      await assert.rejects(chat.s.conn.sendRequest(rpc.checkpointRestore.method, { checkpointId: r.backupCheckpointId }),
        (e: { message: string; data?: { preview?: unknown } }) => /changed outside Torbit's turns/.test(e.message) && RestorePreview.safeParse(e.data?.preview).success);
      assert.equal(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'edited by hand\n');
    } finally {
      await stub.close();
    }
  });

  it('kill -9 at random points of a rollback, 20 times: the next start leaves the workspace as before or after, never half, and the database consistent', async function () {
    // Twenty backends start, each killed mid-rollback: about a minute on an idle 2-core machine,
    // more on a busy one. The limit only stops a hung run; it does not measure anything.
    this.timeout(300_000);
    const ws = gitRepo();
    const template = `${ws}.template`;
    const N = 600;
    for (let i = 0; i < N; i++) {
      fs.mkdirSync(path.join(ws, `d${i % 20}`), { recursive: true });
      fs.writeFileSync(path.join(ws, `d${i % 20}/f${i}.txt`), `${i} `.repeat(400 + (i % 50)));
    }
    const init = { workspaceFolders: [ws], trusted: true };
    const start = async () => {
      const s = spawnServer({ TORBIT_DATA_DIR: DATA });
      live.push(s);
      await initialize(s, init);
      return s;
    };
    let s = await start();
    const target = CheckpointView.parse(await s.conn.sendRequest(rpc.checkpointCreate.method, { label: 'target' }));
    // Then a workspace that differs in every way a rollback undoes.
    for (let i = 0; i < N; i++) {
      const f = path.join(ws, `d${i % 20}/f${i}.txt`);
      if (i % 7 === 0) fs.rmSync(f);
      else fs.writeFileSync(f, `changed ${i}\n`);
    }
    for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(ws, `d${i % 20}/new${i}.txt`), `new ${i}\n`);
    await shutdown(s);
    live.length = 0;
    const stateBefore = state(ws);
    fs.cpSync(ws, template, { recursive: true });
    const fresh = () => { fs.rmSync(ws, { recursive: true, force: true }); fs.cpSync(template, ws, { recursive: true }); };

    const restore = async (srv: Spawned) => {
      const p = RestorePreview.parse(await srv.conn.sendRequest(rpc.checkpointPreview.method, { checkpointId: target.id, mode: 'files' }));
      return srv.conn.sendRequest(rpc.checkpointRestore.method, { checkpointId: target.id, mode: 'files', confirmUserWork: p.userWork.map((u) => path.join(u.folder, u.path)) });
    };
    // One uninterrupted run: the state after, and how long a rollback takes here.
    const journalFile = path.join(ws, DATA, 'checkpoints', 'rollback-journal.json');
    // Polls for the journal until it shows, or until the restore has ended without our seeing it (a
    // starved test process can sleep through the whole journal window: the kill then lands after).
    const journalSeen = async (restoring?: Promise<unknown>) => {
      let ended = false;
      void restoring?.finally(() => { ended = true; });
      while (!fs.existsSync(journalFile) && !ended) await new Promise((r) => setTimeout(r, 2));
      return Date.now();
    };
    s = await start();
    const t0 = Date.now();
    const restored = restore(s);
    const seen = journalSeen(restored);
    await restored;
    const duration = Date.now() - t0;
    // The part after the journal is written: where files change.
    const applyMs = Math.max(5, Date.now() - (await Promise.race([seen, Promise.resolve(t0)])));
    const stateAfter = state(ws);
    await shutdown(s);
    live.length = 0;
    assert.notDeepEqual(stateAfter, stateBefore);

    const outcomes = { before: 0, after: 0, completedOnRestart: 0 };
    for (let run = 0; run < 20; run++) {
      fresh();
      s = await start();
      // The answer may never come: the process is killed under it.
      const restoring = restore(s).catch(() => undefined);
      // Half the runs anywhere from the preview to the end; half while files are being changed.
      if (run % 2 === 0) await new Promise((r) => setTimeout(r, Math.random() * duration * 1.1));
      // (Within the first half of the measured window: on a busy machine the kill itself lands late.)
      else { await journalSeen(restoring); await new Promise((r) => setTimeout(r, Math.random() * applyMs * 0.5)); }
      s.child.kill('SIGKILL');
      await s.exited;
      s.conn.dispose();
      live.length = 0;
      const journal = fs.existsSync(journalFile);
      // The next start finishes (or never began) the rollback.
      s = await start();
      const now = state(ws);
      const which = JSON.stringify(now) === JSON.stringify(stateBefore) ? 'before' : JSON.stringify(now) === JSON.stringify(stateAfter) ? 'after' : 'half';
      if (which === 'half') assert.fail(`run ${run}: the workspace is half restored`);
      outcomes[which]++;
      if (journal) outcomes.completedOnRestart++;
      assert.ok(!fs.existsSync(path.join(ws, DATA, 'checkpoints', 'rollback-journal.json')), 'no journal is left');
      await shutdown(s);
      live.length = 0;
      const { db } = await openStore(path.join(ws, DATA, 'torbit.db'), { mode: 'migrate' });
      try {
        assert.equal((await db.get<{ integrity_check: string }>('PRAGMA integrity_check'))?.integrity_check, 'ok');
        const rollbacks = (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM rollbacks'))!.n;
        const audited = (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit WHERE kind = 'rollback'"))!.n;
        assert.deepEqual([rollbacks, audited], which === 'after' ? [1, 1] : [0, 0], `run ${run} (${which}): one rollback recorded and audited exactly when it happened`);
        assert.equal((await new AuditLog(db).verify()).ok, true);
      } finally {
        await db.close();
      }
    }
    process.stdout.write(`      rollback ${duration} ms (${applyMs} ms after its journal); 20 kills: ${outcomes.before} before, ${outcomes.after} after (${outcomes.completedOnRestart} completed on restart from the journal)\n`);
    assert.ok(outcomes.completedOnRestart >= 5, 'kills landed inside the rollback itself');
  });
});
