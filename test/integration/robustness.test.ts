// The backend outlives a stray promise rejection: it logs it and keeps serving.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rpc } from '../../server/protocol';
import { initialize, shutdown, spawnServer } from '../support/server';
import { tmpDir } from '../support/tmp';

describe('backend robustness', () => {
  it('logs an unhandled rejection and keeps serving requests', async () => {
    const dir = tmpDir();
    // Loaded before the server; its rejection fires once the server is up and nothing handles it.
    const stray = path.join(dir, 'stray.cjs');
    fs.writeFileSync(stray, `process.once('message', () => setImmediate(() => { Promise.reject(new Error('a stray rejection')); }));\n`);
    const s = spawnServer({ TORBIT_DATA_DIR: path.join(dir, 'data') }, ['--require', stray]);
    try {
      await initialize(s, { workspaceFolders: [], trusted: false });
      const died = s.exited.then(({ code, signal }) => { throw new Error(`the backend died (exit ${code ?? signal}): ${s.stderr().slice(-300)}`); });
      const logged = await Promise.race([died, new Promise<string>((resolve) => {
        const look = () => s.logs.find((l) => l.includes('a stray rejection'));
        const found = look();
        if (found) { resolve(found); return; }
        s.conn.onNotification('window/logMessage', () => { const f = look(); if (f) resolve(f); });
      })]);
      assert.match(logged, /unhandled rejection \(the backend carries on\)/);
      const status = await s.conn.sendRequest<{ pid: number }>(rpc.status.method, {});
      assert.equal(status.pid, s.child.pid);
      assert.equal(s.child.exitCode, null);
    } finally {
      await shutdown(s);
    }
  });
});
