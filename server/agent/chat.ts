// Runs chat turns: sessions, the model, the tools and the loop, with every event recorded and
// relayed. Used by the language server (events become torbit/chat/event) and the CLI (printed).
import type { ModelMessage } from 'ai';
import { z } from 'zod';
import type { Logger } from '../logger';
import type { AgentSettings, ChatEventParams, RunError, TurnStatus } from '../protocol';
import type { AuditLog } from '../audit/log';
import type { ChatRepo } from '../store/chatRepo';
import type { Db } from '../store/sqlite';
import type { Confinement, Trust } from '../trust/runTrust';
import type { ChangeFeed } from '../checkpoints/feed';
import type { Checkpoints } from '../checkpoints/service';
import { ChangeApplier } from './changes';
import { addUsage, Fuel, priceOf } from './fuel';
import { runTurn } from './loop';
import { createModel, parseModelRef, type ModelFactory } from './models';
import { systemPrompt } from './prompt';
import { TurnRecorder } from './recorder';
import { commandEnv, Redactor } from '../secrets';
import { buildTools, restrictedModeCard } from './tools';
import type { ToolContext } from './tools/spec';
import { loadCustomCommands, resolvePrompt, type LoadedCommands } from './commands/customCommands';
import type { Workspace } from './workspace';
import { classifyError } from './errors';
import { ALL_TOOLS } from './tools';
import { userSkillsDir } from '../skills/discover';
import { skillGuard } from '../skills/guard';
import { skillIndexSection } from '../skills/prompt';
import { SkillSession } from '../skills/session';
import { InstructionSettings } from '../protocol';
import { auditOf, refsOf } from './instructions/record';
import { InstructionSet, type InstructionOptions } from './instructions/turn';

export interface ChatDeps {
  db: Db;
  repo: ChatRepo;
  workspace: Workspace | null;
  trusted: boolean;
  settings: AgentSettings;
  env: NodeJS.ProcessEnv;
  log: Logger;
  sink: (p: ChatEventParams) => void;
  modelFactory?: ModelFactory;
  audit: AuditLog;
  /** Judges every tool call before it runs. */
  trust: Trust;
  /** Hears of every file Torbit writes (so checkpoints need not scan for them). */
  feed?: ChangeFeed;
  /** Checkpoints before a turn's first change and after the turn. */
  checkpoints?: Checkpoints;
  /** Which instruction files turns read (torbit.instructions.*), and the person's own AGENTS.md; none of the person's without it. */
  instructions?: Omit<InstructionOptions, 'env'>;
}

export interface SendParams {
  sessionId?: string;
  text: string;
  model: string;
  baseUrl?: string;
  /** Holds the turn to fewer files than the policy allows, and to no commands (Ship's heal round). */
  confine?: Confinement;
  /** The Ship run this turn is the heal round of: while Ship holds the chat, only its own turns start. */
  forShip?: string;
}

/** A stored message is ours, but it is read back from disk: check its outline before use. */
const StoredMessage = z.object({ role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.unknown() }).passthrough();

/** A session held for one turn, from before its first await until the turn ends; release is idempotent. */
interface Claim {
  /** The new session has its id now: hold it by name. */
  named(sessionId: string): void;
  release(): void;
}

/** A send refused because the session (or the workspace, during Ship) is busy: the caller's to fix. */
export class ChatRefused extends Error {}

export class ChatService {
  private readonly running = new Map<string, { controller: AbortController; sessionId: string; done: Promise<TurnStatus> }>();
  /** Sessions with a turn starting or running: claimed synchronously, so two sends cannot both start one. */
  private readonly claimed = new Set<string>();
  /** Sends still creating their new session (claimed, but with no id yet). */
  private creating = 0;
  /** The Ship run holding the chat: its heal turn's edits are committed, so no other turn may run meanwhile. */
  private shipRun: string | undefined;
  private readonly redact: Redactor;
  private readonly changes: ChangeApplier;

  constructor(private readonly d: ChatDeps) {
    this.redact = new Redactor(d.env);
    this.changes = new ChangeApplier(d.db, d.audit, (abs) => d.feed?.touched([abs]));
  }

  /** Whether any turn runs now (or is starting). */
  busy(): boolean {
    return this.claimed.size > 0 || this.creating > 0;
  }

  /** The workspace's custom slash commands (.torbit/commands/*.md), read now. */
  async customCommands(): Promise<LoadedCommands> {
    return this.d.workspace ? loadCustomCommands(this.d.workspace) : { commands: [], problems: [] };
  }

  /** Starts a turn and answers at once; the turn streams through the sink. */
  async send(p: SendParams): Promise<{ sessionId: string; turnId: string; done: Promise<TurnStatus> }> {
    const spec = parseModelRef(p.model, p.baseUrl);
    // Claimed before the first await: a second send to the session (or a turn during Ship) is refused, not raced.
    const claim = this.claim(p.sessionId, p.forShip);
    let turnId: string;
    let sessionId: string;
    try {
      if (p.sessionId) {
        if (!(await this.d.repo.sessionExists(p.sessionId))) throw new Error(`there is no session ${p.sessionId}`);
        sessionId = p.sessionId;
      } else {
        sessionId = await this.d.repo.createSession(titleOf(p.text), spec.ref);
        claim.named(sessionId);
      }
      turnId = await this.d.repo.startTurn(sessionId, p.text, spec.ref);
    } catch (err) {
      claim.release();
      throw err;
    }
    const controller = new AbortController();
    const sid = sessionId;
    const tid = turnId;
    // Start on the next turn of the event loop, so the caller's answer goes out before any event.
    const done = new Promise<TurnStatus>((resolve) => setImmediate(() => resolve(this.run(sid, tid, p.text, spec, controller.signal, claim, p.confine))));
    this.running.set(turnId, { controller, sessionId, done });
    void done.finally(() => { this.running.delete(tid); claim.release(); });
    return { sessionId, turnId, done };
  }

  /** Holds `sessionId` (or a session yet to be created) for one turn, with no await between the check and the hold. */
  private claim(sessionId: string | undefined, forShip: string | undefined): Claim {
    if (forShip !== this.shipRun) {
      throw new ChatRefused(this.shipRun !== undefined
        ? `Ship run ${this.shipRun} is running on this workspace, and its heal round commits what changes: start the turn when it ends, or stop it`
        : `Ship run ${forShip} does not hold the chat (it ended, or never reserved it)`);
    }
    if (sessionId !== undefined) {
      if (this.claimed.has(sessionId)) throw new ChatRefused('a turn is already running in this session: stop it first, or wait for it to end');
      this.claimed.add(sessionId);
    } else {
      this.creating++;
    }
    let held: { session: string } | 'creating' | null = sessionId !== undefined ? { session: sessionId } : 'creating';
    const drop = () => {
      if (held === 'creating') this.creating--;
      else if (held) this.claimed.delete(held.session);
      held = null;
    };
    return {
      named: (id) => { drop(); this.claimed.add(id); held = { session: id }; },
      release: drop,
    };
  }

  /**
   * Holds the chat for a Ship run until the returned release is called: ordinary turns are refused
   * meanwhile (the heal turn, sent with forShip, is Ship's own). Refused while a turn starts or runs,
   * or while another Ship run holds it. Synchronous: nothing can start between the check and the hold.
   */
  reserveForShip(shipId: string): () => void {
    if (this.shipRun !== undefined) throw new ChatRefused(`Ship run ${this.shipRun} is already running: wait for it, or stop it`);
    if (this.busy()) throw new ChatRefused('a chat turn is running: wait for it to end, or stop it, then ship');
    this.shipRun = shipId;
    let held = true;
    return () => {
      if (held && this.shipRun === shipId) this.shipRun = undefined;
      held = false;
    };
  }

  /** The files (absolute paths) a turn's tools changed, in the order first changed. */
  changedFiles(turnId: string): Promise<string[]> {
    return this.changes.filesOf(turnId);
  }

  stop(turnId: string): boolean {
    const r = this.running.get(turnId);
    if (!r) return false;
    r.controller.abort();
    return true;
  }

  change(id: number) {
    return this.changes.get(id);
  }

  /**
   * Stops every run and waits for them to be recorded. On shutdown (a window reload, VS Code
   * closing) they are recorded as interrupted, not as stopped by the person.
   */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort('shutdown');
    await Promise.all(all.map((r) => r.done));
  }

  private async run(sessionId: string, turnId: string, text: string, spec: ReturnType<typeof parseModelRef>, signal: AbortSignal, claim: Claim, confine?: Confinement): Promise<TurnStatus> {
    const { repo, settings, log } = this.d;
    const rec = new TurnRecorder(repo, sessionId, turnId, this.d.sink, log);
    const redact = (s: string) => this.redact.text(s);
    rec.start(text, spec.ref);
    const audit = (e: Parameters<AuditLog['append']>[0]) => void this.d.audit.append(e).catch((err: Error) => log.error(`audit: ${err.message}`));
    // A custom command (/name args) asks the model its file's prompt; the chat keeps what was typed.
    const { prompt, command } = await resolvePrompt(this.d.workspace, text).catch((err: Error) => {
      log.warn(`custom command: ${err.message}`);
      return { prompt: text, command: undefined };
    });
    // Read before the prompt is recorded, so its audit record names each file by hash.
    const instr = await InstructionSet.load(this.d.workspace, this.d.trusted,
      { ...(this.d.instructions ?? { settings: InstructionSettings.parse({}), personal: [] }), env: this.d.env, redact },
      (err) => log.warn(`instructions: ${err.message}`));
    if (!instr.empty) rec.instructions(instr.view(), instr.recorded());
    audit({
      kind: 'prompt', actor: 'user', sessionId, turnId,
      data: { text: redact(text), model: spec.ref, ...(command ? { command, prompt: redact(prompt) } : {}), ...(instr.empty ? {} : { instructions: auditOf(instr.recorded()) }) },
    });
    /** The turn's Agent Skills: what the after-turn checkpoint records of them. */
    let skills: SkillSession | undefined;
    const finish = async (status: TurnStatus, error?: RunError, messages: ModelMessage[] = []) => {
      await rec.settled();
      // The turn's audit records land before its end is announced (the CLI closes the database then).
      await this.d.audit.settled();
      const all: ModelMessage[] = [{ role: 'user', content: prompt }, ...messages];
      await repo.appendMessages(sessionId, turnId, all);
      // The turn's state as it ends, conversation included; a failure here is logged, the turn stands.
      await this.d.checkpoints?.afterTurn(sessionId, turnId, refsOf(instr.recorded()), skills?.loaded()).catch((err: Error) => log.error(`checkpoint after turn ${turnId}: ${err.message}`));
      // Forget the run before announcing its end: a client may send its next prompt at once.
      this.running.delete(turnId);
      claim.release();
      await rec.end(status, error);
      log.info(`turn ${turnId} ${status}${error ? `: ${error.message}` : ''}`);
      return status;
    };
    try {
      if (!this.d.workspace) return await finish('error', { code: 'internal', message: 'Open a folder first: Torbit works on a workspace.' });
      let model;
      try {
        model = (this.d.modelFactory ?? createModel)(spec, this.d.env);
      } catch (err) {
        return await finish('error', classifyError(err, spec, redact));
      }
      const history = (await repo.messages(sessionId)).map((m) => StoredMessage.parse(m) as unknown as ModelMessage);
      const sessionBase = await repo.sessionUsage(sessionId);
      const fuel = new Fuel(priceOf(spec.ref, settings.prices), { usd: settings.budgetUsd, tokens: settings.budgetTokens });
      // In restricted mode the repository's skills are not loaded; the person's own are.
      const turnSkills = (skills = new SkillSession({
        discover: { roots: this.d.workspace.roots, userDir: userSkillsDir(this.d.env), includeWorkspace: this.d.trusted, knownTools: ALL_TOOLS.map((t) => t.name) },
        onLoad: (s, toolCallId) => audit({
          kind: 'skill', actor: 'model', sessionId, turnId,
          data: { toolCallId, name: s.view.name, scope: s.view.scope, source: s.view.source, path: s.view.path, sha256: s.view.sha256, contract: s.view.contract, allowedTools: s.view.allowedTools },
        }),
      }));
      const ctx: ToolContext = {
        workspace: this.d.workspace.withReadOnly(() => turnSkills.readOnlyRoots()),
        skills: turnSkills,
        limits: {
          commandTimeoutMs: settings.commandTimeoutSeconds * 1000, maxOutputBytes: settings.maxOutputBytes,
          maxReadBytes: 256 * 1024, maxSearchResults: 200, maxListedFiles: 2000,
        },
        redact: this.redact,
        changes: this.changes,
        scope: { sessionId, turnId },
        commandEnv: commandEnv(this.d.env),
        guard: skillGuard(this.d.trust.forRun({ sessionId, turnId }, signal, () => fuel.turn.costUsd ?? 0, redact, confine), turnSkills, {
          audit: this.d.audit, policy: () => this.d.trust.policy(), scope: { sessionId, turnId }, redact, log,
        }),
        beforeChange: async () => {
          try {
            await this.d.checkpoints?.beforeChange(sessionId, turnId, refsOf(instr.recorded()));
          } catch (err) {
            throw new Error(`no checkpoint could be taken before the change, so it was not made: ${(err as Error).message}`, { cause: err });
          }
        },
      };
      const built = buildTools(ctx, this.d.trusted, {
        start: (card, input) => rec.toolStart(card, input),
        update: (card) => rec.toolUpdate(card),
        output: (id, chunk) => rec.toolOutput(id, chunk),
        end: (card) => {
          rec.toolEnd(card);
          // A file the turn read or changed may bring its folder's AGENTS.md and matching rules into the next step.
          if (card.status === 'ok' && card.openPath) instr.touch(card.openPath);
          audit({ kind: 'tool-call', actor: 'model', sessionId, turnId, data: { toolCallId: card.toolCallId, tool: card.tool, summary: card.summary, status: card.status, result: card.result ?? null } });
        },
      }, !confine);
      let stepNo = 0;
      const system = () => systemPrompt(this.d.workspace, this.d.trusted, confine?.describe, skillIndexSection(turnSkills), instr.prompt());
      const systemForStep = async (n: number) => {
        if (await instr.beginStep(n)) {
          rec.instructions(instr.view(), instr.recorded());
          audit({ kind: 'note', actor: 'system', sessionId, turnId, data: { note: 'instructions', step: n, ...auditOf({ ...instr.at(n), restricted: instr.restricted }) } });
        }
        return system();
      };
      const out = await runTurn({
        model, spec, system: system(), systemForStep, history, userText: prompt, tools: built.tools, approve: built.approve,
        activeTools: () => turnSkills.activeTools(Object.keys(built.tools)),
        maxSteps: settings.maxSteps, maxRetries: settings.maxRetries, fuel, signal, redact,
        onText: (t) => rec.textDelta(t),
        onStepUsage: (step) => rec.usage(step, fuel.turn, addUsage(sessionBase, fuel.turn), stepNo++, spec.ref),
        onRejectedToolCall: (card) => rec.rejectedToolCall((!this.d.trusted && restrictedModeCard(card)) || card),
        ranToolCalls: rec.ran,
      });
      // A stopped command is killed with SIGTERM, then SIGKILL after 2 s: wait for its card to close.
      await Promise.race([built.settled(), new Promise((r) => setTimeout(r, 5000).unref())]);
      if (out.status === 'canceled' && signal.reason === 'shutdown') out.status = 'interrupted';
      // A turn that did not finish keeps what the model said, so the next turn has the context.
      const note = out.status === 'canceled' ? 'stopped by the user' : out.status === 'interrupted' ? 'interrupted' : 'cut short by an error';
      const messages: ModelMessage[] = out.responseMessages.length
        ? out.responseMessages
        : out.text ? [{ role: 'assistant', content: `${out.text}\n\n[${note}]` }] : [];
      return await finish(out.status, out.error, messages);
    } catch (err) {
      log.error(`turn ${turnId}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return await finish('error', { code: 'internal', message: `Torbit failed while running the turn: ${redact((err as Error).message)}` }).catch(() => 'error' as const);
    }
  }
}

function titleOf(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New session';
}
