// Red team: a rollback journal planted where Torbit keeps its data. On open, the backend (and the
// CLI: `torbit checkpoint list` is enough) completes an interrupted rollback from its journal, so
// a journal anyone could write must never reach a file outside the workspace folders.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rpc, Status } from '../../server/protocol';
import { initialize, shutdown, spawnServer } from '../support/server';
import { tmpDir } from '../support/tmp';

const CLI = path.join(__dirname, '../../dist/cli.js');
const JOURNAL = 'rollback-journal.json';

interface Scene {
  ws: string;
  /** A folder of the user's beside the workspace, with the file the journal goes after. */
  outside: string;
  keep: string;
  env: NodeJS.ProcessEnv;
}

function scene(): Scene {
  const parent = tmpDir('torbit-redteam-');
  const ws = path.join(parent, 'ws');
  const outside = path.join(parent, 'outside');
  fs.mkdirSync(ws);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(ws, 'app.ts'), 'export {};\n');
  const keep = path.join(outside, 'keep.txt');
  fs.writeFileSync(keep, 'the user\'s own file\n');
  // Nothing falls back to the tester's real home.
  return { ws, outside, keep, env: { XDG_DATA_HOME: tmpDir('torbit-home-') } };
}

/** A journal that passes for an interrupted rollback by a process long gone. */
function journal(folders: unknown[]): unknown {
  return {
    v: 1, id: 'planted', pid: 99_999_999, checkpointId: 1, backupId: 1, mode: 'files', startedAt: '2020-01-01T00:00:00.000Z', actor: 'system',
    folders, conversation: null, after: { v: 1, folders: [], config: [], conversation: null }, summary: {},
  };
}
const plan = (folder: string, remove: string[]) => ({ folder, write: [], remove, mkdirs: [], rmdirs: [], prune: [] });

function plant(dataDir: string, body: unknown): string {
  const dir = path.join(dataDir, 'checkpoints');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, JOURNAL), typeof body === 'string' ? body : JSON.stringify(body));
  return dir;
}

function cli(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, TORBIT_DATA_DIR: '', ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The journal is gone from where it would be acted on, and lies beside it as rejected. */
function assertSetAside(checkpointsDir: string): void {
  const names = fs.readdirSync(checkpointsDir);
  assert.ok(!names.includes(JOURNAL), `the journal is no longer in place (${names.join(', ')})`);
  assert.ok(names.some((n) => /^rollback-journal\.rejected-.+\.json$/.test(n)), `set aside as rollback-journal.rejected-<time>.json (${names.join(', ')})`);
}

interface Attack {
  title: string;
  /** Plants the journal in the data directory; returns it. */
  plant(s: Scene, dataDir: string): string;
  told: RegExp;
}

const ATTACKS: Attack[] = [
  {
    title: 'a journal naming a folder outside the workspace, remove: ["keep.txt"]',
    plant: (s, d) => plant(d, journal([plan(s.outside, ['keep.txt'])])),
    told: /not acted on: it reaches outside the workspace folders.*not a workspace folder/,
  },
  {
    title: 'a journal climbing out of the workspace folder with ..',
    plant: (s, d) => plant(d, journal([plan(s.ws, ['../outside/keep.txt'])])),
    told: /not acted on: .*"\.\.\/outside\/keep\.txt": it climbs out with \.\./,
  },
  {
    title: 'a journal going through a symlinked folder inside the workspace that points outside',
    plant: (s, d) => {
      fs.symlinkSync(s.outside, path.join(s.ws, 'linked'));
      return plant(d, journal([plan(s.ws, ['linked/keep.txt'])]));
    },
    told: /not acted on: it reaches outside the workspace folders.*resolves to/,
  },
  {
    title: 'a malformed journal',
    plant: (s, d) => plant(d, `{"v":1,"folders":[{"folder":${JSON.stringify(s.outside)},"remove":["keep.txt"]}]`),
    told: /not acted on: it is damaged/,
  },
];

describe('red team: planted rollback journals', function () {
  this.timeout(60_000);

  for (const a of ATTACKS) {
    it(`torbit checkpoint list: ${a.title}: the outside file survives, the journal is set aside, the person is told`, () => {
      const s = scene();
      const dataDir = path.join(s.ws, '.torbit-data');
      const cps = a.plant(s, dataDir);
      const r = cli(s.ws, { ...s.env, TORBIT_DATA_DIR: dataDir }, 'checkpoint', 'list');
      assert.ok(fs.existsSync(s.keep), `${s.keep} was deleted (exit ${r.code}: ${r.err})`);
      assert.equal(fs.readFileSync(s.keep, 'utf8'), 'the user\'s own file\n');
      assertSetAside(cps);
      assert.match(r.err, /torbit: warning: The rollback journal .* was not acted on/);
      assert.match(r.err, a.told);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /no checkpoints yet/);
    });

    it(`spawned backend: ${a.title}: the outside file survives, the journal is set aside, status and the log say so`, async () => {
      const sc = scene();
      const dataDir = path.join(sc.ws, '.torbit-data');
      const cps = a.plant(sc, dataDir);
      const srv = spawnServer({ ...sc.env, TORBIT_DATA_DIR: dataDir });
      try {
        await initialize(srv, { workspaceFolders: [sc.ws], trusted: false });
        const status = Status.parse(await srv.conn.sendRequest(rpc.status.method, {}));
        assert.ok(fs.existsSync(sc.keep), `${sc.keep} was deleted`);
        assertSetAside(cps);
        assert.equal(status.store.state, 'ok');
        assert.match(status.notices.join('\n'), a.told);
        assert.ok(srv.logs.some((l) => /The rollback journal .* was not acted on/.test(l)), srv.logs.join('\n'));
      } finally {
        await shutdown(srv);
      }
    });
  }

  it('a repository\'s own .torbit-data (with a journal) is not the data directory any more: nothing in it is acted on', async () => {
    const s = scene();
    const planted = path.join(s.ws, '.torbit-data');
    const cps = plant(planted, journal([plan(s.outside, ['keep.txt'])]));
    fs.writeFileSync(path.join(planted, 'torbit.db'), '');
    const r = cli(s.ws, s.env, 'checkpoint', 'list');
    assert.ok(fs.existsSync(s.keep), `${s.keep} was deleted (${r.err})`);
    assert.equal(r.code, 0, r.err);
    assert.ok(fs.existsSync(path.join(cps, JOURNAL)), 'the planted folder is left alone, not even read');
    assert.match(r.err, /holds data of an older Torbit and is not used/);
    const status = JSON.parse(cli(s.ws, s.env, 'status', '--json').out) as Status;
    assert.ok(path.relative(s.ws, status.dataDir).startsWith('..'), `the data directory ${status.dataDir} is outside the workspace`);
    assert.ok(status.dataDir.startsWith(s.env.XDG_DATA_HOME!), status.dataDir);

    const srv = spawnServer(s.env);
    try {
      await initialize(srv, { workspaceFolders: [s.ws], trusted: false });
      const st = Status.parse(await srv.conn.sendRequest(rpc.status.method, {}));
      assert.equal(st.dataDir, status.dataDir, 'the backend and the CLI agree on the place');
      assert.ok(fs.existsSync(s.keep));
      assert.ok(fs.existsSync(path.join(cps, JOURNAL)));
    } finally {
      await shutdown(srv);
    }
  });
});
