// The eas-cli commands Torbit runs, with exactly the flags eas-cli 24 accepts (the fake `eas` in
// the tests refuses anything else), run non-interactively with the credentials in the child's
// environment only. What they print is read through easOutput's schemas.
import { envFor } from '../secrets';
import { runProcess, type ProcessRun } from '../runProcess';
import type { RunPlatform as Platform } from '../protocol';
import { withEasNames } from './credentials';
import { locateEas } from './easCli';
import { EasBuild, EasOutputError, EasSubmission, parseJsonOutput, submissionIdFrom } from './easOutput';
import { z } from 'zod';

/** The environment eas-cli runs in: the person's, with exactly the credentials the registry gives eas (their eas-cli names filled in), no model keys. */
export function easEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...withEasNames(envFor('eas', env)), EXPO_NO_TELEMETRY: env.EXPO_NO_TELEMETRY ?? '1' };
}

export const argv = {
  build: (p: Platform, profile: string) => ['build', '--platform', p, '--profile', profile, '--non-interactive', '--json', '--no-wait'],
  buildView: (id: string) => ['build:view', id, '--json'],
  /** `eas build:cancel` in the build phase, `eas submit:cancel` in the submit phase. */
  cancel: (phase: 'build' | 'submit', id: string) => [`${phase}:cancel`, id, '--non-interactive'],
  buildList: (p: Platform, limit: number) => ['build:list', '--platform', p, '--status', 'finished', '--limit', String(limit), '--json', '--non-interactive'],
  /** --no-wait when submit:view can follow the submission; otherwise eas-cli waits and its exit code says how it ended. */
  submit: (p: Platform, buildId: string, profile: string, wait: boolean) =>
    ['submit', '--platform', p, '--id', buildId, '--profile', profile, '--non-interactive', ...(wait ? ['--wait'] : ['--no-wait'])],
  submitView: (id: string) => ['submit:view', id, '--json'],
};

export class EasCommandError extends Error {
  constructor(message: string, readonly run?: ProcessRun) { super(message); }
}

export interface EasRunner {
  /** The eas executable, and the folder of the Expo app. */
  readonly bin: string;
  readonly cwd: string;
  run(args: string[], o?: { signal?: AbortSignal; output?: (chunk: string) => void; timeoutMs?: number }): Promise<ProcessRun>;
}

/** The eas-cli of the Expo app in `folder` (its own, else the one on PATH); undefined when there is none. */
export function easRunnerIn(folder: string, env: NodeJS.ProcessEnv): EasRunner | undefined {
  const at = locateEas(folder, env);
  return at ? easRunner(at.path, folder, env) : undefined;
}

export function easRunner(bin: string, cwd: string, env: NodeJS.ProcessEnv): EasRunner {
  const childEnv = easEnv(env);
  return {
    bin, cwd,
    // With --json, stdout is the answer (read, summarized in the log); the rest is eas's own words.
    run: (args, o = {}) => runProcess({
      command: bin, args, cwd, env: childEnv, timeoutMs: o.timeoutMs ?? 10 * 60_000, signal: o.signal, tailBytes: 4000, output: o.output,
      keepStdout: true, echoStdout: !args.includes('--json'),
    }),
  };
}

/** Why a command failed, in one line: eas-cli's own last words. */
export function failure(what: string, r: ProcessRun): string {
  if (r.canceled) return `${what} was stopped`;
  if (r.timedOut) return `${what} did not finish in time`;
  const lines = r.tail.split('\n').map((l) => l.trim()).filter((l) => l && !/^See more help with --help$/.test(l) && !/^Error: .* command failed\.$/.test(l));
  const said = lines.slice(-3).join(' ');
  return `${what} failed (exit ${r.exitCode ?? r.signal ?? '?'})${said ? `: ${said.slice(0, 600)}` : ''}`;
}

async function ok(e: EasRunner, args: string[], o: Parameters<EasRunner['run']>[1]): Promise<ProcessRun> {
  const r = await e.run(args, o);
  if (r.exitCode !== 0) throw new EasCommandError(failure(`eas ${args[0]}`, r), r);
  return r;
}

export async function startBuild(e: EasRunner, p: Platform, profile: string, o: Parameters<EasRunner['run']>[1] = {}): Promise<EasBuild> {
  const r = await ok(e, argv.build(p, profile), o);
  const builds = parseJsonOutput(z.array(EasBuild).min(1), r.stdout, 'eas build');
  return builds[0]!;
}

export async function viewBuild(e: EasRunner, id: string, o: Parameters<EasRunner['run']>[1] = {}): Promise<EasBuild> {
  const r = await ok(e, argv.buildView(id), { timeoutMs: 120_000, ...o });
  return parseJsonOutput(EasBuild, r.stdout, 'eas build:view');
}

/** Cancels a build or a submission at EAS; eas-cli says so when it had already completed. */
export async function cancelAtEas(e: EasRunner, phase: 'build' | 'submit', id: string, o: Parameters<EasRunner['run']>[1] = {}): Promise<'canceled' | 'already completed'> {
  const r = await ok(e, argv.cancel(phase, id), { timeoutMs: 120_000, ...o });
  return /already completed/i.test(r.tail) ? 'already completed' : 'canceled';
}

export async function listBuilds(e: EasRunner, p: Platform, limit = 10): Promise<EasBuild[]> {
  const r = await ok(e, argv.buildList(p, limit), { timeoutMs: 120_000 });
  return parseJsonOutput(z.array(EasBuild), r.stdout, 'eas build:list');
}

/** Schedules a submission; with `wait`, eas-cli waits for it and fails unless it FINISHED. */
export async function startSubmit(e: EasRunner, p: Platform, buildId: string, profile: string, wait: boolean, o: Parameters<EasRunner['run']>[1] = {}): Promise<{ id: string | undefined }> {
  const r = await ok(e, argv.submit(p, buildId, profile, wait), { timeoutMs: wait ? 3 * 3600_000 : 10 * 60_000, ...o });
  const id = submissionIdFrom(r.stdout);
  if (!id && !wait) throw new EasOutputError('eas submit printed no "Submission details" link, so the submission cannot be followed');
  return { id };
}

export async function viewSubmission(e: EasRunner, id: string, o: Parameters<EasRunner['run']>[1] = {}): Promise<EasSubmission> {
  const r = await ok(e, argv.submitView(id), { timeoutMs: 120_000, ...o });
  return parseJsonOutput(EasSubmission, r.stdout, 'eas submit:view');
}

/** Whether this eas-cli has `submit:view` (older ones do not: then Torbit lets `eas submit` wait). */
export async function hasSubmitView(e: EasRunner): Promise<boolean> {
  const r = await e.run(['submit:view', '--help'], { timeoutMs: 60_000 });
  return r.exitCode === 0 && /submit:view/.test(r.stdout);
}
