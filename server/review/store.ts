// The reviews table: every verdict, kept; finish and the push gate look up approved ones.
// Verdicts read back are checked against their schema.
import type { Db } from '../store/sqlite';
import { Verdict, type StoredVerdict } from '../protocol/review';

interface Row { id: number; body: string }

function parse(r: Row): StoredVerdict {
  const v = Verdict.safeParse(JSON.parse(r.body));
  if (!v.success) throw new Error(`review ${r.id} is damaged in the database: ${v.error.issues[0]?.message ?? 'bad verdict'}`);
  return { id: r.id, verdict: v.data };
}

export class ReviewRepo {
  constructor(readonly db: Db) {}

  async insert(repo: string, v: Verdict): Promise<StoredVerdict> {
    const r = await this.db.run(
      'INSERT INTO reviews (created_at, repo, range_from, range_to, worktree, verdict, simulated, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [v.meta.time, repo, v.meta.range.from, v.meta.range.to, v.meta.range.worktree ? 1 : 0, v.verdict, v.meta.simulated ? 1 : 0, JSON.stringify(v)]);
    return { id: r.lastID, verdict: v };
  }

  async get(id: number): Promise<StoredVerdict | undefined> {
    const r = await this.db.get<Row & Record<string, unknown>>('SELECT id, body FROM reviews WHERE id = ?', [id]);
    return r ? parse(r) : undefined;
  }

  /** The newest review of exactly this range (from, to, committed only) in `repo`. */
  async latestFor(repo: string, from: string | null, to: string): Promise<StoredVerdict | undefined> {
    const r = await this.db.get<Row & Record<string, unknown>>(
      'SELECT id, body FROM reviews WHERE repo = ? AND range_to = ? AND range_from IS ? AND worktree = 0 ORDER BY id DESC LIMIT 1', [repo, to, from]);
    return r ? parse(r) : undefined;
  }

  async list(repo: string, limit = 50): Promise<StoredVerdict[]> {
    return (await this.db.all<Row & Record<string, unknown>>('SELECT id, body FROM reviews WHERE repo = ? ORDER BY id DESC LIMIT ?', [repo, limit])).map(parse);
  }
}
