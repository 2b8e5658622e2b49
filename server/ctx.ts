// The one owner of the backend's state (the server-side twin of extension/ctx.ts). It is built
// once by main.ts, filled by `initialize`, and handed to every handler; the handlers themselves
// keep no state. Each accessor says in one place what a request needs and the error it gets.
import * as path from 'node:path';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { Backend } from './backend';
import type { ChatService } from './agent/chat';
import type { ChatRepo } from './store/chatRepo';
import type { Checkpoints } from './checkpoints/service';
import { Governance } from './trust/governance';
import { ApprovalBroker } from './trust/approvals';
import type { Trust } from './trust/runTrust';
import { RunManager } from './runs/manager';
import { noticeUngatedPushes } from './review/gate';
import type { Logger } from './logger';
import { rpc, type InitOptions, type NotificationDef } from './protocol';
import { notify } from './rpc';
import { personalInstructionFiles } from './agent/instructions/personal';
import type { z } from 'zod';

const notInitialized = () => new ResponseError(ErrorCodes.ServerNotInitialized, 'the Torbit backend has not been initialized yet');

export class ServerCtx {
  /** False until initialize says otherwise: restricted mode refuses every 'trusted' request. */
  trusted = false;
  private backend: Backend | undefined;
  private chatService: { chat: ChatService; repo: ChatRepo } | undefined;
  private governance: Governance | undefined;
  private broker: ApprovalBroker | undefined;
  private checkpointService: Checkpoints | undefined;
  private runTrust: Trust | undefined;
  /** Background runs (EAS builds and submissions); resumed once the client is initialized. */
  private runManager: RunManager | undefined;
  /** The Ship run in progress: one at a time (it tests, commits and pushes the repository). */
  shipping: string | undefined;

  constructor(readonly connection: Connection, readonly log: Logger, readonly env: NodeJS.ProcessEnv) {}

  notify<P extends z.ZodType>(def: NotificationDef<P>, params: z.input<P>): void {
    notify(this.connection, def, params);
  }

  /** Opens the data directory, the store, the chat, governance and runs, as initialize asks. */
  async open(opts: InitOptions): Promise<void> {
    const { log, env } = this;
    this.trusted = opts.trusted;
    const backend = await Backend.open({
      workspace: opts.workspaceFolders[0] ?? null,
      dataDirSetting: opts.dataDirSetting,
      globalStorageDir: opts.globalStorageDir,
      folders: opts.workspaceFolders,
      environmentSetting: opts.environment,
      // Only a trusted workspace's old <folder>/.torbit-data is moved to the data directory.
      trusted: opts.trusted,
      env, log, mode: 'migrate',
    });
    this.backend = backend;
    this.governance = new Governance(backend, { pinnedHash: opts.policyHash, env });
    const broker = new ApprovalBroker({
      timeoutMs: opts.agent.approvalTimeoutSeconds * 1000,
      onRequest: (p) => this.notify(rpc.approvalRequested, p),
      onResolved: (approval, outcome) => this.notify(rpc.approvalResolved, { approval, outcome }),
    });
    this.broker = broker;
    if (backend.store.state !== 'ok') return;
    const opened = await backend.openChat({
      trusted: opts.trusted, settings: opts.agent, env, log,
      instructions: { settings: opts.instructions, personal: personalInstructionFiles(opts.globalStorageDir, env) },
      sink: (p) => this.notify(rpc.chatEvent, p),
      trust: { pinnedHash: opts.policyHash, broker, onAllowancesChanged: (allowances) => this.notify(rpc.allowanceChanged, { allowances }) },
      checkpointOptions: { maxFileBytes: opts.checkpoints.maxFileBytes, onChanged: (e) => this.notify(rpc.checkpointChanged, e) },
    });
    this.chatService = opened;
    this.checkpointService = opened.checkpoints;
    this.runTrust = opened.trust;
    this.runManager = new RunManager({
      db: backend.requireDb(), audit: backend.audit(), log, dataDir: backend.dataDir.dir, env,
      settings: {
        pollMs: opts.eas.pollSeconds * 1000, staleAfterMs: opts.eas.staleAfterSeconds * 1000,
        maxAttempts: opts.eas.maxAttempts, backoffMs: opts.eas.backoffSeconds * 1000,
      },
      changed: (v) => this.notify(rpc.runChanged, v),
      output: (runId, chunk) => this.notify(rpc.runOutput, { runId, chunk }),
    });
    backend.feed.setWatching(opts.fileEvents);
    if (opened.interrupted) log.warn(`${opened.interrupted} turn(s) left running by a previous backend were marked interrupted`);
    // Pushes made around the review gate since the last start (git push --no-verify): recorded, not blocked.
    const audit = backend.audit();
    void Promise.all(backend.folders.map((f) => noticeUngatedPushes({ audit }, f).then((found) => {
      for (const u of found) log.warn(`${u.ref} was pushed to ${u.sha.slice(0, 12)} without the review gate (git push --no-verify?): recorded in the audit log`);
    }, () => undefined)));
  }

  /** Background runs a previous backend left, picked up once the client is listening. */
  async resumeRuns(): Promise<number> {
    return this.runManager ? this.runManager.resume() : 0;
  }

  async close(): Promise<void> {
    this.runManager?.close();
    await this.chatService?.chat.stopAll();
    await this.backend?.close();
  }

  /** The backend, when it exists (the file watcher's events arrive whether or not it does). */
  get maybeBackend(): Backend | undefined {
    return this.backend;
  }

  get ready(): Backend {
    if (!this.backend) throw notInitialized();
    return this.backend;
  }

  get chat(): { chat: ChatService; repo: ChatRepo } {
    if (!this.chatService) throw this.chatUnavailable();
    return this.chatService;
  }

  private chatUnavailable(): Error {
    const b = this.ready;
    return new Error(b.store.state === 'error' ? `the chat is unavailable: ${b.store.message}` : 'the chat is unavailable (no database)');
  }

  /** The chat service for Ship's heal round, or null without a database. */
  get chatOrNull(): ChatService | null {
    return this.chatService?.chat ?? null;
  }

  get governanceReady(): Governance {
    this.ready.requireDb();
    if (!this.governance) throw notInitialized();
    return this.governance;
  }

  get approvals(): ApprovalBroker {
    if (!this.backend || !this.broker) throw notInitialized();
    return this.broker;
  }

  get checkpoints(): Checkpoints {
    if (!this.checkpointService) throw this.chatService ? new Error('checkpoints need an open folder') : this.chatUnavailable();
    return this.checkpointService;
  }

  get runs(): RunManager {
    this.ready.requireDb();
    if (!this.runManager) throw new ResponseError(ErrorCodes.InvalidRequest, 'background runs need the Torbit database');
    return this.runManager;
  }

  /** How governed actions (tool calls, replayed commands, builds and submissions) are judged and approved. */
  get trust(): Trust {
    if (!this.runTrust) throw new ResponseError(ErrorCodes.InvalidRequest, 'this needs the Torbit database (the policy\'s decisions are recorded in it)');
    return this.runTrust;
  }

  /** The backend and the workspace folder a request names (the first one by default); `needs` says for what. */
  folder(asked: string | undefined, needs: string): { b: Backend; folder: string } {
    const b = this.ready;
    const folder = asked ?? b.folders[0];
    if (!folder || !b.folders.includes(folder)) throw new ResponseError(ErrorCodes.InvalidRequest, asked ? `${asked} is not a folder of this workspace` : `${needs} needs an open folder`);
    return { b, folder };
  }

  /** The CLI bundled next to this server (the push gate's hook runs it). */
  get cliPath(): string {
    return path.join(__dirname, 'cli.js');
  }
}
