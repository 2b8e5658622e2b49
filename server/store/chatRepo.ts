// Sessions, turns, their parts, tool calls, usage and the model conversation: the only code
// that knows the chat tables. Rows read back are checked against the protocol's schemas.
import { randomUUID } from 'node:crypto';
import { RunError, SessionSummary, ToolCard, Turn, type ErrorCode, type ToolStatus, type TurnPart, type TurnStatus, type Usage } from '../protocol';
import type { Db } from './sqlite';
import { parseRecorded, viewOf, type RecordedInstructions } from '../agent/instructions/record';

const now = () => new Date().toISOString();

interface UsageRow { input: number | null; output: number | null; cost: number | null; unpriced: number | null }
function usageOf(r: UsageRow | undefined): Usage {
  // A cost is known only when every step had a price.
  return { inputTokens: r?.input ?? 0, outputTokens: r?.output ?? 0, costUsd: r && r.unpriced ? null : r?.cost ?? 0 };
}
const USAGE_SUM = 'SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cost_usd) AS cost, SUM(cost_usd IS NULL) AS unpriced';

export class ChatRepo {
  constructor(private readonly db: Db) {}

  async createSession(title: string, model: string): Promise<string> {
    const id = randomUUID();
    const t = now();
    await this.db.run('INSERT INTO sessions (id, title, model, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [id, title, model, t, t]);
    return id;
  }

  async sessionExists(id: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM sessions WHERE id = ?', [id])) !== undefined;
  }

  async startTurn(sessionId: string, userText: string, model: string): Promise<string> {
    const id = randomUUID();
    const t = now();
    await this.db.transaction(async () => {
      const row = await this.db.get<{ n: number | null }>('SELECT MAX(seq) AS n FROM turns WHERE session_id = ?', [sessionId]);
      await this.db.run(
        'INSERT INTO turns (id, session_id, seq, user_text, model, status, owner_pid, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [id, sessionId, (row?.n ?? -1) + 1, userText, model, 'running', process.pid, t]);
      await this.db.run('UPDATE sessions SET updated_at = ?, model = ? WHERE id = ?', [t, model, sessionId]);
    });
    return id;
  }

  async endTurn(turnId: string, status: TurnStatus, error?: RunError): Promise<void> {
    await this.db.run(
      'UPDATE turns SET status = ?, error_code = ?, error_message = ?, error_action = ?, ended_at = ? WHERE id = ?',
      [status, error?.code ?? null, error?.message ?? null, error?.action ?? null, now(), turnId]);
    await this.db.run("UPDATE tool_calls SET status = ?, ended_at = ? WHERE turn_id = ? AND status IN ('running', 'awaiting-approval')",
      [status === 'canceled' ? 'canceled' : 'interrupted', now(), turnId]);
  }

  /** The turn's instructions as recorded (JSON; server/agent/instructions/record.ts checks it on read). */
  async setInstructions(turnId: string, json: string): Promise<void> {
    await this.db.run('UPDATE turns SET instructions = ? WHERE id = ?', [json, turnId]);
  }

  async instructions(turnId: string): Promise<RecordedInstructions | undefined> {
    const row = await this.db.get<{ instructions: string | null }>('SELECT instructions FROM turns WHERE id = ?', [turnId]);
    return parseRecorded(row?.instructions);
  }

  /** Writes part `idx` of a turn (a text segment grows while it streams). */
  async putTextPart(turnId: string, idx: number, text: string): Promise<void> {
    await this.db.run(
      `INSERT INTO turn_parts (turn_id, idx, kind, text) VALUES (?, ?, 'text', ?)
       ON CONFLICT (turn_id, idx) DO UPDATE SET text = excluded.text`, [turnId, idx, text]);
  }

  async startToolCall(turnId: string, idx: number, card: ToolCard, input: unknown): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(
        'INSERT INTO tool_calls (id, turn_id, tool, input, summary, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [card.toolCallId, turnId, card.tool, JSON.stringify(input ?? null), card.summary, card.status, now()]);
      await this.db.run("INSERT INTO turn_parts (turn_id, idx, kind, tool_call_id) VALUES (?, ?, 'tool', ?)", [turnId, idx, card.toolCallId]);
    });
  }

  async updateToolCall(card: ToolCard): Promise<void> {
    await this.db.run('UPDATE tool_calls SET status = ? WHERE id = ?', [card.status, card.toolCallId]);
  }

  async endToolCall(card: ToolCard): Promise<void> {
    await this.db.run(
      'UPDATE tool_calls SET status = ?, result = ?, output = ?, change_id = ?, open_path = ?, ended_at = ? WHERE id = ?',
      [card.status, card.result ?? null, card.output ?? null, card.changeId ?? null, card.openPath ?? null, now(), card.toolCallId]);
  }

  async addUsage(sessionId: string, turnId: string, step: number, model: string, u: Usage): Promise<void> {
    await this.db.run(
      'INSERT INTO usage (session_id, turn_id, step, model, input_tokens, output_tokens, cost_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [sessionId, turnId, step, model, u.inputTokens, u.outputTokens, u.costUsd, now()]);
  }

  async turnUsage(turnId: string): Promise<Usage> {
    return usageOf(await this.db.get<UsageRow & Record<string, unknown>>(`SELECT ${USAGE_SUM} FROM usage WHERE turn_id = ?`, [turnId]));
  }

  async sessionUsage(sessionId: string): Promise<Usage> {
    return usageOf(await this.db.get<UsageRow & Record<string, unknown>>(
      `SELECT ${USAGE_SUM} FROM usage WHERE session_id = ? AND turn_id IN (SELECT id FROM turns WHERE session_id = ? AND hidden_by IS NULL)`, [sessionId, sessionId]));
  }

  async appendMessages(sessionId: string, turnId: string, messages: { role: string }[]): Promise<void> {
    await this.db.transaction(async () => {
      for (const m of messages) {
        await this.db.run('INSERT INTO messages (session_id, turn_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)',
          [sessionId, turnId, m.role, JSON.stringify(m), now()]);
      }
    });
  }

  /** The model conversation of a session, oldest first (parsed by the caller's schema); turns a rollback took out are left out. */
  async messages(sessionId: string): Promise<unknown[]> {
    const rows = await this.db.all<{ content: string }>(
      'SELECT m.content FROM messages m JOIN turns t ON t.id = m.turn_id WHERE m.session_id = ? AND t.hidden_by IS NULL ORDER BY m.id', [sessionId]);
    return rows.map((r) => JSON.parse(r.content) as unknown);
  }

  /**
   * Turns left 'running' by a process that is gone (window reload, crash) become 'interrupted';
   * a run of a live process (another window, the CLI) is left alone.
   */
  async markInterrupted(isAlive: (pid: number) => boolean): Promise<number> {
    const rows = await this.db.all<{ id: string; owner_pid: number }>("SELECT id, owner_pid FROM turns WHERE status = 'running'");
    let n = 0;
    for (const r of rows) {
      if (r.owner_pid !== process.pid && isAlive(r.owner_pid)) continue;
      await this.endTurn(r.id, 'interrupted');
      n++;
    }
    return n;
  }

  async listSessions(limit = 50): Promise<SessionSummary[]> {
    const rows = await this.db.all<{ id: string }>('SELECT id FROM sessions ORDER BY updated_at DESC, rowid DESC LIMIT ?', [limit]);
    const out: SessionSummary[] = [];
    for (const r of rows) {
      const s = await this.summary(r.id);
      if (s) out.push(s);
    }
    return out;
  }

  async summary(id: string): Promise<SessionSummary | undefined> {
    const s = await this.db.get<{ id: string; title: string; model: string; created_at: string; updated_at: string; turns: number }>(
      'SELECT s.*, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id AND t.hidden_by IS NULL) AS turns FROM sessions s WHERE s.id = ?', [id]);
    if (!s) return undefined;
    return SessionSummary.parse({
      id: s.id, title: s.title, model: s.model, createdAt: s.created_at, updatedAt: s.updated_at, turns: s.turns, usage: await this.sessionUsage(id),
    });
  }

  async transcript(sessionId: string): Promise<Turn[]> {
    const turns = await this.db.all<{
      id: string; user_text: string; model: string; status: string; error_code: string | null; error_message: string | null;
      error_action: string | null; started_at: string; instructions: string | null;
    }>('SELECT * FROM turns WHERE session_id = ? AND hidden_by IS NULL ORDER BY seq', [sessionId]);
    const out: Turn[] = [];
    for (const t of turns) {
      const parts = await this.db.all<{ kind: string; text: string | null; tool_call_id: string | null } & ToolRow>(
        `SELECT p.kind, p.text, p.tool_call_id, c.tool, c.summary, c.status, c.result, c.output, c.change_id, c.open_path
         FROM turn_parts p LEFT JOIN tool_calls c ON c.id = p.tool_call_id WHERE p.turn_id = ? ORDER BY p.idx`, [t.id]);
      const recorded = parseRecorded(t.instructions);
      const error = t.error_code ? RunError.parse({ code: t.error_code as ErrorCode, message: t.error_message ?? '', action: t.error_action ?? undefined }) : undefined;
      out.push(Turn.parse({
        id: t.id, userText: t.user_text, model: t.model, status: t.status, error, startedAt: t.started_at,
        usage: await this.turnUsage(t.id),
        ...(recorded ? { instructions: viewOf(recorded) } : {}),
        parts: parts.map((p): TurnPart => (p.kind === 'text' ? { kind: 'text', text: p.text ?? '' } : { kind: 'tool', card: cardOf(p) })),
      }));
    }
    return out;
  }

  async runningTurn(sessionId: string): Promise<string | null> {
    const r = await this.db.get<{ id: string }>("SELECT id FROM turns WHERE session_id = ? AND status = 'running' ORDER BY seq DESC LIMIT 1", [sessionId]);
    return r?.id ?? null;
  }
}

type ToolRow = {
  tool_call_id: string | null; tool: string | null; summary: string | null; status: string | null; result: string | null;
  output: string | null; change_id: number | null; open_path: string | null;
};

function cardOf(r: ToolRow): ToolCard {
  return ToolCard.parse({
    toolCallId: r.tool_call_id, tool: r.tool, summary: r.summary, status: r.status as ToolStatus,
    result: r.result ?? undefined, output: r.output ?? undefined, changeId: r.change_id ?? undefined, openPath: r.open_path ?? undefined,
  });
}
