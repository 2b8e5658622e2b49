// Background runs and product events in SQLite. Rows are read back through zod (RunSpec is JSON
// in a column): a damaged row is an error that names the run, never a half-read run.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { describeZodError, ProductEvent, RunSpec, RunState, type ProductEventName, type RunView } from '../protocol';
import type { Db } from '../store/sqlite';

const Row = z.object({
  id: z.string(),
  kind: z.string(),
  folder: z.string(),
  spec: z.string(),
  state: RunState,
  phase: z.enum(['build', 'submit']),
  attempt: z.number().int(),
  max_attempts: z.number().int(),
  build_id: z.string().nullable(),
  build_status: z.string().nullable(),
  build_url: z.string().nullable(),
  submission_id: z.string().nullable(),
  submission_status: z.string().nullable(),
  seen: z.string().nullable(),
  detail: z.string(),
  error: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  progress_at: z.string(),
  finished_at: z.string().nullable(),
});

/** A product event written with a step's change. */
export interface RunEvent {
  name: ProductEventName;
  data: Record<string, unknown>;
}

/** The columns a step may change. */
export interface RunPatch {
  state?: RunState;
  phase?: 'build' | 'submit';
  attempt?: number;
  buildId?: string | null;
  buildStatus?: string | null;
  buildUrl?: string | null;
  submissionId?: string | null;
  submissionStatus?: string | null;
  /** What the last poll saw (status, queue position, update time): the same again is no progress. */
  seen?: string | null;
  detail?: string;
  error?: string | null;
  nextAttemptAt?: string | null;
  progressAt?: string;
  finishedAt?: string | null;
}

const COLUMN: Record<keyof RunPatch, string> = {
  state: 'state', phase: 'phase', attempt: 'attempt', buildId: 'build_id', buildStatus: 'build_status', buildUrl: 'build_url',
  submissionId: 'submission_id', submissionStatus: 'submission_status', seen: 'seen', detail: 'detail', error: 'error',
  nextAttemptAt: 'next_attempt_at', progressAt: 'progress_at', finishedAt: 'finished_at',
};

function toView(raw: unknown): StoredRun {
  const r = Row.safeParse(raw);
  if (!r.success) throw new Error(`a background run row is damaged: ${describeZodError(r.error)}`);
  const row = r.data;
  let spec: RunSpec;
  try {
    spec = RunSpec.parse(JSON.parse(row.spec));
  } catch (err) {
    throw new Error(`background run ${row.id} has a damaged spec: ${err instanceof z.ZodError ? describeZodError(err) : (err as Error).message}`, { cause: err });
  }
  return {
    id: row.id, folder: row.folder, spec, state: row.state, phase: row.phase, attempt: row.attempt, maxAttempts: row.max_attempts,
    build: row.build_id ? { id: row.build_id, status: row.build_status, url: row.build_url } : null,
    submission: row.submission_id ? { id: row.submission_id, status: row.submission_status } : null,
    detail: row.detail, error: row.error, nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at, updatedAt: row.updated_at, progressAt: row.progress_at, finishedAt: row.finished_at, seen: row.seen,
  };
}

/** A run as stored: the view, and what its last poll saw. */
export type StoredRun = RunView & { seen: string | null };

export class RunRepo {
  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {}

  async create(folder: string, spec: RunSpec, maxAttempts: number): Promise<StoredRun> {
    const id = randomUUID();
    const ts = this.now().toISOString();
    const phase = spec.kind === 'submit' ? 'submit' : 'build';
    await this.db.run(
      `INSERT INTO background_runs (id, kind, folder, spec, state, phase, attempt, max_attempts, build_id, detail, created_at, updated_at, progress_at)
       VALUES (?, ?, ?, ?, 'queued', ?, 0, ?, ?, 'queued', ?, ?, ?)`,
      [id, spec.kind, folder, JSON.stringify(spec), phase, maxAttempts, spec.buildId, ts, ts, ts],
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<StoredRun | undefined> {
    const row = await this.db.get('SELECT * FROM background_runs WHERE id = ?', [id]);
    return row ? toView(row) : undefined;
  }

  /** A run by its id or the start of it (as `torbit ship runs` shows it); several matches is an error. */
  async find(idOrPrefix: string): Promise<StoredRun | undefined> {
    const exact = await this.get(idOrPrefix);
    if (exact || !/^[0-9a-f-]{4,}$/i.test(idOrPrefix)) return exact;
    const rows = await this.db.all("SELECT * FROM background_runs WHERE id LIKE ? || '%' ORDER BY created_at DESC LIMIT 2", [idOrPrefix.toLowerCase()]);
    if (rows.length > 1) throw new Error(`more than one background run starts with ${idOrPrefix}: give more of its id`);
    return rows[0] ? toView(rows[0]) : undefined;
  }

  async list(limit = 100): Promise<StoredRun[]> {
    return (await this.db.all('SELECT * FROM background_runs ORDER BY created_at DESC, rowid DESC LIMIT ?', [limit])).map(toView);
  }

  /** Runs a previous backend left queued or running. */
  async unfinished(): Promise<StoredRun[]> {
    return (await this.db.all("SELECT * FROM background_runs WHERE state IN ('queued', 'running') ORDER BY created_at")).map(toView);
  }

  /**
   * A step's change and the product events that record it, in one transaction: a backend killed
   * between the two would otherwise leave a state with no event (or the reverse).
   */
  update(id: string, patch: RunPatch, events: RunEvent[] = []): Promise<StoredRun> {
    return this.db.transaction(() => this.apply(id, patch, events));
  }

  /** `update` without its own transaction, for a caller that holds one (the audit log's append). */
  async apply(id: string, patch: RunPatch, events: RunEvent[] = []): Promise<StoredRun> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof RunPatch, unknown][];
    const ts = this.now().toISOString();
    const sets = [...entries.map(([k]) => `${COLUMN[k]} = ?`), 'updated_at = ?'];
    await this.db.run(`UPDATE background_runs SET ${sets.join(', ')} WHERE id = ?`, [...entries.map(([, v]) => v), ts, id]);
    for (const e of events) await this.insertEvent(ts, e.name, id, e.data);
    const v = await this.get(id);
    if (!v) throw new Error(`there is no background run ${id}`);
    return v;
  }

  /** Only the watchdog's clock moves (output came): no read back, no notification. */
  async touch(id: string): Promise<void> {
    const ts = this.now().toISOString();
    await this.db.run('UPDATE background_runs SET progress_at = ?, updated_at = ? WHERE id = ?', [ts, ts, id]);
  }

  async event(name: ProductEventName, runId: string | null, data: Record<string, unknown>): Promise<void> {
    await this.insertEvent(this.now().toISOString(), name, runId, data);
  }

  private async insertEvent(ts: string, name: ProductEventName, runId: string | null, data: Record<string, unknown>): Promise<void> {
    await this.db.run('INSERT INTO product_events (ts, name, run_id, data) VALUES (?, ?, ?, ?)', [ts, name, runId, JSON.stringify(data)]);
  }

  async events(runId: string): Promise<ProductEvent[]> {
    const rows = await this.db.all<{ id: number; ts: string; name: string; run_id: string | null; data: string }>(
      'SELECT * FROM product_events WHERE run_id = ? ORDER BY id', [runId]);
    return rows.map((r) => ProductEvent.parse({ id: r.id, ts: r.ts, name: r.name, runId: r.run_id, data: JSON.parse(r.data) as unknown }));
  }
}
