// A promise-shaped view of node-sqlite3: the only file that touches the driver directly.
import sqlite3 from 'sqlite3';

export type Row = Record<string, unknown>;

export class Db {
  private constructor(private readonly db: sqlite3.Database, readonly file: string) {}

  static open(file: string, mode: 'readonly' | 'readwrite' | 'create'): Promise<Db> {
    const flags = mode === 'readonly' ? sqlite3.OPEN_READONLY
      : mode === 'readwrite' ? sqlite3.OPEN_READWRITE
        : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, flags, (err) => (err ? reject(err) : resolve(new Db(db, file))));
    });
  }

  run(sql: string, params: unknown[] = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (err) {
        if (err) reject(err); else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row as T | undefined)));
    });
  }

  all<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  private txTail: Promise<unknown> = Promise.resolve();

  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT, rolling back on any error. Transactions on this
   * connection run one after another: independent writers (the chat recorder, the audit log)
   * share it, and SQLite has no nested transactions. `fn` must not start another one.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.txTail.then(async () => {
      await this.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn();
        await this.exec('COMMIT');
        return out;
      } catch (err) {
        await this.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    this.txTail = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/** The SQLite result code of a driver error (e.g. SQLITE_NOTADB), if it has one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
