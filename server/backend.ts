// The backend's core, shared by the language server and the CLI: resolves the data directory,
// opens the store, and answers for its health. No VS Code and no JSON-RPC in here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveDataDir, type DataDir } from './dataDir';
import { migrateLegacyDataDir } from './legacyDataDir';
import { excludeFromGit } from './gitExclude';
import type { Logger } from './logger';
import type { Status, StoreHealth } from './protocol';
import { DB_FILE, openStore } from './store/open';
import { StoreError } from './store/errors';
import type { Db } from './store/sqlite';
import { ChatRepo } from './store/chatRepo';
import { ChatService, type ChatDeps } from './agent/chat';
import { Workspace } from './agent/workspace';
import { AuditLog } from './audit/log';
import { Trust, type TrustOptions } from './trust/runTrust';
import { PolicyAcceptances } from './trust/acceptances';
import { Checkpoints, type CheckpointsDeps } from './checkpoints/service';
import { ChangeFeed } from './checkpoints/feed';
import { environmentProblem, resolveEnvironment, type TorbitEnvironment } from './environment';
import { VERSION } from './version';
import { isAlive } from './processAlive';

export interface BackendOptions {
  /** The first workspace folder: the default data directory goes there. */
  workspace: string | null;
  /** Every workspace folder the tools may touch (defaults to `workspace`). */
  folders?: string[];
  dataDirSetting: string;
  globalStorageDir?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** readonly: look, never create or migrate (CLI status). */
  mode: 'readonly' | 'migrate';
  /** The torbit.environment setting; TORBIT_ENV wins. */
  environmentSetting?: string;
  /**
   * The person trusts the workspace (VS Code's workspace trust): only then is an older Torbit's
   * <workspace>/.torbit-data moved to the default data directory. The CLI never sets it.
   */
  trusted?: boolean;
}

/** How a chat's tool calls are judged: the pinned policy hash, and who is asked. */
export type ChatTrustOptions = Pick<TrustOptions, 'pinnedHash' | 'broker' | 'approveAsks' | 'onAllowancesChanged'>;

export class Backend {
  private readonly started = Date.now();
  private auditLog: AuditLog | undefined;
  private checkpointService: Promise<Checkpoints> | undefined;
  /** Which files changed since each folder's last checkpoint (fed by a watcher and Torbit's writes). */
  readonly feed: ChangeFeed;
  /** What the person must be told about this backend's data (a migration, a journal set aside): in status, and logged. */
  readonly notices: string[] = [];

  private constructor(
    readonly workspace: string | null,
    /** Every workspace folder, resolved. */
    readonly folders: string[],
    readonly environment: TorbitEnvironment,
    readonly dataDir: DataDir,
    readonly db: Db | undefined,
    readonly store: StoreHealth,
  ) {
    this.feed = new ChangeFeed(folders);
  }

  static async open(opts: BackendOptions): Promise<Backend> {
    const environment = resolveEnvironment(opts.env, opts.environmentSetting);
    const problem = opts.mode === 'migrate' ? environmentProblem(environment, opts.env) : undefined;
    if (problem) throw new Error(problem);
    const dataDir = resolveDataDir({ env: opts.env, setting: opts.dataDirSetting, workspace: opts.workspace, globalStorageDir: opts.globalStorageDir });
    const file = path.join(dataDir.dir, DB_FILE);
    // Real paths: the tools resolve symlinks, and a checkpoint must name a folder one way only.
    const folders = (opts.folders ?? (opts.workspace ? [opts.workspace] : [])).map((f) => { try { return fs.realpathSync(f); } catch { return path.resolve(f); } });
    opts.log.info(`data directory ${dataDir.dir} (from ${dataDir.source})`);
    const notices: string[] = [];
    if (opts.workspace && dataDir.source === 'workspace') {
      const legacy = migrateLegacyDataDir({ workspace: opts.workspace, dataDir: dataDir.dir, move: opts.mode === 'migrate' && opts.trusted === true });
      if (legacy.kind === 'migrated') opts.log.info(legacy.message);
      if (legacy.kind === 'ignored') opts.log.warn(legacy.message);
      if (legacy.kind !== 'none') notices.push(legacy.message);
    }
    const made = (db: Db | undefined, store: StoreHealth) => {
      const b = new Backend(opts.workspace, folders, environment, dataDir, db, store);
      b.notices.push(...notices);
      return b;
    };
    if (opts.mode === 'readonly' && !fs.existsSync(file)) {
      return made(undefined, { state: 'absent', path: file });
    }
    if (opts.mode === 'migrate') {
      fs.mkdirSync(dataDir.dir, { recursive: true });
      if (opts.workspace) {
        const r = await excludeFromGit(opts.workspace, dataDir.dir).catch((e: Error) => ({ kind: 'skipped' as const, reason: e.message }));
        if (r.kind === 'added') opts.log.info(`added ${r.pattern} to ${r.file}`);
        else if (r.kind === 'skipped') opts.log.debug(`not adding the data directory to git's exclude: ${r.reason}`);
      }
    }
    try {
      const { db, info } = await openStore(file, {
        mode: opts.mode,
        onMigrated: (m) => opts.log.info(`applied migration ${m.version} (${m.name})`),
      });
      return made(db, { state: 'ok', path: file, ...info });
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      opts.log.error(err.message);
      return made(undefined, { state: 'error', path: file, code: err.code, message: err.message });
    }
  }

  /** The database, or a clear error saying why there is none. */
  requireDb(): Db {
    if (this.db) return this.db;
    throw new Error(this.store.state === 'error' ? this.store.message : `there is no Torbit database at ${this.store.path} yet`);
  }

  /**
   * The chat service over this backend's database and workspace. Turns a dead process left
   * 'running' are marked interrupted first.
   */
  async openChat(deps: Omit<ChatDeps, 'db' | 'repo' | 'workspace' | 'audit' | 'trust' | 'feed' | 'checkpoints'> & {
    trust: ChatTrustOptions;
    checkpointOptions?: { maxFileBytes?: number; onChanged?: CheckpointsDeps['onChanged'] };
  }): Promise<{ chat: ChatService; repo: ChatRepo; trust: Trust; interrupted: number; checkpoints: Checkpoints | undefined }> {
    const db = this.requireDb();
    const repo = new ChatRepo(db);
    const interrupted = await repo.markInterrupted(isAlive);
    const workspace = this.folders.length ? await Workspace.open(this.folders, [this.dataDir.dir]) : null;
    const trust = this.trust({ ...deps.trust, log: deps.log, env: deps.env });
    const holder: { chat?: ChatService } = {};
    const checkpoints = workspace
      ? await this.checkpoints({ ...deps.checkpointOptions, log: deps.log, busy: () => holder.chat?.busy() ?? false })
      : undefined;
    const chat = (holder.chat = new ChatService({ ...deps, db, repo, workspace, audit: this.audit(), trust, feed: this.feed, checkpoints }));
    return { chat, repo, trust, interrupted, checkpoints };
  }

  /** The trust layer over this workspace's policy and audit log (chat turns and replays use the same one). */
  trust(opts: ChatTrustOptions & { log: Logger; env: NodeJS.ProcessEnv }): Trust {
    const { env, ...rest } = opts;
    // The person's accepted policies live in their own config directory (server/trust/acceptances.ts).
    return new Trust({ ...rest, root: this.workspace, environment: this.environment, audit: this.audit(), acceptances: PolicyAcceptances.forUser(env) });
  }

  /**
   * The checkpoint service (one per backend). Opening it finishes a rollback that a crash
   * interrupted, before anything else may look at the workspace.
   */
  checkpoints(opts: { maxFileBytes?: number; log: Logger; busy?: () => boolean; onChanged?: CheckpointsDeps['onChanged'] }): Promise<Checkpoints> {
    this.checkpointService ??= Checkpoints.open({
      db: this.requireDb(), audit: this.audit(), folders: this.folders, dataDir: this.dataDir.dir, log: opts.log,
      maxFileBytes: () => opts.maxFileBytes ?? 10 * 1024 * 1024, feed: this.feed, busy: opts.busy, onChanged: opts.onChanged,
      onJournalRejected: (r) => this.notices.push(r.message),
    });
    return this.checkpointService;
  }

  /** The audit log of this backend's database (one instance, so appends stay serialized). */
  audit(): AuditLog {
    this.auditLog ??= new AuditLog(this.requireDb());
    return this.auditLog;
  }

  status(): Status {
    return {
      version: VERSION,
      pid: process.pid,
      uptimeMs: Date.now() - this.started,
      node: process.version,
      workspace: this.workspace,
      dataDir: this.dataDir.dir,
      dataDirSource: this.dataDir.source,
      environment: this.environment,
      schemaVersion: this.store.state === 'ok' ? this.store.schemaVersion : null,
      store: this.store,
      notices: [...this.notices],
    };
  }

  async close(): Promise<void> {
    await this.db?.close();
  }
}
