// Commands that ship an Expo app: builds, store submissions, and both in one run. Each becomes a
// background run in the backend (asked under the "ship" policy first); the run tracker shows its
// progress, output and outcome. A Google Play track lives in eas.json's submit profile (eas submit
// has no --track), so choosing another one proposes that change as a diff to approve first.
import * as vscode from 'vscode';
import { describeSpec, PLATFORM_NAME, rpc, TrackName, type BuildChoice, type RunPlatform, type RunSpec, type RunView } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { fail } from './fail';

const TRACKS = ['internal', 'alpha', 'beta', 'production'];

function profiles(): { profile: string; submitProfile: string } {
  const c = vscode.workspace.getConfiguration('torbit.eas');
  return { profile: c.get<string>('buildProfile') || 'production', submitProfile: c.get<string>('submitProfile') || 'production' };
}

/** Starts a run (the backend asks the person when the policy says so); undefined when refused. */
async function start(ctx: Ctx, spec: Omit<RunSpec, 'profile' | 'submitProfile' | 'track' | 'buildId'> & Partial<RunSpec>): Promise<RunView | undefined> {
  if (ctx.backend.state !== 'ready') { fail(ctx, 'starting an EAS run')(new Error(`the Torbit backend is ${ctx.backend.state}`)); return undefined; }
  const full: RunSpec = { ...profiles(), track: null, buildId: null, ...spec };
  try {
    const { run } = await ctx.request(rpc.easStart, { spec: full });
    ctx.runs?.track(run);
    return run;
  } catch (err) {
    fail(ctx, `starting ${describeSpec(full)}`)(err as Error);
    return undefined;
  }
}

async function pickBuild(ctx: Ctx, platform: RunPlatform): Promise<BuildChoice | undefined> {
  const builds = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Torbit: finished ${PLATFORM_NAME[platform]} builds at EAS…` },
    () => ctx.request(rpc.easBuilds, { platform }));
  if (!builds.builds.length) {
    void vscode.window.showInformationMessage(`Torbit: EAS has no finished ${PLATFORM_NAME[platform]} build to submit. Build one first (or use Build & Submit).`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(builds.builds.map((b) => ({
    label: `${b.appVersion ?? '?'}${b.buildVersion ? ` (${b.buildVersion})` : ''}`,
    description: `${b.profile ?? ''} · ${b.id.slice(0, 8)}`,
    detail: b.completedAt ? `finished ${new Date(b.completedAt).toLocaleString()}` : undefined,
    build: b,
  })), { title: 'Which build?', placeHolder: 'Finished builds at EAS, newest first' });
  return pick?.build;
}

/** The Google Play track, with the submit profile pointed at it (an approved eas.json diff) when it is not. */
async function pickTrack(ctx: Ctx): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick([...TRACKS.map((t) => ({ label: t })), { label: 'Other…', other: true }], { title: 'Google Play track', placeHolder: 'Where the release goes' });
  if (!pick) return undefined;
  const track = 'other' in pick
    ? (await vscode.window.showInputBox({ title: 'Google Play track', prompt: 'A custom track\'s name', validateInput: (v) => TrackName.safeParse(v).error?.issues[0]?.message }))?.trim()
    : pick.label;
  if (!track) return undefined;
  const { submitProfile } = profiles();
  const ok = await ctx.easProposals.propose(ctx, { track: { profile: submitProfile, track } }).catch((err: Error) => { fail(ctx, 'proposing the track')(err); return false; });
  return ok ? track : undefined;
}

async function pickRun(ctx: Ctx, id: unknown, which: 'active' | 'all'): Promise<RunView | undefined> {
  if (typeof id === 'string') return ctx.runs?.get(id);
  const runs = (which === 'active' ? ctx.runs?.active() : ctx.runs?.all()) ?? [];
  if (!runs.length) {
    void vscode.window.showInformationMessage(which === 'active' ? 'Torbit: no EAS run is in progress.' : 'Torbit: no EAS run yet.');
    return undefined;
  }
  if (runs.length === 1 && which === 'active') return runs[0];
  const pick = await vscode.window.showQuickPick(runs.map((r) => ({ label: describeSpec(r.spec), description: r.state, detail: r.error ?? r.detail, run: r })), { title: 'Which run?' });
  return pick?.run;
}

export const easRunCommands = {
  'torbit.eas.buildIos': (ctx: Ctx) => () => start(ctx, { kind: 'build', platform: 'ios' }),
  'torbit.eas.buildAndroid': (ctx: Ctx) => () => start(ctx, { kind: 'build', platform: 'android' }),
  'torbit.eas.submitIos': (ctx: Ctx) => async () => {
    const b = await pickBuild(ctx, 'ios').catch((err: Error) => { fail(ctx, 'listing builds')(err); return undefined; });
    if (b) await start(ctx, { kind: 'submit', platform: 'ios', buildId: b.id });
  },
  'torbit.eas.submitAndroid': (ctx: Ctx) => async () => {
    const b = await pickBuild(ctx, 'android').catch((err: Error) => { fail(ctx, 'listing builds')(err); return undefined; });
    if (!b) return;
    const track = await pickTrack(ctx);
    if (track) await start(ctx, { kind: 'submit', platform: 'android', buildId: b.id, track });
  },
  'torbit.eas.buildAndSubmit': (ctx: Ctx) => async () => {
    const pick = await vscode.window.showQuickPick([
      { label: 'iOS → TestFlight', platform: 'ios' as const },
      { label: 'Android → Google Play', platform: 'android' as const },
    ], { title: 'Build & Submit', placeHolder: 'Build, then submit the build to its store' });
    if (!pick) return;
    const track = pick.platform === 'android' ? await pickTrack(ctx) : null;
    if (track === undefined) return;
    await start(ctx, { kind: 'build-submit', platform: pick.platform, track });
  },
  'torbit.eas.cancelRun': (ctx: Ctx) => async (id?: unknown) => {
    const r = await pickRun(ctx, id, 'active');
    if (r) await ctx.runs?.cancel(r.id);
  },
  'torbit.eas.showRunLog': (ctx: Ctx) => async (id?: unknown) => {
    const r = await pickRun(ctx, id, 'all');
    if (r) await ctx.runs?.showLog(r.id).catch((err: Error) => fail(ctx, 'showing the run log')(err));
  },
};
