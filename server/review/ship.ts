// "Torbit: Ship": run the tests, have the model review the changes, and when it blocks them, one
// bounded heal round in which the agent fixes the blockers (allowlisted files only, approvals as
// usual), then test and review again; an approval is finished and pushed. Attempts bound the
// loop; the first failure ends it, with the step and the reason. Every step is reported.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChatService } from '../agent/chat';
import { commandEnv, Redactor } from '../secrets';
import type { ReviewResult, ShipParams, ShipProgress, ShipResult, ShipStep } from '../protocol/review';
import { currentRange, describeRange, BASELINE_FILE, repoRoot, ReviewError } from './baseline';
import { listChanges } from './changes';
import { finishReview } from './finish';
import { changedSince, commitHeal, HealScope, healPrompt, treeState, uncommitted } from './heal';
import { pushHead, pushTarget } from './push';
import { reviewChanges, type ReviewDeps } from './service';
import { describeTestRun, runTests, testCommandFor } from './testRun';
import { git } from '../git';

export interface ShipDeps extends ReviewDeps {
  /** Runs the heal round (null: no chat, so no heal). */
  chat: ChatService | null;
  /** Whether the workspace is trusted: Ship runs commands and the agent. */
  trusted: boolean;
  progress(p: ShipProgress): void;
  output: (chunk: string) => void;
}

/** `abs` as a repository-relative POSIX path, symlinks resolved as git's top level is. */
function repoRelative(root: string, abs: string): string {
  let real = abs;
  try {
    real = fs.realpathSync(abs);
  } catch { /* gone since: compare as written */ }
  return path.relative(root, real).split(path.sep).join('/');
}

/** Ends the run at a step: a failure (or a stop) with its reason. */
class Stop extends Error {
  constructor(readonly step: ShipStep, message: string, readonly canceled = false) {
    super(message);
  }
}

export async function ship(d: ShipDeps, p: ShipParams & { folder: string }): Promise<ShipResult> {
  const steps: ShipProgress[] = [];
  const healSessions: string[] = [];
  let attempt = 0;
  let review: ReviewResult | null = null;
  let pushed: ShipResult['pushed'] = null;
  // The tests' and git's words reach the client, the result and the audit: no secret they print does.
  const redactor = new Redactor(d.env);
  /** Runs one program with its output as one redacted stream, ended when the program is. */
  const streamed = async <T>(fn: (output: (chunk: string) => void) => Promise<T>): Promise<T> => {
    const out = redactor.pipe(d.output);
    try {
      return await fn((chunk) => out.write(chunk));
    } finally {
      out.end();
    }
  };
  const report = (step: ShipStep, state: ShipProgress['state'], said: string, reviewed?: ReviewResult) => {
    const message = redactor.text(said);
    const e: ShipProgress = { shipId: p.shipId, attempt, attempts: p.attempts, step, state, message, ...(reviewed ? { review: reviewed } : {}) };
    // The result keeps the last review once, not one per step.
    if (state !== 'running') steps.push({ shipId: e.shipId, attempt, attempts: e.attempts, step, state, message });
    d.progress(e);
  };
  /** Runs one step: reported as it starts and as it ends; a throw ends the run there. */
  const step = async <T>(name: ShipStep, start: string, fn: () => Promise<{ value: T; message: string; state?: 'passed' | 'skipped'; review?: ReviewResult }>): Promise<T> => {
    if (d.signal?.aborted) throw new Stop(name, 'stopped before it started', true);
    report(name, 'running', start);
    try {
      const r = await fn();
      report(name, r.state ?? 'passed', r.message, r.review);
      return r.value;
    } catch (err) {
      const stop = err instanceof Stop ? err : new Stop(name, (err as Error).message, d.signal?.aborted === true);
      report(name, 'failed', stop.message);
      throw stop;
    }
  };

  let releaseChat: (() => void) | undefined;
  let root = p.folder;
  let outcome: ShipResult['outcome'];
  let failedStep: ShipStep | null = null;
  let message: string;
  try {
    const prep = await step('prepare', 'checking the repository', async () => {
      if (!d.trusted) throw new ReviewError('Ship runs the test command and the agent: trust this workspace first');
      if (!p.model) throw new ReviewError('Ship needs a model for the review: set torbit.model (provider:model)');
      // Held until the run ends: no chat turn may start meanwhile, so a heal commit holds only the heal's work.
      releaseChat = d.chat?.reserveForShip(p.shipId);
      root = await repoRoot(p.folder);
      const dirty = await uncommitted(root);
      if (dirty.length) throw new ReviewError(`${dirty.length} tracked file(s) have uncommitted changes (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', …' : ''}): Ship tests, reviews and pushes commits, so commit or stash them first`);
      const target = await pushTarget(root, p.remote);
      const command = testCommandFor(root, p.testCommand);
      return { value: { target, command }, message: `${target.branch} → ${target.remote} ${target.ref}; tests: ${command}` };
    });
    const scope = new HealScope(root, p.healPaths);
    for (attempt = 1; ; attempt++) {
      await step('test', `running ${prep.command}`, async () => {
        const r = await streamed((output) => runTests({ root, command: prep.command, timeoutMs: p.testTimeoutSeconds * 1000, env: commandEnv(d.env), signal: d.signal, output }));
        const line = describeTestRun(prep.command, r);
        if (!r.passed) throw new Stop('test', line, r.canceled);
        return { value: undefined, message: line };
      });
      const range = await currentRange(root, false);
      const changed = range.from === range.to ? [] : (await listChanges(root, range)).filter((c) => c.path !== BASELINE_FILE);
      if (!changed.length) {
        // Only finish commits since the baseline: reviewed already, and the gate lets them through.
        report('review', 'skipped', `nothing to review: every commit up to ${range.to.slice(0, 12)} is reviewed`);
        break;
      }
      review = await step('review', `${p.model} is reviewing ${describeRange(range)}`, async () => {
        const r = await reviewChanges(d, { folder: root, model: p.model, baseUrl: p.baseUrl, maxBytes: p.maxBytes, includeWorktree: false });
        const v = r.review.verdict;
        const what = `review ${r.review.id} of ${describeRange(v.meta.range)}: ${v.verdict}${v.blockers.length ? `, ${v.blockers.length} blocker(s)` : ''}`;
        if (v.meta.simulated) throw new Stop('review', `${what}, but given by a simulated model (${v.meta.provider}:${v.meta.model}), which can never pass the gate: set a real model`);
        return { value: r, message: what, review: r };
      });
      const v = review.review.verdict;
      if (v.verdict === 'APPROVED') {
        await step('finish', 'advancing the baseline', async () => {
          const f = await finishReview(d, root);
          return { value: f, message: `baseline advanced to ${f.baseline.slice(0, 12)}, committed as ${f.commit.slice(0, 12)}` };
        });
        break;
      }
      if (attempt >= p.attempts) {
        throw new Stop('review', `still BLOCKED after ${attempt} attempt(s) (torbit.ship.maxAttempts is ${p.attempts}): ${v.blockers.length} blocker(s) remain, shown in Problems`);
      }
      await step('heal', `the agent is fixing ${v.blockers.length} blocker(s); approve its changes as usual`, async () => {
        if (!p.healPaths.length) throw new ReviewError('no heal round: torbit.ship.healPaths is empty');
        if (!d.chat) throw new ReviewError('no heal round: the chat is unavailable');
        const fixable = v.blockers.filter((b) => scope.allows(b.file));
        if (!fixable.length) throw new ReviewError(`every blocker is in a file the heal round may not change (${[...new Set(v.blockers.map((b) => b.file))].join(', ')}); it may change only ${scope.describe()}`);
        const before = await treeState(root);
        const sent = await d.chat.send({ text: healPrompt(v, scope, attempt), model: p.model!, baseUrl: p.baseUrl, confine: scope.confinement(), forShip: p.shipId });
        healSessions.push(sent.sessionId);
        const onAbort = () => d.chat?.stop(sent.turnId);
        d.signal?.addEventListener('abort', onAbort, { once: true });
        const status = await sent.done.finally(() => d.signal?.removeEventListener('abort', onAbort));
        if (status === 'canceled' || status === 'interrupted') throw new Stop('heal', `the heal round was ${status === 'canceled' ? 'stopped' : 'interrupted'}; its changes are left uncommitted`, true);
        if (status !== 'done' && status !== 'step-limit') throw new ReviewError(`the heal round ended with ${status} (see the chat session); its changes are left uncommitted`);
        const changed = changedSince(before, await treeState(root));
        const outside = changed.filter((rel) => !scope.allows(rel));
        if (outside.length) throw new ReviewError(`files outside the allowlist changed during the heal round (${outside.join(', ')}); nothing was committed`);
        // The commit holds only what the heal turn itself wrote, never an edit made beside it.
        const healed = new Set((await d.chat.changedFiles(sent.turnId)).map((abs) => repoRelative(root, abs)));
        const touched = changed.filter((rel) => healed.has(rel));
        const beside = changed.filter((rel) => !healed.has(rel));
        if (beside.length) throw new ReviewError(`files the heal turn did not change were changed during the heal round (${beside.join(', ')}); nothing was committed`);
        if (!touched.length) throw new ReviewError('the heal round changed nothing (its edits were rejected, or the agent found nothing to fix)');
        const commit = await commitHeal(root, touched, `Torbit Ship: fix review blockers (heal round ${attempt})\n\nReview ${review!.review.id} blocked ${describeRange(v.meta.range)}:\n${v.blockers.map((b) => `- ${b.file}:${b.line} ${b.message.split('\n')[0]}`).join('\n')}`);
        await d.audit.append({ kind: 'ship', actor: 'model', sessionId: sent.sessionId, turnId: sent.turnId, data: { action: 'heal', repo: root, reviewId: review!.review.id, attempt, commit, files: touched } });
        return { value: undefined, message: `${touched.length} file(s) fixed and committed as ${commit.slice(0, 12)}: ${touched.join(', ')}` };
      });
    }
    pushed = await step('push', `pushing to ${prep.target.remote} ${prep.target.ref}`, async () => {
      const sha = await git(root, ['rev-parse', 'HEAD']);
      // The repository's own pre-push hooks run too: they get no credential (the gate's hook names its data directory itself).
      await streamed((output) => pushHead(root, prep.target, { env: commandEnv(d.env), signal: d.signal, output }));
      return { value: { remote: prep.target.remote, ref: prep.target.ref, sha }, message: `pushed ${sha.slice(0, 12)} to ${prep.target.remote} ${prep.target.ref}` };
    });
    outcome = 'pushed';
    message = `shipped: ${pushed.sha.slice(0, 12)} is on ${pushed.remote} ${pushed.ref}`;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    outcome = err.canceled ? 'canceled' : 'failed';
    failedStep = err.step;
    message = `${err.canceled ? 'stopped' : 'failed'} at ${err.step}: ${redactor.text(err.message)}`;
  } finally {
    releaseChat?.();
  }
  const result: ShipResult = { outcome, failedStep, message, attempts: attempt, steps, review, healSessions, pushed };
  // The run's record: a failure to write it must not hide what happened (a push cannot be undone).
  await d.audit.append({
    kind: 'ship', actor: 'user',
    data: { action: 'ship', repo: root, outcome, failedStep, message, attempts: attempt, steps: steps.map((s) => `${s.step}:${s.state}`), reviewId: review?.review.id ?? null, pushed, healSessions },
  }).catch((err: Error) => { result.message += ` (not audited: ${err.message})`; });
  return result;
}
