// EAS shipping (Expo builds and store submissions): whether the pipeline can run at all, checked
// by the backend and shown by the status bar, the diagnostics command and `torbit ship diagnose`.
import * as z from 'zod';
import { request } from './define';
import { ProfileName, TrackName } from './runs';

export const CheckState = z.enum(['ok', 'warn', 'fail']);
export type CheckState = z.infer<typeof CheckState>;

/** How a state is shown everywhere (CLI, status bar, tooltip, quick pick). */
export const CHECK_MARK: Record<CheckState, string> = { ok: '✓', warn: '⚠', fail: '✗' };

export const CheckId = z.enum(['expo-project', 'eas-json', 'eas-cli', 'expo-token', 'ios-credentials', 'android-credentials']);
export type CheckId = z.infer<typeof CheckId>;

export const PipelineCheck = z.object({
  id: CheckId,
  title: z.string(),
  state: CheckState,
  /** What was found (never a secret's value). */
  detail: z.string(),
  /** For warn and fail: exactly what to set, and where. */
  fix: z.string().nullable(),
});
export type PipelineCheck = z.infer<typeof PipelineCheck>;

export const Diagnostics = z.object({
  /** The folder checked. */
  root: z.string(),
  /** An Expo project: the status bar shows the pipeline only then. */
  expo: z.boolean(),
  /** The worst state of the checks. */
  state: CheckState,
  checks: z.array(PipelineCheck),
  easCli: z.object({ path: z.string(), version: z.string(), source: z.enum(['project', 'global']) }).nullable(),
  /** When the checks ran (ISO). */
  time: z.string(),
});
export type Diagnostics = z.infer<typeof Diagnostics>;

/** extension → server: run the pipeline checks in a workspace folder (the first by default). */
export const easDiagnose = request('torbit/eas/diagnose', 'extension', 'any', z.object({ folder: z.string().optional() }), Diagnostics);

export const EasJsonProposal = z.object({
  file: z.string(),
  /** The file as it is (null: there is none). */
  before: z.string().nullable(),
  /** With the defaults merged in; equal to before when nothing is missing. */
  after: z.string(),
  /** The profiles the merge adds, e.g. build.preview, submit.production. */
  added: z.array(z.string()),
  /** Values the person wrote that the proposal replaces, e.g. submit.production.android.track: "internal" → "beta". */
  changed: z.array(z.string()),
});
export type EasJsonProposal = z.infer<typeof EasJsonProposal>;

/** extension → server: eas.json with Torbit's defaults merged in, to be shown as a diff (nothing is written). */
export const easProposeConfig = request('torbit/eas/proposeConfig', 'extension', 'any', z.object({
  folder: z.string().optional(),
  /** Also point a submit profile at this Google Play track (eas submit has no --track flag). */
  track: z.object({ profile: ProfileName, track: TrackName }).strict().optional(),
}), EasJsonProposal);

/** extension → server: write the approved eas.json, only if the file is still as proposed; audited. */
export const easWriteConfig = request('torbit/eas/writeConfig', 'extension', 'trusted',
  z.object({ folder: z.string().optional(), before: z.string().nullable(), after: z.string() }),
  z.object({ file: z.string() }));
