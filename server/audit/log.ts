// The append-only audit log in SQLite. Appends are serialized (one chain, no forks even when the
// CLI and the backend write at once); triggers refuse any UPDATE or DELETE of a record.
import type { Db } from '../store/sqlite';
import { AuditBody, GENESIS, sealRecord, verifyChain, type Actor, type AuditKind, type AuditRecord, type ChainCheck } from './record';

export interface AuditEntry {
  kind: AuditKind;
  actor: Actor;
  sessionId?: string | null;
  turnId?: string | null;
  data: Record<string, unknown>;
}

export interface AuditFilter {
  sessionId?: string;
  /** ISO time: records at or after it. */
  since?: string;
  kind?: AuditKind;
  limit?: number;
}

export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Db) {}

  /**
   * Appends a record and returns it sealed. Serialized within this process, atomic across
   * processes. Given a function, it runs first in the same transaction (its writes and the record
   * commit together) and says what the record is.
   */
  append(entry: AuditEntry | (() => Promise<AuditEntry>)): Promise<AuditRecord> {
    const run = this.tail.then(() => this.db.transaction(async () => {
      // Both at once: SQLite runs them in turn on its thread, without a round trip between.
      const [e, last] = await Promise.all([
        typeof entry === 'function' ? entry() : entry,
        this.db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      ]);
      const body = AuditBody.parse({
        seq: (last?.seq ?? 0) + 1, ts: new Date().toISOString(), kind: e.kind, actor: e.actor,
        sessionId: e.sessionId ?? null, turnId: e.turnId ?? null, data: e.data,
      });
      const rec = sealRecord(body, last?.hash ?? GENESIS);
      await this.db.run(
        'INSERT INTO audit (seq, ts, kind, actor, session_id, turn_id, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [rec.seq, body.ts, body.kind, body.actor, body.sessionId, body.turnId, rec.body, rec.prev, rec.hash]);
      return rec;
    }));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every append started so far has been written (or failed). */
  async settled(): Promise<void> {
    await this.tail;
  }

  async records(f: AuditFilter = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.sessionId) { where.push('session_id = ?'); args.push(f.sessionId); }
    if (f.since) { where.push('ts >= ?'); args.push(f.since); }
    if (f.kind) { where.push('kind = ?'); args.push(f.kind); }
    const sql = `SELECT seq, body, prev, hash FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${f.limit ? ` LIMIT ${Math.floor(f.limit)}` : ''}`;
    return this.db.all<AuditRecord>(sql, args);
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const last = await this.db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    return last ?? { seq: 0, hash: GENESIS };
  }

  /** Verifies the whole chain from the genesis; reports the first broken link. */
  async verify(): Promise<ChainCheck> {
    return verifyChain(await this.records());
  }
}
