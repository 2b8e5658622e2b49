// Replaying a turn from its checkpoint, in a scratch copy of the workspace (the real one is never
// touched). Deterministic: the model's recorded answers are fed back, the tool calls run again for
// real on the checkpoint's files, and each result, and the files at the end, are compared with the
// recording. Live: the model is asked again (same history, same prompt) and the outcome compared.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LanguageModel, ModelMessage } from 'ai';
import { AuditLog } from '../audit/log';
import { ChangeApplier, type GateDecision } from '../agent/changes';
import { Fuel } from '../agent/fuel';
import { runTurn } from '../agent/loop';
import { createModel, parseModelRef, type ModelFactory } from '../agent/models';
import { systemPrompt } from '../agent/prompt';
import { parseRecorded } from '../agent/instructions/record';
import { promptAt } from '../agent/instructions/render';
import { commandEnv, Redactor } from '../secrets';
import { buildTools } from '../agent/tools';
import { readDisk, type RunGuard, type ToolContext } from '../agent/tools/spec';
import { ToolError, Workspace } from '../agent/workspace';
import type { Manifest } from '../checkpoints/manifest';
import type { Checkpoints } from '../checkpoints/service';
import { scanFolder } from '../checkpoints/scan';
import { ShadowRepo } from '../checkpoints/shadowRepo';
import type { ReplayReport, ToolCard } from '../protocol';
import { openStore } from '../store/open';
import type { Db } from '../store/sqlite';
import type { RunTrust, ToolCallToJudge, Trust } from '../trust/runTrust';
import { RecordedStep, recordedModel } from './recordedModel';
import { ALL_TOOLS } from '../agent/tools';
import { discoverSkills, userSkillsDir } from '../skills/discover';
import { skillGuard } from '../skills/guard';
import { skillIndexSection } from '../skills/prompt';
import { recordedSkills } from '../skills/record';
import { SkillSession } from '../skills/session';
import { defaultLoaded } from '../trust/policy';
import { silentLogger } from '../logger';

export type ReplayMode = 'deterministic' | 'live';

type ToolCallComparison = ReplayReport['toolCalls'][number];

export interface ReplayDeps {
  db: Db;
  checkpoints: Checkpoints;
  env: NodeJS.ProcessEnv;
  modelFactory?: ModelFactory;
  /**
   * The backend's trust layer (policy, approvals, audit): every command a replay would run, in
   * either mode, is judged by it as in a live turn, and asked about when the policy asks. Without
   * it a replay runs no command at all.
   */
  trust?: Trust;
  /** Stops a replay waiting for an approval. */
  signal?: AbortSignal;
}

/** Results of commands say how long they took: that is not a difference. */
const normalize = (s: string) => s.replace(/ in \d+(\.\d+)? s\b/g, ' in … s');

const textOf = (steps: RecordedStep[]) => steps.map((s) => (typeof s.content === 'string' ? s.content
  : s.content.map((p) => (p.type === 'text' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join(''))).join('');

/** Finds a turn by id, or by `<session id or its prefix>:<turn number from 1>` (as `torbit replay` takes it). */
export async function resolveTurn(db: Db, ref: string): Promise<string> {
  const m = /^([^:]+):(.+)$/.exec(ref);
  if (!m) {
    if (await db.get('SELECT 1 AS x FROM turns WHERE id = ?', [ref])) return ref;
    throw new Error(`there is no turn ${ref} (give <session>:<turn>, e.g. 3f2a:2)`);
  }
  const [, s, t] = m as unknown as [string, string, string];
  const sessions = await db.all<{ id: string }>("SELECT id FROM sessions WHERE id = ? OR id LIKE ? || '%'", [s, s]);
  if (sessions.length !== 1) throw new Error(sessions.length ? `session ${s} is ambiguous: give more of its id` : `there is no session ${s}`);
  const sid = sessions[0]!.id;
  const row = /^\d+$/.test(t)
    ? await db.get<{ id: string }>('SELECT id FROM turns WHERE session_id = ? AND seq = ?', [sid, Number(t) - 1])
    : await db.get<{ id: string }>('SELECT id FROM turns WHERE session_id = ? AND id = ?', [sid, t]);
  if (!row) throw new Error(`session ${sid} has no turn ${t}`);
  return row.id;
}

/** Writes a folder as a snapshot holds it into `dir`. */
async function materialize(repo: ShadowRepo, f: Manifest['folders'][number], dir: string): Promise<void> {
  const entries = await repo.entries(f.commit);
  const blobs = await repo.blobs(entries.map((e) => e.oid));
  for (const e of entries) {
    const abs = path.join(dir, e.path);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (e.mode === '120000') fs.symlinkSync(blobs.get(e.oid)!.toString(), abs);
    else fs.writeFileSync(abs, blobs.get(e.oid)!, { mode: e.mode === '100755' ? 0o755 : 0o644 });
  }
  for (const d of f.emptyDirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
}

/**
 * Edits and reads only touch the scratch copy, so a replay approves them (a deterministic one
 * keeps what the person rejected then). A command reaches beyond the copy (it runs as the person,
 * with their network and home), so an approval given when the turn was recorded does not carry
 * over: each command is judged again by the policy and, when the policy asks, by the person.
 */
class ReplayGuard implements RunGuard {
  constructor(private readonly decided: Map<string, string>, private readonly mode: ReplayMode, private readonly commands: RunTrust | undefined) {}
  async judge(call: ToolCallToJudge): Promise<{ approved: boolean; reason: string }> {
    if (this.mode === 'deterministic' && this.decided.get(call.toolCallId) === 'rejected') return { approved: false, reason: 'rejected when the turn was recorded' };
    if (call.proposal.kind === 'command') {
      return this.commands ? this.commands.judge(call) : { approved: false, reason: 'this replay cannot ask anyone, so it runs no command' };
    }
    return { approved: true, reason: this.mode === 'deterministic' ? 'as recorded' : 'replay' };
  }
  read = readDisk;
  gate = (change: { after: string }): Promise<GateDecision> => Promise.resolve({ approved: true, after: change.after });
  /** Called by run_command only: the trust layer checks that this command was approved. */
  consume(toolCallId: string): { readOnlyGit?: boolean } {
    if (!this.commands) throw new ToolError('this command was not approved');
    return this.commands.consume(toolCallId);
  }
  protectedMatcher(): (p: string) => boolean { return () => false; }
}

export async function replayTurn(d: ReplayDeps, turnId: string, mode: ReplayMode): Promise<ReplayReport> {
  const turn = await d.db.get<{ session_id: string; user_text: string; model: string; instructions: string | null }>('SELECT session_id, user_text, model, instructions FROM turns WHERE id = ?', [turnId]);
  if (!turn) throw new Error(`there is no turn ${turnId}`);
  // The instructions as the turn had them, step by step: the recorded text, never the files again
  // (the copy holds the checkpoint's files, and the person's own AGENTS.md may have changed since).
  const instructions = parseRecorded(turn.instructions);
  if (turn.instructions && !instructions) throw new Error('this turn\'s recorded instructions are damaged, so it cannot be replayed as it ran');
  const before = await d.checkpoints.store.beforeTurn(turnId);
  if (!before) throw new Error('this turn has no checkpoint to start from (it was recorded before checkpoints existed)');
  const after = (await d.db.get<{ id: number }>("SELECT id FROM checkpoints WHERE turn_id = ? AND kind = 'after-turn' ORDER BY id LIMIT 1", [turnId]));
  const afterRec = after ? (await d.checkpoints.store.get(after.id))?.record : undefined;
  const recordedCalls = await d.db.all<{ id: string; tool: string; status: string; result: string | null; output: string | null }>(
    'SELECT id, tool, status, result, output FROM tool_calls WHERE turn_id = ? ORDER BY started_at, rowid', [turnId]);
  const stored = (await d.db.all<{ content: string }>('SELECT content FROM messages WHERE turn_id = ? ORDER BY id', [turnId])).map((r) => JSON.parse(r.content) as { role: string });
  const steps = stored.filter((m) => m.role === 'assistant').map((m) => RecordedStep.parse(m));
  // The conversation as the turn saw it: the turns in the conversation at its checkpoint.
  const earlier = (before.manifest.conversation?.turns ?? []).filter((t) => t !== turnId);
  const history: ModelMessage[] = [];
  for (const t of earlier) {
    for (const r of await d.db.all<{ content: string }>('SELECT content FROM messages WHERE turn_id = ? ORDER BY id', [t])) history.push(JSON.parse(r.content) as ModelMessage);
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-replay-'));
  try {
    const dirs: string[] = [];
    for (const f of before.manifest.folders) {
      const dir = path.join(scratch, 'ws', String(dirs.length), path.basename(f.folder));
      fs.mkdirSync(dir, { recursive: true });
      await materialize(await ShadowRepo.open(path.join(path.dirname(d.db.file), 'checkpoints'), f.folder), f, dir);
      dirs.push(dir);
    }
    const workspace = await Workspace.open(dirs);
    const { db: scratchDb } = await openStore(path.join(scratch, 'replay.db'), { mode: 'migrate' });
    const replayed = new Map<string, ToolCard & { output?: string }>();
    const ran = new Set<string>();
    try {
      const spec = parseModelRef(turn.model);
      const model: LanguageModel = mode === 'deterministic' ? recordedModel(steps, spec.ref) : (d.modelFactory ?? createModel)(spec, d.env);
      const redact = new Redactor(d.env);
      // The skills as the turn loaded them (the after-turn checkpoint keeps each SKILL.md's text);
      // a turn recorded without that record finds them in the checkpoint's files.
      const knownTools = ALL_TOOLS.map((t) => t.name);
      const discover = { roots: workspace.roots, userDir: userSkillsDir(d.env), includeWorkspace: true, knownTools };
      const folderOf = (displayDir: string) => {
        const [first, ...rest] = displayDir.split('/');
        const root = workspace.multiRoot ? workspace.roots.find((r) => r.name === first) : workspace.roots[0];
        try { return root ? fs.realpathSync(path.join(root.path, ...(workspace.multiRoot ? rest : [displayDir]))) : undefined; } catch { return undefined; }
      };
      const skills = new SkillSession({
        discover,
        recorded: afterRec?.manifest.skills ? recordedSkills(afterRec.manifest.skills, { userDir: discover.userDir, folderOf, knownTools }) : discoverSkills(discover),
      });
      const replayGuard = new ReplayGuard(new Map(recordedCalls.map((c) => [c.id, c.status])), mode,
        d.trust?.forRun({ sessionId: turn.session_id, turnId }, d.signal ?? new AbortController().signal, () => 0, (t) => redact.text(t)));
      const ctx: ToolContext = {
        workspace: workspace.withReadOnly(() => skills.readOnlyRoots()),
        skills,
        limits: { commandTimeoutMs: 300_000, maxOutputBytes: 200_000, maxReadBytes: 256 * 1024, maxSearchResults: 200, maxListedFiles: 2000 },
        redact, changes: new ChangeApplier(scratchDb, new AuditLog(scratchDb)), scope: { sessionId: null, turnId: null },
        commandEnv: commandEnv(d.env),
        guard: skillGuard(replayGuard, skills, {
          audit: d.trust?.o.audit ?? new AuditLog(scratchDb), policy: () => d.trust?.policy() ?? defaultLoaded(),
          scope: { sessionId: turn.session_id, turnId }, redact: (t) => redact.text(t), log: silentLogger,
        }),
        beforeChange: () => Promise.resolve(),
      };
      const built = buildTools(ctx, true, {
        start: (card) => { ran.add(card.toolCallId); replayed.set(card.toolCallId, { ...card }); },
        update: (card) => { replayed.set(card.toolCallId, { ...replayed.get(card.toolCallId), ...card }); },
        output: (id, chunk) => { const c = replayed.get(id); if (c) c.output = (c.output ?? '') + chunk; },
        end: (card) => { replayed.set(card.toolCallId, { ...replayed.get(card.toolCallId), ...card }); },
      });
      const system = (n: number) => systemPrompt(workspace, true, undefined, skillIndexSection(skills), instructions ? promptAt(instructions, n) : undefined);
      const out = await runTurn({
        model, spec, system: system(0), systemForStep: (n) => Promise.resolve(system(n)), history,
        activeTools: () => skills.activeTools(Object.keys(built.tools)), userText: recordedPrompt(stored) ?? turn.user_text, tools: built.tools, approve: built.approve,
        maxSteps: Math.max(steps.length, 1) + (mode === 'live' ? 24 : 0), maxRetries: 0, fuel: new Fuel(undefined, { usd: 0, tokens: 0 }), signal: new AbortController().signal,
        redact: (s) => redact.text(s), onText: () => undefined, onStepUsage: () => undefined,
        onRejectedToolCall: (card) => { replayed.set(card.toolCallId, card); }, ranToolCalls: ran,
      });
      await built.settled();
      const toolCalls: ToolCallComparison[] = [];
      const ids = [...new Set([...recordedCalls.map((c) => c.id), ...replayed.keys()])];
      for (const id of ids) {
        const r = recordedCalls.find((c) => c.id === id);
        const p = replayed.get(id);
        const rec = r ? { status: r.status, result: normalize(r.result ?? ''), output: r.output ?? '' } : null;
        const rep = p ? { status: p.status, result: normalize(p.result ?? ''), output: p.output ?? '' } : null;
        toolCalls.push({ toolCallId: id, tool: r?.tool ?? p?.tool ?? '?', recorded: rec, replayed: rep, same: JSON.stringify(rec) === JSON.stringify(rep) });
      }
      const files: ReplayReport['files'] = [];
      if (afterRec) {
        for (let i = 0; i < before.manifest.folders.length; i++) {
          const folder = before.manifest.folders[i]!.folder;
          const want = afterRec.manifest.folders.find((f) => f.folder === folder);
          if (!want) continue;
          const real = await ShadowRepo.open(path.join(path.dirname(d.db.file), 'checkpoints'), folder);
          const mine = await ShadowRepo.open(path.join(scratch, 'shadow'), dirs[i]!);
          const scan = await scanFolder(dirs[i]!);
          const snap = await mine.snapshot(scan.files, 'replay');
          if (snap.tree === want.tree) continue;
          const a = new Map((await real.entries(want.commit)).map((e) => [e.path, e.oid]));
          const b = new Map((await mine.entries(snap.commit)).map((e) => [e.path, e.oid]));
          for (const p of [...new Set([...a.keys(), ...b.keys()])].sort()) {
            if (a.get(p) !== b.get(p)) files.push({ folder, path: p, recorded: a.get(p) ?? null, replayed: b.get(p) ?? null });
          }
        }
      }
      const recordedText = textOf(steps);
      const text = { recorded: recordedText, replayed: out.text, same: recordedText === out.text };
      return {
        turnId, sessionId: turn.session_id, mode, checkpointId: before.id, toolCalls, files, filesCompared: afterRec !== undefined, text,
        same: toolCalls.every((c) => c.same) && files.length === 0 && text.same && out.status !== 'error',
      };
    } finally {
      await scratchDb.close();
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The prompt the turn asked its model, as recorded: a custom command's expansion is the file as it
 * was then, so replay never reads the command file again. Without a stored user message, the typed text.
 */
function recordedPrompt(stored: { role: string; content?: unknown }[]): string | undefined {
  const first = stored.find((m) => m.role === 'user');
  return typeof first?.content === 'string' ? first.content : undefined;
}
