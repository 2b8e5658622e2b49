// Background runs: an EAS build, a store submission, or a build then its submission, driven step
// by step from the database so that a reload or a crash loses nothing (the next backend resumes
// polling). Every run's steps are serialized; a failed attempt is retried with backoff up to the
// run's maximum; the watchdog fails or retries a run that made no progress for staleAfter.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditLog } from '../audit/log';
import { Redactor } from '../secrets';
import type { Logger } from '../logger';
import { describeSpec, PLATFORM_NAME as PLATFORM, TERMINAL_STATES, type ProductEvent, type ProductEventName, type RunSpec, type RunView } from '../protocol';
import type { Db } from '../store/sqlite';
import { argv, cancelAtEas, EasCommandError, easRunnerIn, hasSubmitView, startBuild, startSubmit, viewBuild, viewSubmission, type EasRunner } from '../eas/easCommands';
import { EAS_NOT_FOUND } from '../eas/easCli';
import { describeBuild, type EasBuild } from '../eas/easOutput';
import { RunRepo, type RunEvent, type RunPatch, type StoredRun } from './repo';
import { readRunLog, runLogFile } from './runLog';

export interface RunSettings {
  pollMs: number;
  staleAfterMs: number;
  maxAttempts: number;
  /** The first retry waits this long; each next one twice as long. */
  backoffMs: number;
}

export interface RunDeps {
  db: Db;
  audit: AuditLog;
  log: Logger;
  /** Run logs go to <dataDir>/runs/<id>.log. */
  dataDir: string;
  env: NodeJS.ProcessEnv;
  settings: RunSettings;
  changed(v: RunView): void;
  output(runId: string, chunk: string): void;
}

interface Live {
  timer?: NodeJS.Timeout;
  /** The eas command in flight; aborted by cancel, the watchdog and shutdown. */
  controller?: AbortController;
  /** Every step of a run goes through this chain, one at a time. */
  chain: Promise<void>;
}

/** A run id the database does not know. */
export class UnknownRun extends Error {
  constructor(id: string) { super(`there is no background run ${id}`); }
}

/** A product event to record with a step: its name and data (the run's kind and platform are added). */
type Happened = [ProductEventName, Record<string, unknown>];

/** The final statuses, the same words for builds and submissions. */
const DONE = new Set(['FINISHED', 'ERRORED', 'CANCELED']);

export class RunManager {
  readonly repo: RunRepo;
  private readonly live = new Map<string, Live>();
  private readonly redactor: Redactor;
  private readonly submitView = new Map<string, Promise<boolean>>();
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;
  private logDirMade = false;

  constructor(private readonly d: RunDeps) {
    this.repo = new RunRepo(d.db);
    this.redactor = new Redactor(d.env);
  }

  /** Picks up the runs a previous backend left queued or running, and starts the watchdog. */
  async resume(): Promise<number> {
    const runs = await this.repo.unfinished();
    for (const r of runs) {
      this.say(r.id, `resumed by backend pid ${process.pid} (${r.state}, ${r.detail})`);
      this.schedule(r.id, 0);
    }
    if (runs.length) this.startWatchdog();
    return runs.length;
  }

  async start(folder: string, spec: RunSpec): Promise<RunView> {
    const run = await this.repo.create(folder, spec, this.d.settings.maxAttempts);
    // The client learns of the run before its first output line, so it can name the run.
    this.d.changed(run);
    this.say(run.id, `queued: ${describeSpec(spec)} in ${folder}`);
    this.startWatchdog();
    this.schedule(run.id, 0);
    return run;
  }

  list(limit?: number): Promise<RunView[]> {
    return this.repo.list(limit);
  }

  /** The run's log so far (its last 200 kB) and its product events. */
  async log(id: string): Promise<{ text: string; events: ProductEvent[] }> {
    if (!(await this.repo.get(id))) throw new UnknownRun(id);
    return readRunLog(this.repo, this.d.dataDir, id);
  }

  /** Stops the run's command, cancels its build or submission at EAS, and marks it canceled. */
  async cancel(id: string): Promise<RunView> {
    const run = await this.repo.get(id);
    if (!run) throw new UnknownRun(id);
    if (TERMINAL_STATES.includes(run.state)) return run;
    this.liveOf(id).controller?.abort();
    await this.enqueue(id, async () => {
      const now = await this.repo.get(id);
      if (!now || TERMINAL_STATES.includes(now.state)) return;
      await this.cancelFollowed(now);
      await this.finish(now, 'canceled', { detail: 'canceled', error: null }, ['background_run.canceled', { by: 'user' }]);
    });
    return (await this.repo.get(id))!;
  }

  /** Stops timers and commands; runs stay as they are, for the next backend to resume. */
  close(): void {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const l of this.live.values()) {
      clearTimeout(l.timer);
      l.controller?.abort();
    }
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────────────

  private liveOf(id: string): Live {
    let l = this.live.get(id);
    if (!l) this.live.set(id, (l = { chain: Promise.resolve() }));
    return l;
  }

  private enqueue(id: string, fn: () => Promise<void>): Promise<void> {
    const l = this.liveOf(id);
    const next = l.chain.then(() => (this.closed ? undefined : fn())).catch((err: Error) => {
      this.d.log.error(`background run ${id}: ${err.stack ?? err.message}`);
      this.say(id, `internal error: ${err.message}`);
      if (!this.closed) this.schedule(id, this.d.settings.pollMs);
    });
    l.chain = next;
    return next;
  }

  private schedule(id: string, delayMs: number): void {
    if (this.closed) return;
    const l = this.liveOf(id);
    clearTimeout(l.timer);
    l.timer = setTimeout(() => void this.enqueue(id, () => this.advance(id)), Math.max(0, delayMs));
  }

  private async advance(id: string): Promise<void> {
    let run = await this.repo.get(id);
    if (!run || TERMINAL_STATES.includes(run.state)) { this.forget(id); return; }
    if (run.state === 'queued') {
      const wait = run.nextAttemptAt ? Date.parse(run.nextAttemptAt) - Date.now() : 0;
      if (wait > 0) { this.schedule(id, wait); return; }
      const attempt = run.attempt + 1;
      run = await this.update(run, { state: 'running', attempt, nextAttemptAt: null, error: null, progressAt: new Date().toISOString(), detail: `attempt ${attempt} of ${run.maxAttempts}: starting` },
        ['background_run.started', { attempt }]);
      this.say(id, `attempt ${attempt} of ${run.maxAttempts}`);
      return this.begin(run);
    }
    if (run.phase === 'build') {
      if (!run.build) return this.failAttempt(run, 'the backend stopped while `eas build` was starting, so no build id was recorded');
      return this.pollBuild(run);
    }
    if (!run.submission) return this.failAttempt(run, 'the backend stopped while `eas submit` was running, so no submission id was recorded');
    return this.pollSubmission(run);
  }

  /** Starts the run's current phase: `eas build`, or `eas submit`. */
  private async begin(run: StoredRun): Promise<void> {
    const eas = this.runner(run);
    if (!eas) return this.failAttempt(run, EAS_NOT_FOUND);
    const { spec } = run;
    if (run.phase === 'build') {
      this.say(run.id, `$ eas ${argv.build(spec.platform, spec.profile).join(' ')}`);
      const b = await this.attempt(run, () => this.streamed(run, true, (io) => startBuild(eas, spec.platform, spec.profile, io)));
      if (!b) return;
      const started = await this.update(run, {
        buildId: b.id, buildStatus: b.status, seen: seenOf(b), progressAt: new Date().toISOString(),
        detail: `${PLATFORM[spec.platform]} build ${describeBuild(b)}`,
      });
      this.say(run.id, `build ${b.id} started (${b.status})`);
      return this.afterBuildStatus(started, b);
    }
    const buildId = spec.buildId ?? run.build?.id;
    if (!buildId) return this.fail(run, 'there is no build to submit');
    const follow = await this.canFollowSubmissions(eas);
    this.say(run.id, `$ eas ${argv.submit(spec.platform, buildId, spec.submitProfile, !follow).join(' ')}`);
    const s = await this.attempt(run, () => this.streamed(run, true, (io) => startSubmit(eas, spec.platform, buildId, spec.submitProfile, !follow, io)));
    if (!s) return;
    if (!follow) {
      // This eas-cli cannot show a submission: it waited, and its exit code (0: FINISHED) is the answer.
      return this.succeed(run, 'submitted', { submissionId: s.id ?? null, submissionStatus: 'FINISHED' });
    }
    const scheduled = await this.update(run, { submissionId: s.id!, submissionStatus: 'IN_QUEUE', progressAt: new Date().toISOString(), detail: `${PLATFORM[spec.platform]} submission IN_QUEUE` });
    this.say(run.id, `submission ${s.id} scheduled`);
    this.schedule(scheduled.id, this.d.settings.pollMs);
  }

  private async pollBuild(run: StoredRun): Promise<void> {
    const eas = this.runner(run);
    if (!eas) return this.failAttempt(run, 'eas-cli was not found (it was removed while the build ran)');
    const b = await this.poll(run, () => this.streamed(run, false, (io) => viewBuild(eas, run.build!.id, io)));
    if (!b) return;
    const seen = seenOf(b);
    const moved = seen !== run.seen;
    const next = await this.update(run, {
      buildStatus: b.status, seen, buildUrl: b.artifacts?.buildUrl ?? b.artifacts?.applicationArchiveUrl ?? run.build?.url ?? null,
      detail: `${PLATFORM[run.spec.platform]} build ${describeBuild(b)}`,
      ...(moved ? { progressAt: new Date().toISOString() } : {}),
    });
    if (moved) this.say(run.id, `build ${b.id}: ${describeBuild(b)}`);
    return this.afterBuildStatus(next, b);
  }

  private async afterBuildStatus(run: StoredRun, b: EasBuild): Promise<void> {
    if (b.status === 'FINISHED') {
      const url = b.artifacts?.buildUrl ?? b.artifacts?.applicationArchiveUrl;
      this.say(run.id, `build finished${url ? `: ${url}` : ''}`);
      if (run.spec.kind === 'build') return this.succeed(run, `build finished${url ? `: ${url}` : ''}`);
      const submitting = await this.update(run, { phase: 'submit', submissionId: null, submissionStatus: null, progressAt: new Date().toISOString(), detail: 'build finished; submitting' });
      return this.begin(submitting);
    }
    if (b.status === 'ERRORED') return this.failAttempt(run, `the EAS build errored: ${b.error?.message ?? b.error?.errorCode ?? 'no reason given'}`);
    if (b.status === 'CANCELED') return this.finish(run, 'canceled', { detail: 'the build was canceled at EAS' }, ['background_run.canceled', { by: 'eas' }]);
    this.schedule(run.id, this.d.settings.pollMs);
  }

  private async pollSubmission(run: StoredRun): Promise<void> {
    const eas = this.runner(run);
    if (!eas) return this.failAttempt(run, 'eas-cli was not found (it was removed while the submission ran)');
    const s = await this.poll(run, () => this.streamed(run, false, (io) => viewSubmission(eas, run.submission!.id, io)));
    if (!s) return;
    const seen = `${s.status}|${s.completedAt ?? ''}`;
    const moved = seen !== run.seen;
    const next = await this.update(run, {
      submissionStatus: s.status, seen, detail: `${PLATFORM[run.spec.platform]} submission ${s.status}`,
      ...(moved ? { progressAt: new Date().toISOString() } : {}),
    });
    if (moved) this.say(run.id, `submission ${s.id}: ${s.status}`);
    if (s.status === 'FINISHED') return this.succeed(next, `submitted to ${run.spec.platform === 'ios' ? 'App Store Connect (TestFlight)' : `Google Play${s.androidConfig?.track ? ` (${s.androidConfig.track})` : ''}`}`);
    if (s.status === 'ERRORED') return this.failAttempt(next, `the submission errored: ${s.error?.message ?? s.error?.errorCode ?? 'no reason given'}`);
    if (s.status === 'CANCELED') return this.finish(next, 'canceled', { detail: 'the submission was canceled at EAS' }, ['background_run.canceled', { by: 'eas' }]);
    this.schedule(run.id, this.d.settings.pollMs);
  }

  /** Runs a starting command; a failure fails the attempt, a stop (cancel, watchdog, shutdown) does nothing here. */
  private async attempt<T>(run: StoredRun, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof EasCommandError && err.run?.canceled) return undefined;
      await this.failAttempt(run, (err as Error).message);
      return undefined;
    }
  }

  /** A poll that fails is not a failed run: it is tried again, and the watchdog judges the silence. */
  private async poll<T>(run: StoredRun, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof EasCommandError && err.run?.canceled) return undefined;
      this.say(run.id, `poll failed (tried again in ${Math.round(this.d.settings.pollMs / 1000)} s): ${(err as Error).message}`);
      this.schedule(run.id, this.d.settings.pollMs);
      return undefined;
    }
  }

  // ── outcomes ──────────────────────────────────────────────────────────────────────────────

  private async failAttempt(run: StoredRun, why: string, o: { watchdog?: boolean } = {}): Promise<void> {
    // eas-cli's words go into the run, its events and the audit: no secret they might hold does.
    const reason = this.redactor.text(why);
    this.say(run.id, `attempt ${run.attempt} failed: ${reason}`);
    if (run.attempt < run.maxAttempts) {
      const delayMs = this.d.settings.backoffMs * 2 ** Math.max(0, run.attempt - 1);
      const at = new Date(Date.now() + delayMs).toISOString();
      await this.update(run, {
        state: 'queued', nextAttemptAt: at, error: reason, seen: null,
        detail: `attempt ${run.attempt} failed; retrying in ${formatDelay(delayMs)}`,
        // A build is started anew; a submission retried keeps the build it submits.
        ...(run.phase === 'build' ? { buildId: null, buildStatus: null, buildUrl: null } : { submissionId: null, submissionStatus: null }),
      },
      ...(o.watchdog ? [['background_run.watchdog_retried', { attempt: run.attempt, nextAttemptAt: at }] as Happened] : []),
      ['background_run.retry_scheduled', { attempt: run.attempt, nextAttempt: run.attempt + 1, delayMs, reason }]);
      this.say(run.id, `retry ${run.attempt + 1} of ${run.maxAttempts} at ${at}`);
      this.schedule(run.id, delayMs);
      return;
    }
    return this.fail(run, reason, o.watchdog ? [['background_run.watchdog_terminal_failure', { attempt: run.attempt, reason }]] : []);
  }

  private fail(run: StoredRun, reason: string, before: Happened[] = []): Promise<void> {
    return this.finish(run, 'failed', { error: reason, detail: `failed: ${reason}` }, ...before, ['background_run.failed', { attempts: run.attempt, reason }]);
  }

  private succeed(run: StoredRun, detail: string, patch: RunPatch = {}): Promise<void> {
    return this.finish(run, 'succeeded', { ...patch, detail, error: null },
      ['background_run.succeeded', { attempts: run.attempt, buildId: run.build?.id ?? run.spec.buildId, submissionId: patch.submissionId ?? run.submission?.id ?? null }]);
  }

  /** The final state, its events and the audit record commit together. */
  private async finish(run: StoredRun, state: 'succeeded' | 'failed' | 'canceled', patch: RunPatch, ...events: Happened[]): Promise<void> {
    let done: StoredRun | undefined;
    await this.d.audit.append(async () => {
      done = await this.repo.apply(run.id, { ...patch, state, nextAttemptAt: null, finishedAt: new Date().toISOString() }, this.events(run, events));
      return {
        kind: 'ship', actor: 'system',
        data: { action: 'eas-run-end', runId: run.id, run: describeSpec(run.spec), state, attempts: done.attempt, buildId: done.build?.id ?? null, submissionId: done.submission?.id ?? null, error: done.error },
      };
    });
    this.d.changed(done!);
    this.say(run.id, `${state}: ${done!.detail}`);
    this.forget(run.id);
  }

  /** Cancels at EAS what the run is following: its build, or its submission. */
  private async cancelFollowed(run: StoredRun): Promise<void> {
    const target = run.phase === 'build' ? run.build : run.submission;
    if (!target || DONE.has(target.status ?? '')) return;
    const what = `${run.phase === 'build' ? 'build' : 'submission'} ${target.id}`;
    const eas = this.runner(run);
    if (!eas) { this.say(run.id, `eas-cli was not found: ${what} may still run at EAS`); return; }
    this.say(run.id, `$ eas ${argv.cancel(run.phase, target.id).join(' ')}`);
    const log = this.redactor.pipe((text) => this.out(run.id, text));
    try {
      const r = await cancelAtEas(eas, run.phase, target.id, { output: (c) => log.write(c) }).finally(() => log.end());
      if (r === 'canceled') await this.update(run, run.phase === 'build' ? { buildStatus: 'CANCELED' } : { submissionStatus: 'CANCELED' });
    } catch (err) {
      this.say(run.id, `could not cancel ${what} at EAS: ${(err as Error).message}`);
    }
  }

  // ── the watchdog ──────────────────────────────────────────────────────────────────────────

  private startWatchdog(): void {
    if (this.watchdog || this.closed) return;
    const every = Math.min(30_000, Math.max(50, Math.floor(this.d.settings.staleAfterMs / 4)));
    this.watchdog = setInterval(() => void this.watch().catch((err: Error) => this.d.log.error(`watchdog: ${err.message}`)), every);
    this.watchdog.unref?.();
  }

  private async watch(): Promise<void> {
    const { staleAfterMs } = this.d.settings;
    for (const run of await this.repo.unfinished()) {
      if (run.state !== 'running' || Date.now() - Date.parse(run.progressAt) <= staleAfterMs) continue;
      // A hung command would hold the chain: stop it first.
      this.liveOf(run.id).controller?.abort();
      await this.enqueue(run.id, async () => {
        const now = await this.repo.get(run.id);
        if (!now || now.state !== 'running') return;
        const staleForMs = Date.now() - Date.parse(now.progressAt);
        if (staleForMs <= staleAfterMs) return;
        const reason = `no progress for ${formatDelay(staleForMs)} (watchdog: staleAfterSeconds is ${Math.round(staleAfterMs / 1000)})`;
        this.say(run.id, `watchdog: ${reason}`);
        await this.event(now, 'background_run.watchdog_marked_failed', { attempt: now.attempt, staleForMs, phase: now.phase, buildId: now.build?.id ?? null, status: now.build?.status ?? now.submission?.status ?? null });
        await this.cancelFollowed(now);
        await this.failAttempt((await this.repo.get(run.id))!, reason, { watchdog: true });
      });
    }
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────

  private runner(run: StoredRun): EasRunner | undefined {
    return easRunnerIn(run.folder, this.d.env);
  }

  private canFollowSubmissions(e: EasRunner): Promise<boolean> {
    let p = this.submitView.get(e.bin);
    if (!p) this.submitView.set(e.bin, (p = hasSubmitView(e)));
    return p;
  }

  /** The signal and output of a run's command (a fresh controller each time). */
  /**
   * Runs one eas command with its output streamed to the run's log: one redacted stream per
   * command (a secret eas-cli splits across writes is still caught), ended when the command is.
   */
  private async streamed<T>(run: StoredRun, progress: boolean, fn: (io: { signal: AbortSignal; output(chunk: string): void }) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.liveOf(run.id).controller = controller;
    const log = this.redactor.pipe((text) => this.out(run.id, text));
    try {
      return await fn({
        signal: controller.signal,
        // Output of a starting command is progress (eas submit --wait prints as it goes).
        output: (c) => {
          log.write(c);
          if (progress) void this.repo.touch(run.id).catch(() => undefined);
        },
      });
    } finally {
      log.end();
    }
  }

  /** Writes a step's change with the events that record it (one transaction), then tells the client. */
  private async update(run: StoredRun, patch: RunPatch, ...events: Happened[]): Promise<StoredRun> {
    // What eas-cli said (a build's error, its detail) is stored: no secret it repeated is.
    const next = await this.repo.update(run.id, this.redactor.value(patch), this.redactor.value(this.events(run, events)));
    this.d.changed(next);
    return next;
  }

  /** An event with no change of state (the watchdog's mark). */
  private async event(run: RunView, name: ProductEventName, data: Record<string, unknown>): Promise<void> {
    const [e] = this.events(run, [[name, data]]);
    await this.repo.event(name, run.id, e!.data);
  }

  /** Every product event names the run's kind and platform. */
  private events(run: RunView, happened: Happened[]): RunEvent[] {
    return happened.map(([name, data]) => ({ name, data: { ...data, kind: run.spec.kind, platform: run.spec.platform } }));
  }

  private forget(id: string): void {
    const l = this.live.get(id);
    if (l) clearTimeout(l.timer);
    this.live.delete(id);
  }

  /** A line of Torbit's own in the run's log. */
  private say(id: string, line: string): void {
    this.out(id, this.redactor.text(`[torbit ${new Date().toISOString()}] ${line}\n`));
  }

  /** Appends redacted text to the run's log and passes it on to the client. */
  private out(id: string, text: string): void {
    try {
      const file = runLogFile(this.d.dataDir, id);
      if (!this.logDirMade) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        this.logDirMade = true;
      }
      fs.appendFileSync(file, text);
    } catch (err) {
      this.d.log.warn(`run log ${id}: ${(err as Error).message}`);
    }
    this.d.output(id, text);
  }
}

/** What a poll saw; the same again means nothing moved. */
function seenOf(b: EasBuild): string {
  return [b.status, b.queuePosition ?? '', b.updatedAt ?? '', Array.isArray(b.logFiles) ? b.logFiles.length : ''].join('|');
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
