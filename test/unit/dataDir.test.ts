import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveDataDir } from '../../server/dataDir';

describe('data directory', () => {
  const ws = path.join(os.tmpdir(), 'ws');

  it('prefers TORBIT_DATA_DIR, then the setting, then <workspace>/.torbit-data', () => {
    assert.deepEqual(resolveDataDir({ env: { TORBIT_DATA_DIR: '/env/dir' }, setting: '/set/dir', workspace: ws }), { dir: '/env/dir', source: 'env' });
    assert.deepEqual(resolveDataDir({ env: {}, setting: '/set/dir', workspace: ws }), { dir: '/set/dir', source: 'setting' });
    assert.deepEqual(resolveDataDir({ env: { TORBIT_DATA_DIR: '  ' }, setting: '', workspace: ws }), { dir: path.join(ws, '.torbit-data'), source: 'workspace' });
  });

  it('takes relative paths from the workspace and expands ~', () => {
    assert.equal(resolveDataDir({ env: {}, setting: 'state/torbit', workspace: ws }).dir, path.join(ws, 'state/torbit'));
    assert.equal(resolveDataDir({ env: { TORBIT_DATA_DIR: '~/t' }, setting: '', workspace: ws }).dir, path.join(os.homedir(), 't'));
  });

  it('falls back to global storage without a folder, and says what to set without either', () => {
    assert.deepEqual(resolveDataDir({ env: {}, setting: '', workspace: null, globalStorageDir: '/g' }), { dir: '/g', source: 'global' });
    assert.throws(() => resolveDataDir({ env: {}, setting: '', workspace: null }), /TORBIT_DATA_DIR or torbit\.dataDir/);
  });
});
