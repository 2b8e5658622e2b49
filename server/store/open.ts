// Opening Torbit's database: refuse what we do not understand, then migrate what we do.
// Order matters: nothing is written (not even the WAL switch) until the file has been checked.
import * as fs from 'node:fs';
import { Db, sqliteCode } from './sqlite';
import { StoreError } from './errors';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';

export const DB_FILE = 'torbit.db';

export interface StoreInfo {
  schemaVersion: number;
  pendingMigrations: number;
  journalMode: string;
}

export interface OpenOptions {
  /** readonly: inspect only (CLI status); migrate: create if missing and bring up to date. */
  mode: 'readonly' | 'migrate';
  migrations?: readonly Migration[];
  onMigrated?: (m: Migration) => void;
}

const hint = 'Torbit left the file untouched. Move it aside (or set torbit.dataDir / TORBIT_DATA_DIR elsewhere) and Torbit will start a new one.';

export async function openStore(file: string, opts: OpenOptions): Promise<{ db: Db; info: StoreInfo }> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const existed = fs.existsSync(file);
  if (existed && !fs.statSync(file).isFile()) throw new StoreError('io', file, `${file} is not a regular file. ${hint}`);

  let db: Db;
  try {
    db = await Db.open(file, opts.mode === 'readonly' ? 'readonly' : 'create');
  } catch (err) {
    throw new StoreError('io', file, `Cannot open the Torbit database ${file}: ${(err as Error).message}`);
  }
  try {
    await db.exec('PRAGMA busy_timeout = 5000');
    const version = await inspect(db, file, latest);
    let journalMode = String((await db.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode ?? '');
    if (opts.mode === 'readonly') {
      return { db, info: { schemaVersion: version, pendingMigrations: pending(migrations, version).length, journalMode } };
    }
    journalMode = String((await db.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL'))?.journal_mode ?? '');
    await db.exec('PRAGMA foreign_keys = ON');
    const applied = await migrate(db, migrations, version);
    for (const m of applied) opts.onMigrated?.(m);
    return { db, info: { schemaVersion: applied.at(-1)?.version ?? version, pendingMigrations: 0, journalMode } };
  } catch (err) {
    await db.close().catch(() => undefined);
    if (err instanceof StoreError) throw err;
    const code = sqliteCode(err);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError('corrupt', file, `The Torbit database ${file} is corrupt or not a database (${(err as Error).message}). ${hint}`);
    }
    throw new StoreError('io', file, `The Torbit database ${file} could not be used: ${(err as Error).message}`);
  }
}

/** Reads the schema version, refusing corrupt, foreign and too-new databases. */
async function inspect(db: Db, file: string, latest: number): Promise<number> {
  const check = await db.all<{ quick_check: string }>('PRAGMA quick_check');
  const problems = check.map((r) => r.quick_check).filter((s) => s !== 'ok');
  if (problems.length) {
    throw new StoreError('corrupt', file, `The Torbit database ${file} failed its integrity check: ${problems.slice(0, 3).join('; ')}. ${hint}`);
  }
  const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name);
  if (tables.length === 0) return 0;
  if (!tables.includes('schema_version')) {
    throw new StoreError('foreign', file, `${file} is an SQLite database but not a Torbit one (it has tables ${tables.slice(0, 5).join(', ')} and no schema_version). ${hint}`);
  }
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
  const version = row?.v ?? 0;
  if (version > latest) {
    throw new StoreError('too-new', file, `The Torbit database ${file} has schema version ${version}, but this build of Torbit knows versions up to ${latest}. Update Torbit; the database was left untouched.`);
  }
  return version;
}

function pending(migrations: readonly Migration[], version: number): Migration[] {
  return [...migrations].filter((m) => m.version > version).sort((a, b) => a.version - b.version);
}

async function migrate(db: Db, migrations: readonly Migration[], version: number): Promise<Migration[]> {
  const todo = pending(migrations, version);
  if (todo.length === 0) return [];
  await db.transaction(async () => {
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    for (const m of todo) {
      await db.exec(m.sql);
      await db.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
    }
  });
  return todo;
}

export { LATEST_SCHEMA_VERSION };
