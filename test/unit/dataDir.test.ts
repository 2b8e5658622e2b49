import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backend } from '../../server/backend';
import { dataHome, LEGACY_DIR_NAME, resolveDataDir, workspaceDataDir } from '../../server/dataDir';
import { silentLogger } from '../../server/logger';
import { DB_FILE } from '../../server/store/open';
import { tmpDir } from '../support/tmp';

describe('data directory', () => {
  const ws = path.join(os.tmpdir(), 'ws');
  const home = '/data/home';
  const env = { XDG_DATA_HOME: home };
  const keyed = (folder: string) => path.join(home, 'torbit', 'workspaces', `${path.basename(folder)}-${createHash('sha256').update(folder).digest('hex').slice(0, 16)}`);

  it('prefers TORBIT_DATA_DIR, then the setting, then a folder of the user keyed by the workspace', () => {
    assert.deepEqual(resolveDataDir({ env: { ...env, TORBIT_DATA_DIR: '/env/dir' }, setting: '/set/dir', workspace: ws }), { dir: '/env/dir', source: 'env' });
    assert.deepEqual(resolveDataDir({ env, setting: '/set/dir', workspace: ws }), { dir: '/set/dir', source: 'setting' });
    assert.deepEqual(resolveDataDir({ env: { ...env, TORBIT_DATA_DIR: '  ' }, setting: '', workspace: ws }), { dir: keyed(ws), source: 'workspace' });
  });

  it('never defaults to a folder inside the workspace, and keys it by the real path (a link to the folder is the same folder)', () => {
    const real = tmpDir('torbit-ws-');
    const link = path.join(tmpDir('torbit-link-'), 'alias');
    fs.symlinkSync(real, link);
    const dir = resolveDataDir({ env, setting: '', workspace: link }).dir;
    assert.equal(dir, keyed(real));
    assert.equal(workspaceDataDir(env, real), dir);
    assert.ok(path.relative(real, dir).startsWith('..'), `${dir} is outside ${real}`);
    assert.notEqual(workspaceDataDir(env, tmpDir('torbit-ws-')), dir, 'another folder, another directory');
  });

  it('takes the data home from XDG_DATA_HOME when absolute, else the platform default', () => {
    assert.equal(dataHome({ XDG_DATA_HOME: '/x' }, 'linux'), '/x');
    assert.equal(dataHome({ XDG_DATA_HOME: 'relative' }, 'linux'), path.join(os.homedir(), '.local', 'share'));
    assert.equal(dataHome({}, 'darwin'), path.join(os.homedir(), 'Library', 'Application Support'));
  });

  it('takes relative paths from the workspace and expands ~', () => {
    assert.equal(resolveDataDir({ env, setting: 'state/torbit', workspace: ws }).dir, path.join(ws, 'state/torbit'));
    assert.equal(resolveDataDir({ env: { TORBIT_DATA_DIR: '~/t' }, setting: '', workspace: ws }).dir, path.join(os.homedir(), 't'));
  });

  it('falls back to global storage without a folder, and says what to set without either', () => {
    assert.deepEqual(resolveDataDir({ env, setting: '', workspace: null, globalStorageDir: '/g' }), { dir: '/g', source: 'global' });
    assert.throws(() => resolveDataDir({ env, setting: '', workspace: null }), /TORBIT_DATA_DIR or torbit\.dataDir/);
  });
});

describe('data directory: an older Torbit\'s <workspace>/.torbit-data', () => {
  let ws: string;
  let env: NodeJS.ProcessEnv;
  let legacy: string;
  beforeEach(() => {
    ws = tmpDir('torbit-ws-');
    env = { XDG_DATA_HOME: tmpDir('torbit-home-') };
    legacy = path.join(ws, LEGACY_DIR_NAME);
    fs.mkdirSync(path.join(legacy, 'checkpoints'), { recursive: true });
  });
  const open = (o: { trusted?: boolean; mode?: 'migrate' | 'readonly' } = {}) =>
    Backend.open({ workspace: ws, dataDirSetting: '', env, log: silentLogger, mode: o.mode ?? 'migrate', trusted: o.trusted });

  it('is moved once to the new place in a trusted workspace, and the move is reported', async () => {
    const first = await open();
    await first.close();
    // A database made at the old place (as older Torbit did), then the new place emptied again.
    fs.rmSync(first.dataDir.dir, { recursive: true });
    const made = await Backend.open({ workspace: ws, dataDirSetting: '', env: { ...env, TORBIT_DATA_DIR: legacy }, log: silentLogger, mode: 'migrate' });
    await made.close();
    fs.writeFileSync(path.join(legacy, 'checkpoints', 'marker'), 'mine');
    const b = await open({ trusted: true });
    try {
      assert.equal(b.store.state, 'ok');
      assert.ok(!fs.existsSync(legacy), 'the old folder is gone');
      assert.equal(fs.readFileSync(path.join(b.dataDir.dir, 'checkpoints', 'marker'), 'utf8'), 'mine');
      assert.match(b.status().notices.join('\n'), new RegExp(`moved this workspace's data from ${legacy}`));
    } finally {
      await b.close();
    }
    const again = await open({ trusted: true });
    assert.deepEqual(again.status().notices, [], 'once: nothing to say the next time');
    await again.close();
  });

  it('is not used, nor moved, in a workspace that is not trusted (a repository can ship one), and the person is told', async () => {
    fs.writeFileSync(path.join(legacy, DB_FILE), 'planted');
    // Untrusted: not moved. Then, trusted, the new place holds the data made meanwhile: not moved either, and said each time.
    for (const [o, why] of [[{ trusted: false }, /not trusted/], [{ mode: 'readonly' as const, trusted: true }, /holds data already/]] as const) {
      const b = await open(o);
      try {
        assert.ok(path.relative(ws, b.dataDir.dir).startsWith('..'), 'the data directory is outside the workspace');
        assert.equal(fs.readFileSync(path.join(legacy, DB_FILE), 'utf8'), 'planted', 'left where it is');
        assert.match(b.status().notices.join('\n'), /is not used: this workspace's data is in /);
        assert.match(b.status().notices.join('\n'), why);
      } finally {
        await b.close();
      }
    }
  });
});
