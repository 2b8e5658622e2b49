// Checkpoints of the whole workspace state (files of every folder, deployment config, the
// session's conversation), and atomic rollback to any of them. Used by the language server, the
// chat (before a turn's first change and after the turn) and the CLI alike.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditLog } from '../audit/log';
import { git } from '../git';
import type { Logger } from '../logger';
import { RestoreParams, type CheckpointKind, type CheckpointView, type FileAction, type RestoreMode, type RestorePreview, type RestoreResult } from '../protocol';
import type { Db } from '../store/sqlite';
import type { ChangeFeed } from './feed';
import { checkJournal, journalFile, readJournal, removeJournal, setJournalAside, writeJournal, type Journal } from './journal';
import { ConfinementError } from '../confine';
import type { FolderState, InstructionRef, Manifest } from './manifest';
import { applyFolderPlan, planFolder, type FolderPreview } from './restore';
import { CONFIG_FILES, ignoredByGit, scanFolder } from './scan';
import { lstatIfThere, ShadowRepo } from './shadowRepo';
import { readHead } from './userHead';
import { CheckpointRepo, viewOf, type CheckpointRecord } from './store';
import { isAlive } from '../processAlive';

export interface CheckpointsDeps {
  db: Db;
  audit: AuditLog;
  /** Absolute workspace folders. */
  folders: string[];
  dataDir: string;
  log: Logger;
  /** Files above this many bytes are recorded by hash and size only. */
  maxFileBytes: () => number;
  feed?: ChangeFeed;
  /** Whether a turn runs in this process now (a restore waits for none). */
  busy?: () => boolean;
  /** A rollback journal was found damaged or reaching outside the workspace, and set aside unread. */
  onJournalRejected?: (r: RejectedJournal) => void;
  /** A checkpoint was taken, or a restore done (the language server tells the extension). */
  onChanged?: (e: { checkpoint?: CheckpointView; restored?: RestoreResult & { checkpointId: number; mode: RestoreMode } }) => void;
}

/** A rollback journal that was not acted on: where it was moved, and why. */
export interface RejectedJournal {
  file: string;
  movedTo: string;
  reason: string;
  /** Words for the person: what happened and what to check. */
  message: string;
}

/** A restore that needs the person's confirmation, or cannot happen now: nothing was changed. */
export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
  constructor(message: string, readonly preview?: RestorePreview) {
    super(message);
  }

  /** What the caller is answered with besides the message: the preview that was refused. */
  get data(): { preview: RestorePreview } | undefined {
    return this.preview ? { preview: this.preview } : undefined;
  }
}

interface Planned {
  preview: RestorePreview;
  target: CheckpointRecord;
  now: FolderState[];
  plans: FolderPreview[];
}

const isTurnInterval = (a: CheckpointRecord, b: CheckpointRecord) =>
  (a.kind === 'before-turn' && b.kind === 'after-turn' && a.turnId === b.turnId) || (a.kind === 'before-rollback' && b.kind === 'after-rollback');

export class Checkpoints {
  readonly store: CheckpointRepo;
  private readonly repos = new Map<string, ShadowRepo>();
  /** What each folder's last snapshot in this process found (incremental snapshots build on it). */
  private readonly last = new Map<string, FolderState>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly dir: string;
  private readonly skipDirs: string[];
  private readonly turnsWithBefore = new Set<string>();

  private constructor(private readonly d: CheckpointsDeps) {
    this.store = new CheckpointRepo(d.db);
    this.dir = path.join(d.dataDir, 'checkpoints');
    this.skipDirs = [path.resolve(d.dataDir)];
  }

  /** Opens the service and finishes a rollback a crash interrupted (see recover()). */
  static async open(d: CheckpointsDeps): Promise<Checkpoints> {
    const c = new Checkpoints(d);
    await c.recover();
    return c;
  }

  /** Operations run one at a time: a snapshot never sees a restore half done. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async repo(folder: string): Promise<ShadowRepo> {
    let r = this.repos.get(folder);
    if (!r) this.repos.set(folder, (r = await ShadowRepo.open(this.dir, folder)));
    return r;
  }

  private skipper(folder: string): (rel: string) => boolean {
    const inside = this.skipDirs.filter((s) => s.startsWith(folder + path.sep)).map((s) => path.relative(folder, s).split(path.sep).join('/'));
    return (rel) => inside.some((s) => rel === s || rel.startsWith(`${s}/`));
  }

  private async head(folder: string): Promise<FolderState['head']> {
    const read = readHead(folder);
    if (read !== undefined) return read;
    try {
      const out = (await git(folder, ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'])).split('\n');
      return out[0] ? { sha: out[0], ref: out[1] && out[1] !== 'HEAD' ? out[1] : null } : null;
    } catch {
      return null;
    }
  }

  /**
   * The folder as it is now. `fast`: build on the last snapshot with the paths the feed reports,
   * when it can vouch for them; otherwise (and always when not fast) scan the folder.
   */
  private async snapshotFolder(folder: string, message: string, fast: boolean): Promise<FolderState> {
    const repo = await this.repo(folder);
    const prev = this.last.get(folder);
    const feed = this.d.feed;
    const dirty = feed?.take(folder);
    const headP = this.head(folder);
    let state: FolderState | undefined;
    try {
      if (fast && dirty && prev && repo.warm) state = await this.incremental(repo, prev, dirty, message);
      if (!state) {
        const scan = await scanFolder(folder, this.skipper(folder));
        const snap = await repo.snapshot(scan.files, message, { parent: prev?.commit, maxFileBytes: this.d.maxFileBytes() });
        state = { folder, commit: snap.commit, tree: snap.tree, head: null, large: snap.large, emptyDirs: scan.emptyDirs, files: scan.files.length };
      }
      state.head = await headP;
      feed?.settled(folder, true);
    } catch (err) {
      if (dirty) feed?.touched(dirty.map((r) => path.join(folder, r)));
      feed?.settled(folder, false);
      throw err;
    }
    this.last.set(folder, state);
    return state;
  }

  /** Only the reported paths; undefined when they call for a full scan (ignore rules or folders changed). */
  private async incremental(repo: ShadowRepo, prev: FolderState, dirty: string[], message: string): Promise<FolderState | undefined> {
    const folder = prev.folder;
    const skip = this.skipper(folder);
    const paths = dirty.filter((r) => !skip(r));
    if (paths.some((r) => path.posix.basename(r) === '.gitignore')) return undefined;
    const fresh: string[] = [];
    const emptyDirs = new Set(prev.emptyDirs);
    const stats = new Map(paths.map((rel) => [rel, lstatIfThere(path.join(folder, rel))]));
    for (const rel of paths) {
      const st = stats.get(rel);
      if (st?.isDirectory()) {
        if (fs.readdirSync(path.join(folder, rel)).length) return undefined; // a folder of files moved in: scan
        emptyDirs.add(rel);
      } else if (st) {
        fresh.push(rel);
      }
    }
    const config = new Set<string>(CONFIG_FILES);
    // A path already in the snapshot was not ignored then, and the rules did not change since.
    const candidates = fresh.filter((r) => !config.has(r) && repo.lookup(r) === undefined);
    const ignored = await ignoredByGit(folder, candidates);
    if (!ignored) return undefined;
    const changed = paths.filter((r) => !ignored.has(r));
    for (const rel of changed) {
      if (!stats.get(rel)) {
        emptyDirs.delete(rel);
        for (const d of [...emptyDirs]) if (d.startsWith(`${rel}/`)) emptyDirs.delete(d);
        const parent = path.posix.dirname(rel);
        if (parent !== '.' && fs.readdirSync(path.join(folder, parent), { withFileTypes: true }).length === 0) emptyDirs.add(parent);
      } else {
        for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) emptyDirs.delete(d);
      }
    }
    const snap = await repo.update(changed.filter((r) => !emptyDirs.has(r)), message, { parent: prev.commit, maxFileBytes: this.d.maxFileBytes() });
    return { folder, commit: snap.commit, tree: snap.tree, head: null, large: snap.large, emptyDirs: [...emptyDirs].sort(), files: repo.count };
  }

  private async manifest(message: string, fast: boolean, sessionId: string | null, exclude?: string): Promise<Manifest> {
    // The session's state is read on SQLite's thread while this one reads the files.
    const conversationP = sessionId ? this.store.conversation(sessionId) : Promise.resolve(null);
    conversationP.catch(() => undefined);
    const folders: FolderState[] = [];
    for (const f of this.d.folders) folders.push(await this.snapshotFolder(f, message, fast));
    const config: Manifest['config'] = [];
    for (const f of folders) {
      const repo = await this.repo(f.folder);
      for (const c of CONFIG_FILES) {
        const oid = repo.lookup(c);
        if (oid) config.push({ folder: f.folder, path: c, sha256: oid });
      }
    }
    let conversation = await conversationP;
    if (conversation && exclude) conversation = { ...conversation, turns: conversation.turns.filter((t) => t !== exclude) };
    return { v: 1, folders, config, conversation };
  }

  private async record(kind: CheckpointKind, m: Manifest, scope: { label?: string | null; sessionId?: string | null; turnId?: string | null }): Promise<CheckpointRecord> {
    let rec: CheckpointRecord | undefined;
    // The row and its audit record in one transaction (one sync to disk, and never one without the other).
    await this.d.audit.append(async () => {
      rec = await this.store.insert(kind, m, scope);
      return {
        kind: 'checkpoint', actor: 'system', sessionId: rec.sessionId, turnId: rec.turnId,
        data: {
          checkpointId: rec.id, checkpoint: kind, label: rec.label, folders: m.folders.map((f) => ({ folder: f.folder, commit: f.commit, files: f.files })), turns: m.conversation?.turns.length ?? null,
          ...(m.skills?.length ? { skills: m.skills.map((s) => ({ name: s.name, path: s.path, sha256: s.sha256 })) } : {}),
          ...(m.instructions ? { instructions: m.instructions.map((i) => ({ path: i.path, sha256: i.sha256 })) } : {}),
        },
      };
    });
    for (const f of m.folders) await (await this.repo(f.folder)).keep(`cp/${rec!.id}`, f.commit);
    return rec!;
  }

  /** Takes a checkpoint now (the CLI's and the command's "create"). */
  create(opts: { label?: string; kind?: CheckpointKind; sessionId?: string | null; turnId?: string | null; skills?: Manifest['skills']; instructions?: InstructionRef[] } = {}): Promise<CheckpointView> {
    return this.serial(async () => {
      const sessionId = opts.sessionId !== undefined ? opts.sessionId : await this.store.currentSession();
      const kind = opts.kind ?? 'manual';
      const fast = kind === 'before-turn' || kind === 'after-turn';
      const turnTextP = opts.turnId ? this.store.turnText(opts.turnId) : Promise.resolve(null);
      turnTextP.catch(() => undefined);
      const scanned = await this.manifest(`${kind}${opts.label ? `: ${opts.label}` : ''}`, fast, sessionId, kind === 'before-turn' ? opts.turnId ?? undefined : undefined);
      const m: Manifest = {
        ...scanned,
        ...(opts.instructions ? { instructions: opts.instructions } : {}),
        ...(opts.skills?.length ? { skills: opts.skills } : {}),
      };
      const rec = await this.record(kind, m, { label: opts.label ?? null, sessionId, turnId: opts.turnId ?? null });
      const view = viewOf(rec, await turnTextP);
      this.d.onChanged?.({ checkpoint: view });
      return view;
    });
  }

  /** Before a turn changes anything (a write or a command): at most one per turn. */
  /** `instructions`: the turn's instruction files so far, listed in the checkpoint by hash. */
  async beforeChange(sessionId: string, turnId: string, instructions?: InstructionRef[]): Promise<CheckpointView | undefined> {
    if (this.turnsWithBefore.has(turnId)) return undefined;
    this.turnsWithBefore.add(turnId);
    return this.create({ kind: 'before-turn', sessionId, turnId, ...(instructions ? { instructions } : {}) });
  }

  /** `skills`: the Agent Skills the turn loaded (server/skills/record.ts); `instructions`: its instruction files. */
  async afterTurn(sessionId: string, turnId: string, instructions?: InstructionRef[], skills?: Manifest['skills']): Promise<CheckpointView> {
    this.turnsWithBefore.delete(turnId);
    return this.create({ kind: 'after-turn', sessionId, turnId, ...(instructions ? { instructions } : {}), skills });
  }

  list(opts: { sessionId?: string; limit?: number } = {}): Promise<CheckpointView[]> {
    return this.store.list(opts);
  }

  async forTurn(turnId: string): Promise<CheckpointView | null> {
    const rec = await this.store.beforeTurn(turnId);
    return rec ? viewOf(rec) : null;
  }

  /** A file as a checkpoint holds it. */
  async file(checkpointId: number, folder: string, rel: string): Promise<{ content: string | null; note?: string }> {
    const cp = await this.require(checkpointId);
    const f = cp.manifest.folders.find((x) => x.folder === folder);
    if (!f) return { content: null, note: `checkpoint ${checkpointId} has no folder ${folder}` };
    const large = f.large.find((l) => l.path === rel);
    if (large) return { content: null, note: `${rel} was ${large.size} bytes, over the size limit: only its hash was recorded` };
    const repo = await this.repo(folder);
    const entry = (await repo.git(['ls-tree', '-z', f.commit, '--', rel])).toString().split('\0')[0];
    if (!entry) return { content: null };
    const oid = entry.slice(0, entry.indexOf('\t')).split(' ')[2]!;
    return { content: (await repo.blob(oid)).toString('utf8') };
  }

  private async require(id: number): Promise<CheckpointRecord> {
    const got = await this.store.get(id);
    if (!got) throw new RestoreRefused(`there is no checkpoint ${id}`);
    return got.record;
  }

  preview(checkpointId: number, mode: RestoreMode = 'both'): Promise<RestorePreview> {
    return this.serial(async () => (await this.plan(checkpointId, mode, 'preview')).preview);
  }

  private async plan(checkpointId: number, mode: RestoreMode, message: string): Promise<Planned> {
    const got = await this.store.get(checkpointId);
    if (!got) throw new RestoreRefused(`there is no checkpoint ${checkpointId}`);
    const target = got.record;
    const files = mode !== 'conversation';
    if (mode === 'conversation' && !target.manifest.conversation) {
      throw new RestoreRefused(`checkpoint ${checkpointId} was taken with no chat session, so it has no conversation to restore: restore its files (mode files)`);
    }
    // Always a full scan: what a restore overwrites must be exactly what is on disk.
    const now: FolderState[] = [];
    for (const f of this.d.folders) now.push(await this.snapshotFolder(f, message, false));
    const plans: FolderPreview[] = [];
    const headMoved: RestorePreview['headMoved'] = [];
    const created: string[] = [];
    const removedDirs: string[] = [];
    if (files) {
      for (const cur of now) {
        const t = target.manifest.folders.find((x) => x.folder === cur.folder);
        if (!t) continue; // a folder added since: nothing to go back to
        const p = await planFolder(await this.repo(cur.folder), cur, t);
        plans.push(p);
        created.push(...p.plan.mkdirs.map((d) => path.join(cur.folder, d)));
        removedDirs.push(...p.plan.rmdirs.map((d) => path.join(cur.folder, d)));
        if ((t.head?.sha ?? null) !== (cur.head?.sha ?? null)) {
          const show = (h: FolderState['head']) => (h ? `${h.sha.slice(0, 12)}${h.ref ? ` (${h.ref.replace(/^refs\/heads\//, '')})` : ''}` : 'no commit');
          headMoved.push({ folder: cur.folder, then: show(t.head), now: show(cur.head) });
        }
      }
    }
    const actions = plans.flatMap((p) => p.actions);
    const userWork = files ? await this.userWork(target, now, actions) : [];
    let conversation: RestorePreview['conversation'] = null;
    if (mode !== 'files' && target.manifest.conversation) {
      const { sessionId, turns } = target.manifest.conversation;
      const { visible } = await this.store.sessionTurns(sessionId);
      const want = new Set(turns);
      conversation = {
        sessionId, keep: visible.filter((t) => want.has(t)).length, hide: visible.filter((t) => !want.has(t)).length,
        bringBack: turns.filter((t) => !visible.includes(t)).length,
      };
    }
    return {
      target, now, plans,
      preview: {
        checkpoint: got.view, mode, files: actions, userWork, headMoved,
        unrestorable: plans.flatMap((p) => p.unrestorable),
        folders: { create: created, remove: removedDirs }, conversation,
      },
    };
  }

  /**
   * Files the restore would change that someone changed outside Torbit's turns since the
   * checkpoint: the differences between consecutive checkpoints that do not bracket a turn (or a
   * rollback), and since the last one.
   */
  private async userWork(target: CheckpointRecord, now: FolderState[], actions: FileAction[]): Promise<FileAction[]> {
    if (!actions.length) return [];
    const chain: { rec: CheckpointRecord | null; folders: FolderState[] }[] = [
      { rec: target, folders: target.manifest.folders },
      ...(await this.store.after(target.id)).map((r) => ({ rec: r, folders: r.manifest.folders })),
      { rec: null, folders: now },
    ];
    const touched = new Set<string>();
    for (let i = 1; i < chain.length; i++) {
      const a = chain[i - 1]!;
      const b = chain[i]!;
      if (a.rec && b.rec && isTurnInterval(a.rec, b.rec)) continue;
      for (const fb of b.folders) {
        const fa = a.folders.find((x) => x.folder === fb.folder);
        if (!fa || fa.tree === fb.tree) continue;
        for (const c of await (await this.repo(fb.folder)).diff(fa.commit, fb.commit)) touched.add(path.join(fb.folder, c.path));
      }
    }
    return actions.filter((a) => touched.has(path.join(a.folder, a.path)));
  }

  /**
   * Restores a checkpoint: files, conversation or both, as one step. Refused, with nothing
   * changed, while a turn runs, when user work is not confirmed, or when HEAD moved unconfirmed.
   */
  restore(input: RestoreParams, actor: 'user' | 'system' = 'user'): Promise<RestoreResult> {
    const p = RestoreParams.parse(input);
    return this.serial(async () => {
      await this.recover();
      if (this.d.busy?.()) throw new RestoreRefused('a turn is running: stop it (or let it finish) before restoring a checkpoint');
      const live = (await this.store.runningTurns()).filter((t) => t.ownerPid !== process.pid && isAlive(t.ownerPid));
      if (live.length) throw new RestoreRefused(`a turn is running in another Torbit process (pid ${live[0]!.ownerPid}): stop it before restoring a checkpoint`);
      const planned = await this.plan(p.checkpointId, p.mode, 'before rollback');
      const { preview, target, now, plans } = planned;
      if (preview.headMoved.length && !p.confirmHeadMoved) {
        const h = preview.headMoved[0]!;
        throw new RestoreRefused(`HEAD of ${h.folder} moved since checkpoint ${target.id} (then ${h.then}, now ${h.now}): its files belong to another commit now, and restoring them would mix the two. Confirm to restore anyway.`, preview);
      }
      const confirmed = new Set(p.confirmUserWork.map((s) => path.resolve(s)));
      const unconfirmed = preview.userWork.filter((u) => !confirmed.has(path.join(u.folder, u.path)));
      if (unconfirmed.length) {
        throw new RestoreRefused(`${unconfirmed.length} file(s) were changed outside Torbit's turns since checkpoint ${target.id} and the restore would ${unconfirmed.length === 1 ? 'overwrite or delete it' : 'overwrite or delete them'}: ${unconfirmed.slice(0, 5).map((u) => u.path).join(', ')}${unconfirmed.length > 5 ? ', …' : ''}. Confirm them to go on.`, preview);
      }
      const sessionId = target.manifest.conversation?.sessionId ?? await this.store.currentSession();
      const backup = await this.record('before-rollback', { v: 1, folders: now, config: await this.configOf(now), conversation: sessionId ? await this.store.conversation(sessionId) : null }, { sessionId, label: `before restoring checkpoint ${target.id}` });
      const files = p.mode !== 'conversation';
      const conv = p.mode !== 'files' ? target.manifest.conversation : null;
      const afterFolders = now.map((cur) => {
        const t = target.manifest.folders.find((x) => x.folder === cur.folder);
        if (!files || !t) return cur;
        const fp = plans.find((x) => x.plan.folder === cur.folder)!;
        // The restored files are the checkpoint's, except what could not be brought back.
        return fp.unrestorable.length ? cur : { ...t, head: cur.head };
      });
      const written = plans.reduce((n, x) => n + (files ? x.plan.write.length : 0), 0);
      const removed = plans.reduce((n, x) => n + (files ? x.plan.remove.length : 0), 0);
      const journal: Journal = {
        v: 1, id: randomUUID(), pid: process.pid, checkpointId: target.id, backupId: backup.id, mode: p.mode, startedAt: new Date().toISOString(), actor,
        folders: files ? plans.map((x) => x.plan) : [],
        conversation: conv ? { sessionId: conv.sessionId, visible: conv.turns } : null,
        after: { v: 1, folders: afterFolders, config: await this.configOf(afterFolders), conversation: null },
        summary: {
          written, removed, unrestorable: preview.unrestorable.map((u) => path.join(u.folder, u.path)),
          userWorkConfirmed: preview.userWork.map((u) => path.join(u.folder, u.path)),
          headMovedConfirmed: preview.headMoved.length > 0,
          conversation: preview.conversation,
        },
      };
      try {
        writeJournal(journalFile(this.dir), journal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RestoreRefused('another rollback is in progress in this workspace');
        throw err;
      }
      await this.finish(journal, false);
      // The folders' last snapshots are now stale: the next one scans.
      if (files) for (const x of plans) this.last.delete(x.plan.folder);
      const result: RestoreResult = { rollbackId: journal.id, backupCheckpointId: backup.id, written, removed, sessionId: conv?.sessionId ?? null };
      this.d.onChanged?.({ restored: { ...result, checkpointId: target.id, mode: p.mode } });
      return result;
    });
  }

  /** The deployment config files of each folder's snapshot (one ls-tree per folder). */
  private async configOf(folders: FolderState[]): Promise<Manifest['config']> {
    const out: Manifest['config'] = [];
    for (const f of folders) {
      const lines = (await (await this.repo(f.folder)).git(['ls-tree', '-z', f.commit, '--', ...CONFIG_FILES])).toString().split('\0').filter(Boolean);
      for (const line of lines) out.push({ folder: f.folder, path: line.slice(line.indexOf('\t') + 1), sha256: line.slice(0, line.indexOf('\t')).split(' ')[2]! });
    }
    return out;
  }

  /** Carries out a journal: files, then the database (one transaction), then the audit record. Safe to repeat. */
  private async finish(j: Journal, recovered: boolean): Promise<void> {
    for (const plan of j.folders) {
      await applyFolderPlan(await this.repo(plan.folder), plan, this.d.folders, (abs) => this.d.feed?.touched([abs]));
    }
    if (!(await this.store.rollbackDone(j.id))) {
      const conversation = j.conversation;
      await this.store.commitRollback({
        id: j.id, checkpointId: j.checkpointId, backupId: j.backupId, mode: j.mode, startedAt: j.startedAt,
        summary: JSON.stringify(j.summary), conversation,
        after: { manifest: j.after, sessionId: conversation?.sessionId ?? j.after.conversation?.sessionId ?? null, label: `after restoring checkpoint ${j.checkpointId}` },
      });
    }
    if (!(await this.store.audited(j.id))) {
      await this.d.audit.append({
        kind: 'rollback', actor: j.actor, sessionId: j.conversation?.sessionId ?? null,
        data: { rollbackId: j.id, checkpointId: j.checkpointId, backupCheckpointId: j.backupId, mode: j.mode, ...j.summary, ...(recovered ? { recovered: true } : {}) },
      });
    }
    removeJournal(journalFile(this.dir));
  }

  /** Resolves once no shadow repository has background maintenance running (tests, benchmarks). */
  async idle(): Promise<void> {
    for (const r of this.repos.values()) await r.idle();
  }

  /**
   * Finishes a rollback a crash interrupted (its journal is still there and its process is gone).
   * A journal that is damaged, or that names anything outside the workspace folders, is set aside
   * and reported, never acted on: anyone who could write the data directory could have written it.
   */
  async recover(): Promise<'none' | 'completed' | 'busy' | 'rejected'> {
    const file = journalFile(this.dir);
    const r = readJournal(file);
    if (r.kind === 'none') return 'none';
    if (r.kind === 'damaged') return this.reject(file, `it is damaged (${r.reason})`);
    try {
      checkJournal(r.journal, this.d.folders);
    } catch (err) {
      if (!(err instanceof ConfinementError)) throw err;
      return this.reject(file, `it reaches outside the workspace folders (${err.message})`);
    }
    if (r.journal.pid !== process.pid && isAlive(r.journal.pid) && !this.ownerIsStale(r.journal)) return 'busy';
    this.d.log.info(`completing rollback ${r.journal.id} to checkpoint ${r.journal.checkpointId}, interrupted in process ${r.journal.pid}`);
    await this.finish(r.journal, true);
    for (const plan of r.journal.folders) this.last.delete(plan.folder);
    return 'completed';
  }

  private reject(file: string, reason: string): 'rejected' {
    const movedTo = setJournalAside(file);
    const message = `The rollback journal ${file} was not acted on: ${reason}. It was moved to ${movedTo}. If a rollback of yours was interrupted, the workspace may be partly restored: check it against the checkpoints.`;
    this.d.log.error(message);
    this.d.onJournalRejected?.({ file, movedTo, reason, message });
    return 'rejected';
  }

  /** A journal whose pid was reused by an unrelated process since: older than any real rollback takes. */
  private ownerIsStale(j: Journal): boolean {
    return Date.now() - Date.parse(j.startedAt) > 10 * 60_000;
  }
}
