// The one place where a tool's proposed change to a file becomes real: the run's gate says what
// was approved (all of it, some hunks, or nothing), and what is written is recorded and audited.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { AuditLog } from '../audit/log';
import type { Db } from '../store/sqlite';
import type { Resolved } from './workspace';

export interface ProposedChange {
  target: Resolved;
  /** The file's content before, or null when the change creates it. */
  before: string | null;
  after: string;
  tool: string;
  toolCallId: string;
}

export interface AppliedChange {
  id: number;
  kind: 'create' | 'modify';
  shaBefore: string | null;
  shaAfter: string;
  /** What was written: the proposal, or the part of it that was approved. */
  content: string;
  /** Said to the model when only part of the change was approved. */
  note?: string;
}

export type GateDecision = { approved: true; after: string; note?: string } | { approved: false; reason: string };

/** Decides whether, and what of, a proposed change may be applied. */
export type ChangeGate = (change: ProposedChange) => Promise<GateDecision>;

export interface ChangeScope {
  sessionId: string | null;
  turnId: string | null;
}

/** Keeps the text before a change (for the diff link and, later, rollback) up to this size. */
const MAX_BEFORE_TEXT = 2 * 1024 * 1024;

export const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

export class ChangeApplier {
  constructor(private readonly db: Db, private readonly audit?: AuditLog, private readonly written: (abs: string) => void = () => undefined) {}

  /** `beforeWrite` runs once the change is approved, before the file is touched (the turn's checkpoint). */
  async apply(proposed: ProposedChange, scope: ChangeScope, gate: ChangeGate, beforeWrite?: () => Promise<void>): Promise<AppliedChange> {
    const decision = await gate(proposed);
    if (!decision.approved) throw new Error(`the change to ${proposed.target.display} was not applied: ${decision.reason}`);
    await beforeWrite?.();
    const change = { ...proposed, after: decision.after };
    const abs = change.target.abs;
    await fs.mkdir(path.dirname(abs), { recursive: true });
    // Write beside the file, then rename: a crash never leaves half a file behind.
    const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.torbit-${process.pid}-${Date.now()}.tmp`);
    const mode = await fs.stat(abs).then((s) => s.mode, () => undefined);
    await fs.writeFile(tmp, change.after, mode !== undefined ? { mode } : {});
    try {
      await fs.rename(tmp, abs);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    this.written(abs);
    const applied = {
      kind: change.before === null ? 'create' as const : 'modify' as const,
      shaBefore: change.before === null ? null : sha256(change.before),
      shaAfter: sha256(change.after),
    };
    const r = await this.db.run(
      `INSERT INTO changes (session_id, turn_id, tool_call_id, path, abs_path, kind, sha_before, sha_after, before_text, applied_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [scope.sessionId, scope.turnId, change.toolCallId, change.target.display, abs, applied.kind, applied.shaBefore, applied.shaAfter,
        change.before !== null && change.before.length <= MAX_BEFORE_TEXT ? change.before : null, new Date().toISOString()]);
    await this.audit?.append({
      kind: 'change', actor: 'system', sessionId: scope.sessionId, turnId: scope.turnId,
      data: { changeId: r.lastID, path: change.target.display, change: applied.kind, shaBefore: applied.shaBefore, shaAfter: applied.shaAfter, tool: change.tool, toolCallId: change.toolCallId },
    });
    return { id: r.lastID, ...applied, content: change.after, ...(decision.note ? { note: decision.note } : {}) };
  }

  /** The files (absolute paths) a turn's changes wrote, in the order first written. */
  async filesOf(turnId: string): Promise<string[]> {
    const rows = await this.db.all<{ abs_path: string }>('SELECT abs_path FROM changes WHERE turn_id = ? GROUP BY abs_path ORDER BY MIN(id)', [turnId]);
    return rows.map((r) => r.abs_path);
  }

  /** A recorded change with the text before it and the file as it is now, for a diff. */
  async get(id: number): Promise<{ path: string; absPath: string; before: string | null; after: string | null } | undefined> {
    const row = await this.db.get<{ path: string; abs_path: string; before_text: string | null }>('SELECT path, abs_path, before_text FROM changes WHERE id = ?', [id]);
    if (!row) return undefined;
    const after = await fs.readFile(row.abs_path, 'utf8').catch(() => null);
    return { path: row.path, absPath: row.abs_path, before: row.before_text, after };
  }
}
