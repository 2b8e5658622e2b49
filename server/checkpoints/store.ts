// The checkpoints and rollbacks tables, and the session state a checkpoint captures: the only
// code that knows them. Manifests read back are checked against their schema.
import type { CheckpointKind, CheckpointView, RestoreMode } from '../protocol';
import type { Db } from '../store/sqlite';
import { ConversationState, Manifest } from './manifest';

export interface CheckpointRecord {
  id: number;
  kind: CheckpointKind;
  label: string | null;
  sessionId: string | null;
  turnId: string | null;
  createdAt: string;
  manifest: Manifest;
}

interface Row { id: number; kind: CheckpointKind; label: string | null; session_id: string | null; turn_id: string | null; created_at: string; manifest: string; user_text: string | null }

const SELECT = 'SELECT c.*, t.user_text FROM checkpoints c LEFT JOIN turns t ON t.id = c.turn_id';

function recordOf(r: Row): CheckpointRecord {
  const parsed = Manifest.safeParse(JSON.parse(r.manifest));
  if (!parsed.success) throw new Error(`checkpoint ${r.id} is damaged in the database: ${parsed.error.issues[0]?.message ?? 'bad manifest'}`);
  return { id: r.id, kind: r.kind, label: r.label, sessionId: r.session_id, turnId: r.turn_id, createdAt: r.created_at, manifest: parsed.data };
}

export function viewOf(c: CheckpointRecord, turnText: string | null = null): CheckpointView {
  const first = turnText?.trim().split('\n')[0] ?? null;
  return {
    id: c.id, kind: c.kind, label: c.label, sessionId: c.sessionId, turnId: c.turnId,
    turnTitle: first === null ? null : first.length > 80 ? `${first.slice(0, 77)}…` : first,
    createdAt: c.createdAt,
    files: c.manifest.folders.reduce((n, f) => n + f.files, 0),
    turns: c.manifest.conversation ? c.manifest.conversation.turns.length : null,
  };
}

export class CheckpointRepo {
  constructor(readonly db: Db) {}

  async insert(kind: CheckpointKind, m: Manifest, scope: { label?: string | null; sessionId?: string | null; turnId?: string | null }): Promise<CheckpointRecord> {
    const createdAt = new Date().toISOString();
    const r = await this.db.run('INSERT INTO checkpoints (kind, label, session_id, turn_id, created_at, manifest) VALUES (?, ?, ?, ?, ?, ?)',
      [kind, scope.label ?? null, scope.sessionId ?? null, scope.turnId ?? null, createdAt, JSON.stringify(m)]);
    return { id: r.lastID, kind, label: scope.label ?? null, sessionId: scope.sessionId ?? null, turnId: scope.turnId ?? null, createdAt, manifest: m };
  }

  async get(id: number): Promise<{ record: CheckpointRecord; view: CheckpointView } | undefined> {
    const r = await this.db.get<Row & Record<string, unknown>>(`${SELECT} WHERE c.id = ?`, [id]);
    if (!r) return undefined;
    const record = recordOf(r);
    return { record, view: viewOf(record, r.user_text) };
  }

  /** What the user asked in a turn (a checkpoint's title). */
  async turnText(turnId: string): Promise<string | null> {
    return (await this.db.get<{ user_text: string }>('SELECT user_text FROM turns WHERE id = ?', [turnId]))?.user_text ?? null;
  }

  async list(opts: { sessionId?: string; limit?: number } = {}): Promise<CheckpointView[]> {
    const rows = await this.db.all<Row & Record<string, unknown>>(
      `${SELECT} ${opts.sessionId ? 'WHERE c.session_id = ?' : ''} ORDER BY c.id DESC LIMIT ?`,
      [...(opts.sessionId ? [opts.sessionId] : []), opts.limit ?? 200]);
    return rows.map((r) => viewOf(recordOf(r), r.user_text));
  }

  /** Checkpoints taken after `id`, oldest first (what a restore to `id` would go back over). */
  async after(id: number): Promise<CheckpointRecord[]> {
    return (await this.db.all<Row & Record<string, unknown>>(`${SELECT} WHERE c.id > ? ORDER BY c.id`, [id])).map(recordOf);
  }

  async latest(): Promise<CheckpointRecord | undefined> {
    const r = await this.db.get<Row & Record<string, unknown>>(`${SELECT} ORDER BY c.id DESC LIMIT 1`);
    return r ? recordOf(r) : undefined;
  }

  /** The checkpoint that stands for "before this turn": its own, else the last one taken before it in its session. */
  async beforeTurn(turnId: string): Promise<CheckpointRecord | undefined> {
    const own = await this.db.get<Row & Record<string, unknown>>(`${SELECT} WHERE c.turn_id = ? AND c.kind = 'before-turn' ORDER BY c.id LIMIT 1`, [turnId]);
    if (own) return recordOf(own);
    const t = await this.db.get<{ session_id: string; started_at: string }>('SELECT session_id, started_at FROM turns WHERE id = ?', [turnId]);
    if (!t) return undefined;
    const prev = await this.db.get<Row & Record<string, unknown>>(
      `${SELECT} WHERE c.session_id = ? AND c.created_at <= ? AND (c.turn_id IS NULL OR c.turn_id != ?) ORDER BY c.id DESC LIMIT 1`, [t.session_id, t.started_at, turnId]);
    return prev ? recordOf(prev) : undefined;
  }

  async hasBeforeTurn(turnId: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 AS x FROM checkpoints WHERE turn_id = ? AND kind = 'before-turn'", [turnId])) !== undefined;
  }

  /** The session a checkpoint without a turn belongs to: the one used last. */
  async currentSession(): Promise<string | null> {
    return (await this.db.get<{ id: string }>('SELECT id FROM sessions ORDER BY updated_at DESC, rowid DESC LIMIT 1'))?.id ?? null;
  }

  /** One query (a checkpoint before a change waits for it): the visible turns and their totals. */
  async conversation(sessionId: string): Promise<ConversationState> {
    const visible = 'IN (SELECT id FROM turns WHERE session_id = $s AND hidden_by IS NULL)';
    const r = await this.db.get<{ turns: string | null; messages: number; toolCalls: number; approvals: number; i: number | null; o: number | null; c: number | null; unpriced: number | null }>(
      `SELECT (SELECT json_group_array(id) FROM (SELECT id FROM turns WHERE session_id = $s AND hidden_by IS NULL ORDER BY seq)) AS turns,
              (SELECT COUNT(*) FROM messages WHERE turn_id ${visible}) AS messages,
              (SELECT COUNT(*) FROM tool_calls WHERE turn_id ${visible}) AS toolCalls,
              (SELECT COUNT(*) FROM audit WHERE kind = 'decision' AND actor = 'user' AND session_id = $s) AS approvals,
              u.i, u.o, u.c, u.unpriced
       FROM (SELECT SUM(input_tokens) AS i, SUM(output_tokens) AS o, SUM(cost_usd) AS c, SUM(cost_usd IS NULL) AS unpriced FROM usage WHERE turn_id ${visible}) u`,
      [sessionId] as unknown[]);
    return ConversationState.parse({
      sessionId, turns: JSON.parse(r?.turns ?? '[]') as unknown,
      messages: r?.messages ?? 0, toolCalls: r?.toolCalls ?? 0, approvals: r?.approvals ?? 0,
      usage: { inputTokens: r?.i ?? 0, outputTokens: r?.o ?? 0, costUsd: r?.unpriced ? null : r?.c ?? 0 },
    });
  }

  /** Turns of the session in the conversation now, and all it ever had. */
  async sessionTurns(sessionId: string): Promise<{ visible: string[]; all: string[] }> {
    const rows = await this.db.all<{ id: string; hidden_by: string | null }>('SELECT id, hidden_by FROM turns WHERE session_id = ? ORDER BY seq', [sessionId]);
    return { visible: rows.filter((r) => r.hidden_by === null).map((r) => r.id), all: rows.map((r) => r.id) };
  }

  async runningTurns(): Promise<{ id: string; ownerPid: number }[]> {
    return (await this.db.all<{ id: string; owner_pid: number }>("SELECT id, owner_pid FROM turns WHERE status = 'running'")).map((r) => ({ id: r.id, ownerPid: r.owner_pid }));
  }

  async rollbackDone(id: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM rollbacks WHERE id = ?', [id])) !== undefined;
  }

  /**
   * The database half of a rollback, in one transaction: the session's conversation becomes
   * exactly `visible` (other turns are hidden, never deleted), and the rollback is recorded.
   */
  async commitRollback(r: {
    id: string; checkpointId: number; backupId: number; mode: RestoreMode; summary: string; startedAt: string;
    conversation: { sessionId: string; visible: string[] } | null;
    /** The after-rollback checkpoint (its conversation is read once the turns are updated). */
    after: { manifest: Manifest; sessionId: string | null; label: string };
  }): Promise<void> {
    await this.db.transaction(async () => {
      if (r.conversation) {
        const { sessionId, visible } = r.conversation;
        const marks = visible.map(() => '?').join(',');
        await this.db.run(`UPDATE turns SET hidden_by = ? WHERE session_id = ? AND hidden_by IS NULL${visible.length ? ` AND id NOT IN (${marks})` : ''}`, [r.id, sessionId, ...visible]);
        if (visible.length) await this.db.run(`UPDATE turns SET hidden_by = NULL WHERE session_id = ? AND id IN (${marks})`, [sessionId, ...visible]);
      }
      const m: Manifest = { ...r.after.manifest, conversation: r.after.sessionId ? await this.conversation(r.after.sessionId) : null };
      await this.db.run('INSERT INTO checkpoints (kind, label, session_id, turn_id, created_at, manifest) VALUES (?, ?, ?, ?, ?, ?)',
        ['after-rollback', r.after.label, r.after.sessionId, null, new Date().toISOString(), JSON.stringify(m)]);
      await this.db.run('INSERT INTO rollbacks (id, checkpoint_id, backup_id, mode, summary, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [r.id, r.checkpointId, r.backupId, r.mode, r.summary, r.startedAt, new Date().toISOString()]);
    });
  }

  /** Whether the audit log already has the record of this rollback (recovery appends it at most once). */
  async audited(rollbackId: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 AS x FROM audit WHERE kind = 'rollback' AND json_extract(body, '$.data.rollbackId') = ?", [rollbackId])) !== undefined;
  }
}
