import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../server/store/open';
import { StoreError } from '../../server/store/errors';
import { Db } from '../../server/store/sqlite';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from '../../server/store/migrations';
import { sha256, tmpDir } from '../support/tmp';

async function refusal(file: string, mode: 'readonly' | 'migrate' = 'migrate'): Promise<StoreError> {
  try {
    const { db } = await openStore(file, { mode });
    await db.close();
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    return err;
  }
  assert.fail('the database was accepted');
}

describe('store', () => {
  it('creates a new database in WAL mode with every migration recorded in schema_version', async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    const applied: number[] = [];
    const { db, info } = await openStore(file, { mode: 'migrate', onMigrated: (m) => applied.push(m.version) });
    try {
      assert.equal(info.journalMode, 'wal');
      assert.equal(info.schemaVersion, LATEST_SCHEMA_VERSION);
      assert.deepEqual(applied, MIGRATIONS.map((m) => m.version));
      const rows = await db.all<{ version: number; name: string }>('SELECT version, name FROM schema_version ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      assert.ok(await db.get("SELECT 1 FROM sqlite_master WHERE name = 'meta'"), 'migration 1 created the meta table');
    } finally {
      await db.close();
    }
  });

  it('applies only the pending migrations, in order, on the next open', async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    const first: Migration[] = [{ version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER) STRICT' }];
    const later: Migration[] = [...first,
      { version: 3, name: 'c', sql: 'ALTER TABLE a ADD COLUMN z TEXT' },
      { version: 2, name: 'b', sql: 'ALTER TABLE a ADD COLUMN y TEXT' }];
    await (await openStore(file, { mode: 'migrate', migrations: first })).db.close();
    const ro = await openStore(file, { mode: 'readonly', migrations: later });
    assert.equal(ro.info.pendingMigrations, 2, 'readonly open reports what is pending');
    await ro.db.close();
    const applied: number[] = [];
    const { db, info } = await openStore(file, { mode: 'migrate', migrations: later, onMigrated: (m) => applied.push(m.version) });
    assert.deepEqual(applied, [2, 3]);
    assert.equal(info.schemaVersion, 3);
    const cols = (await db.all<{ name: string }>('PRAGMA table_info(a)')).map((c) => c.name);
    assert.deepEqual(cols, ['x', 'y', 'z']);
    await db.close();
  });

  it('rolls a failing migration back entirely and leaves the version where it was', async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    const good: Migration[] = [{ version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER) STRICT' }];
    await (await openStore(file, { mode: 'migrate', migrations: good })).db.close();
    const bad = [...good, { version: 2, name: 'b', sql: 'CREATE TABLE b (y INTEGER); THIS IS NOT SQL' }];
    await assert.rejects(openStore(file, { mode: 'migrate', migrations: bad }), /could not be used|syntax/);
    const { db, info } = await openStore(file, { mode: 'readonly', migrations: good });
    assert.equal(info.schemaVersion, 1);
    assert.equal(await db.get("SELECT 1 FROM sqlite_master WHERE name = 'b'"), undefined, 'table b was rolled back');
    await db.close();
  });

  it('refuses a file that is not a database, and leaves its bytes alone', async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    fs.writeFileSync(file, 'this is definitely not an sqlite file\n'.repeat(200));
    const before = sha256(file);
    const err = await refusal(file);
    assert.equal(err.code, 'corrupt');
    assert.match(err.message, /corrupt or not a database/);
    assert.match(err.message, /left the file untouched/);
    assert.equal(sha256(file), before);
    assert.ok(!fs.existsSync(`${file}-wal`), 'no WAL file was created beside it');
  });

  it('refuses a database whose pages are damaged, and leaves its bytes alone', async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    const { db } = await openStore(file, { mode: 'migrate' });
    await db.exec('CREATE TABLE filler (t TEXT)');
    for (let i = 0; i < 200; i++) await db.run('INSERT INTO filler VALUES (?)', ['x'.repeat(500)]);
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.close();
    const bytes = fs.readFileSync(file);
    // Scribble over the middle of the file: the header stays valid, the b-tree pages do not.
    bytes.fill(0xa5, 4096 * 3, 4096 * 6);
    fs.writeFileSync(file, bytes);
    const before = sha256(file);
    const err = await refusal(file);
    assert.equal(err.code, 'corrupt');
    assert.equal(sha256(file), before);
  });

  it('refuses a database newer than this build knows, and does not touch it', async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    await (await openStore(file, { mode: 'migrate' })).db.close();
    const db = await Db.open(file, 'readwrite');
    await db.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [LATEST_SCHEMA_VERSION + 5, 'future', 'then']);
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.close();
    const before = sha256(file);
    const err = await refusal(file);
    assert.equal(err.code, 'too-new');
    assert.match(err.message, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 5}.*up to ${LATEST_SCHEMA_VERSION}`));
    assert.equal(sha256(file), before);
  });

  it("refuses another program's SQLite database", async () => {
    const file = path.join(tmpDir(), 'torbit.db');
    const db = await Db.open(file, 'create');
    await db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    await db.close();
    const before = sha256(file);
    const err = await refusal(file);
    assert.equal(err.code, 'foreign');
    assert.match(err.message, /not a Torbit one.*invoices/);
    assert.equal(sha256(file), before);
  });

  it('runs concurrent transactions on one connection one after another, never nested', async () => {
    const { db } = await openStore(path.join(tmpDir(), 'torbit.db'), { mode: 'migrate' });
    try {
      const slow = (k: string) => db.transaction(async () => {
        await db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [k, '1']);
        await new Promise((r) => setTimeout(r, 5));
        await db.run('UPDATE meta SET value = ? WHERE key = ?', ['2', k]);
      });
      await Promise.all(['a', 'b', 'c', 'd'].map(slow));
      const rows = await db.all<{ key: string; value: string }>('SELECT key, value FROM meta ORDER BY key');
      assert.deepEqual(rows.map((r) => `${r.key}=${r.value}`), ['a=2', 'b=2', 'c=2', 'd=2']);
      // A failing one rolls back alone.
      await assert.rejects(db.transaction(async () => { await db.run("INSERT INTO meta VALUES ('e', '1')"); throw new Error('boom'); }), /boom/);
      assert.equal(await db.get("SELECT 1 FROM meta WHERE key = 'e'"), undefined);
    } finally {
      await db.close();
    }
  });

  it('reports an unopenable path as an io error', async () => {
    const dir = tmpDir();
    const err = await refusal(path.join(dir, 'no', 'such', 'dir', 'torbit.db'));
    assert.equal(err.code, 'io');
    fs.mkdirSync(path.join(dir, 'adir'));
    assert.equal((await refusal(path.join(dir, 'adir'))).code, 'io');
  });
});
