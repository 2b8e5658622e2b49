import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc/node';
import { RestartPolicy } from '../../extension/restartPolicy';
import { rpc, Status } from '../../server/protocol';
import { workspaceDataDir } from '../../server/dataDir';
import { LATEST_SCHEMA_VERSION } from '../../server/store/migrations';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { gitRepo, sha256, tmpDir } from '../support/tmp';

async function rpcError(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ResponseError, `expected a JSON-RPC error, got ${String(err)}`);
    return err;
  }
  assert.fail('the request succeeded');
}

describe('backend over real JSON-RPC (spawned dist/server.js, IPC)', () => {
  const live: Spawned[] = [];
  // The default data directory goes under XDG_DATA_HOME: a fresh one per test, never the tester's own.
  let home: NodeJS.ProcessEnv;
  beforeEach(() => { home = { XDG_DATA_HOME: tmpDir('torbit-home-') }; });
  const start = (env: NodeJS.ProcessEnv = {}) => { const s = spawnServer({ TORBIT_DATA_DIR: '', ...home, ...env }); live.push(s); return s; };
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('initializes, creates and migrates the database outside the workspace, and answers torbit/status', async () => {
    const ws = gitRepo();
    const s = start();
    const init = await initialize(s, { workspaceFolders: [ws], trusted: true });
    assert.equal(init.serverInfo?.name, 'torbit');
    const status = Status.parse(await s.conn.sendRequest(rpc.status.method, {}));
    assert.equal(status.pid, s.child.pid);
    assert.equal(status.dataDir, workspaceDataDir(home, ws));
    assert.ok(status.dataDir.startsWith(`${home.XDG_DATA_HOME!}/torbit/workspaces/`), status.dataDir);
    assert.equal(status.dataDirSource, 'workspace');
    assert.deepEqual(status.notices, []);
    assert.equal(status.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.equal(status.store.state, 'ok');
    assert.equal(status.workspace, ws);
    assert.ok(status.uptimeMs >= 0);
    assert.ok(fs.existsSync(path.join(status.dataDir, 'torbit.db')));
    assert.deepEqual(fs.readdirSync(ws), ['.git'], 'nothing written into the workspace');
    assert.doesNotMatch(fs.readFileSync(path.join(ws, '.git/info/exclude'), 'utf8'), /torbit/, 'nothing to exclude from git');
    // status with params omitted entirely is the same request
    assert.equal(Status.parse(await s.conn.sendRequest(rpc.status.method)).pid, s.child.pid);
  });

  it('honours TORBIT_DATA_DIR over the setting, and the setting over the default', async () => {
    const ws = tmpDir();
    const envDir = path.join(tmpDir(), 'from-env');
    const a = start({ TORBIT_DATA_DIR: envDir });
    await initialize(a, { workspaceFolders: [ws], dataDirSetting: 'from-setting' });
    const sa = Status.parse(await a.conn.sendRequest(rpc.status.method, {}));
    assert.deepEqual([sa.dataDir, sa.dataDirSource], [envDir, 'env']);
    const b = start();
    await initialize(b, { workspaceFolders: [ws], dataDirSetting: 'from-setting' });
    const sb = Status.parse(await b.conn.sendRequest(rpc.status.method, {}));
    assert.deepEqual([sb.dataDir, sb.dataDirSource], [path.join(ws, 'from-setting'), 'setting']);
  });

  it('answers invalid payloads with a clear JSON-RPC error and stays up', async () => {
    const s = start();
    await initialize(s, { workspaceFolders: [tmpDir()] });
    const bad = await rpcError(s.conn.sendRequest(rpc.status.method, { verbose: 'yes' }));
    assert.equal(bad.code, ErrorCodes.InvalidParams);
    assert.match(bad.message, /^torbit\/status: invalid params: .*verbose/s);
    const positional = await rpcError(s.conn.sendRequest(rpc.status.method, 1, 2));
    assert.equal(positional.code, ErrorCodes.InvalidParams);
    const unknown = await rpcError(s.conn.sendRequest('torbit/doesNotExist', {}));
    assert.equal(unknown.code, ErrorCodes.MethodNotFound);
    await s.conn.sendNotification('torbit/nonsense', { x: 1 });
    // Still alive and well: the same process answers a valid request.
    const status = Status.parse(await s.conn.sendRequest(rpc.status.method, {}));
    assert.equal(status.pid, s.child.pid);
    assert.equal(s.child.exitCode, null);
    assert.ok(s.logs.some((l) => l.includes('invalid params')), 'the refusal was logged to the client');
  });

  it('refuses bad initializationOptions with a reason, and answers nothing before initialize', async () => {
    const s = start();
    const early = await rpcError(s.conn.sendRequest(rpc.status.method, {}));
    assert.equal(early.code, ErrorCodes.ServerNotInitialized);
    const bad = await rpcError(s.conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { workspaceFolders: 'not-a-list' } }));
    assert.equal(bad.code, ErrorCodes.InvalidParams);
    assert.match(bad.message, /initializationOptions: .*workspaceFolders/s);
  });

  it('reports a corrupt database through torbit/status, stays up, and leaves the file untouched', async () => {
    const ws = tmpDir();
    const data = workspaceDataDir(home, ws);
    fs.mkdirSync(data, { recursive: true });
    const db = path.join(data, 'torbit.db');
    fs.writeFileSync(db, Buffer.alloc(8192, 0x42));
    const before = sha256(db);
    const s = start();
    await initialize(s, { workspaceFolders: [ws] });
    const status = Status.parse(await s.conn.sendRequest(rpc.status.method, {}));
    assert.equal(status.store.state, 'error');
    assert.equal(status.store.state === 'error' && status.store.code, 'corrupt');
    assert.equal(status.schemaVersion, null);
    assert.equal(sha256(db), before);
    assert.deepEqual(fs.readdirSync(data), ['torbit.db'], 'no -wal or -shm beside it');
  });

  it('restarts a crashed backend through the client restart policy, and gives up past its bound', async () => {
    const ws = tmpDir();
    const policy = new RestartPolicy(2, 60_000);
    let s = start();
    await initialize(s, { workspaceFolders: [ws] });
    const pids = [Status.parse(await s.conn.sendRequest(rpc.status.method, {})).pid];
    const decisions: string[] = [];
    for (;;) {
      s.child.kill('SIGKILL'); // a crash, not a shutdown
      const exit = await s.exited;
      assert.equal(exit.signal, 'SIGKILL');
      const d = policy.onCrash();
      decisions.push(d.restart ? `restart#${d.attempt}` : 'give up');
      if (!d.restart) {
        assert.match(d.reason, /crashed 3 times/);
        break;
      }
      s = start();
      await initialize(s, { workspaceFolders: [ws] });
      const status = Status.parse(await s.conn.sendRequest(rpc.status.method, {}));
      assert.equal(status.store.state, 'ok', 'the restarted backend reopens the same database');
      pids.push(status.pid);
    }
    assert.deepEqual(decisions, ['restart#1', 'restart#2', 'give up']);
    assert.equal(new Set(pids).size, 3, 'each restart is a new process');
  });
});
