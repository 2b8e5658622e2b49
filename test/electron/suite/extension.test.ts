// Torbit inside a real VS Code: activation, the backend's health and data directory, command
// registration, and restarting the backend. Runs in the extension host (see suite/index.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../../extension/commands/ids';
import type { TorbitApi } from '../../../extension/main';
import type { Status } from '../../../server/protocol';

const EXTENSION_ID = 'torbit.torbit';
const WAIT_MS = 60_000;

/** Calls probe until it returns a value, or fails after timeoutMs saying what it last saw. */
async function waitFor<T>(what: string, probe: () => Promise<{ done: T } | { last: unknown }>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await probe();
    if ('done' in r) return r.done;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last saw ${JSON.stringify(r.last)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Polls the API until the backend reports a healthy store (and, optionally, more). */
function healthyStatus(api: TorbitApi, what: string, extra: (s: Status) => boolean = () => true): Promise<Status> {
  return waitFor<Status>(what, async () => {
    const s = await api.status();
    if (!s) return { last: 'no status (the backend is not running)' };
    return s.store.state === 'ok' && extra(s) ? { done: s } : { last: s };
  });
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

describe('Torbit in VS Code', () => {
  let ext: vscode.Extension<TorbitApi>;
  let api: TorbitApi;

  before(async () => {
    const found = vscode.extensions.getExtension<TorbitApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not installed`);
    ext = found;
    api = await ext.activate();
  });

  it('is present and activates with its API', () => {
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.status, 'function');
  });

  it('reports a healthy backend with its data outside the workspace, keyed by it', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const s = await healthyStatus(api, 'a healthy backend');
    assert.equal(s.store.state, 'ok');
    assert.ok(s.schemaVersion !== null && s.schemaVersion >= 1, `schemaVersion is ${s.schemaVersion}`);
    assert.ok(!isInside(realpath(s.dataDir), realpath(folder.uri.fsPath)), `dataDir ${s.dataDir} is inside the workspace`);
    assert.match(s.dataDir, /[/\\]torbit[/\\]workspaces[/\\][^/\\]+-[0-9a-f]{16}$/);
    assert.equal(s.dataDirSource, 'workspace');
  });

  it('registers every command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = COMMAND_IDS.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('restarts the backend into a new process', async () => {
    const before = await healthyStatus(api, 'a healthy backend before the restart');
    await vscode.commands.executeCommand('torbit.restartBackend');
    const after = await healthyStatus(api, `a healthy backend with a pid other than ${before.pid}`, (s) => s.pid !== before.pid);
    assert.notEqual(after.pid, before.pid);
  });
});
