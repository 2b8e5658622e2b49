import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Status } from '../../server/protocol';
import { gitRepo, sha256, tmpDir } from '../support/tmp';

const CLI = path.join(__dirname, '../../dist/cli.js');

function torbit(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TORBIT_DATA_DIR: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

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
    assert.ok(!fs.existsSync(path.join(ws, '.torbit-data')), 'status did not create the data directory');
    const m = torbit(ws, ['migrate', '--json']);
    assert.equal(m.code, 0, m.err);
    assert.deepEqual(JSON.parse(m.out), { database: path.join(ws, '.torbit-data', 'torbit.db'), from: null, to: 1 });
    const again = torbit(ws, ['migrate']);
    assert.match(again.out, /already at schema 1/);
    const s2 = Status.parse(JSON.parse(torbit(ws, ['status', '--json']).out));
    assert.equal(s2.store.state === 'ok' && s2.store.journalMode, 'wal');
    assert.equal(s2.schemaVersion, 1);
    assert.match(torbit(ws, ['status']).out, /data dir: +.*\.torbit-data \(from workspace\)/);
  });

  it("reads torbit.dataDir from the workspace's .vscode/settings.json (JSONC), below TORBIT_DATA_DIR", () => {
    const ws = tmpDir();
    fs.mkdirSync(path.join(ws, '.vscode'));
    fs.writeFileSync(path.join(ws, '.vscode/settings.json'), '{\n  // where Torbit keeps state\n  "torbit.dataDir": "var/torbit",\n}\n');
    const s = Status.parse(JSON.parse(torbit(ws, ['status', '--json']).out));
    assert.deepEqual([s.dataDir, s.dataDirSource], [path.join(ws, 'var/torbit'), 'setting']);
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
    fs.mkdirSync(path.join(ws, '.torbit-data'));
    const db = path.join(ws, '.torbit-data', 'torbit.db');
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
    assert.ok(!fs.existsSync(path.join(ws, '.torbit-data')), 'no command above wrote anything');
  });
});
