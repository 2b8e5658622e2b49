// Background runs: EAS builds and store submissions that run in the backend for minutes or hours,
// persisted so they survive a window reload or a backend restart. The extension starts, lists
// and cancels them; the backend reports every change and the runs' output.
import * as z from 'zod';
import { notification, request } from './define';

export const RunKind = z.enum(['build', 'submit', 'build-submit']);
export type RunKind = z.infer<typeof RunKind>;
export const RunPlatform = z.enum(['ios', 'android']);
export type RunPlatform = z.infer<typeof RunPlatform>;
export const RunState = z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']);
export type RunState = z.infer<typeof RunState>;
export const TERMINAL_STATES: readonly RunState[] = ['succeeded', 'failed', 'canceled'];

/** An eas.json profile name. */
export const ProfileName = z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'a profile name: letters, digits, ".", "_" and "-"');
/** Google Play track: eas.json takes any name (production, beta, alpha, internal, or a custom one). */
export const TrackName = z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'a track name: letters, digits, ".", "_" and "-"');
const UUID = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'an EAS build id (a UUID v4)');

/** What a run does; stored with it. */
export const RunSpec = z.object({
  kind: RunKind,
  platform: RunPlatform,
  /** The eas.json build profile (builds). */
  profile: ProfileName.default('production'),
  /** The eas.json submit profile (submissions). */
  submitProfile: ProfileName.default('production'),
  /** Android submissions: the Google Play track the submit profile must name. */
  track: TrackName.nullable().default(null),
  /** Submit only: the finished build to submit. */
  buildId: UUID.nullable().default(null),
}).strict();
export type RunSpec = z.infer<typeof RunSpec>;

export const RunView = z.object({
  id: z.string(),
  folder: z.string(),
  spec: RunSpec,
  state: RunState,
  phase: z.enum(['build', 'submit']),
  attempt: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  build: z.object({ id: z.string(), status: z.string().nullable(), url: z.string().nullable() }).nullable(),
  submission: z.object({ id: z.string(), status: z.string().nullable() }).nullable(),
  /** Where the run is, in words ("iOS build IN_QUEUE (position 2)"). */
  detail: z.string(),
  error: z.string().nullable(),
  /** When a scheduled retry starts. */
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The last time anything moved (the watchdog's clock). */
  progressAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunView = z.infer<typeof RunView>;

export const PRODUCT_EVENTS = [
  'background_run.started', 'background_run.succeeded', 'background_run.failed', 'background_run.canceled',
  'background_run.retry_scheduled', 'background_run.watchdog_marked_failed', 'background_run.watchdog_retried',
  'background_run.watchdog_terminal_failure',
] as const;
export const ProductEventName = z.enum(PRODUCT_EVENTS);
export type ProductEventName = z.infer<typeof ProductEventName>;

export const ProductEvent = z.object({
  id: z.number().int(),
  ts: z.string(),
  name: ProductEventName,
  runId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type ProductEvent = z.infer<typeof ProductEvent>;

/** A finished EAS build a submission can take. */
export const BuildChoice = z.object({
  id: z.string(),
  platform: RunPlatform,
  profile: z.string().nullable(),
  appVersion: z.string().nullable(),
  buildVersion: z.string().nullable(),
  completedAt: z.string().nullable(),
  url: z.string().nullable(),
});
export type BuildChoice = z.infer<typeof BuildChoice>;

export const PLATFORM_NAME = { ios: 'iOS', android: 'Android' } as const;

/** A run in words, the same everywhere (approval, log, audit, notifications): "iOS build (production)". */
export function describeSpec(s: RunSpec): string {
  const p = PLATFORM_NAME[s.platform];
  const store = s.platform === 'ios' ? 'TestFlight' : `Google Play${s.track ? ` (${s.track})` : ''}`;
  if (s.kind === 'build') return `${p} build (${s.profile})`;
  if (s.kind === 'submit') return `${p} submission to ${store} of build ${s.buildId?.slice(0, 8) ?? '?'}`;
  return `${p} build (${s.profile}) and submission to ${store}`;
}

/** extension → server: start a run (after the "ship" policy's decision; asks by default). Refused with the reason. */
export const easStart = request('torbit/eas/start', 'extension', 'trusted', z.object({ folder: z.string().optional(), spec: RunSpec }).strict(), z.object({ run: RunView }));

/** extension → server: the project's finished builds at EAS for a platform (eas build:list), newest first. */
export const easBuilds = request('torbit/eas/builds', 'extension', 'trusted', z.object({ folder: z.string().optional(), platform: RunPlatform }).strict(), z.object({ builds: z.array(BuildChoice) }));

/** extension → server: the runs, newest first. */
export const runList = request('torbit/runs/list', 'extension', 'any', z.object({ limit: z.number().int().min(1).max(500).optional() }).strict().optional(), z.object({ runs: z.array(RunView) }));

/** extension → server: cancel a run (and its EAS build, with eas build:cancel). */
export const runCancel = request('torbit/runs/cancel', 'extension', 'trusted', z.object({ runId: z.string().min(1) }).strict(), z.object({ run: RunView }));

/** extension → server: a run's log so far (its last 200 kB) and its product events. */
export const runLog = request('torbit/runs/log', 'extension', 'any', z.object({ runId: z.string().min(1) }).strict(),
  z.object({ text: z.string(), events: z.array(ProductEvent) }));

/** server → extension: a run changed state, phase, attempt or status. */
export const runChanged = notification('torbit/runs/changed', 'server', RunView);

/** server → extension: output of a run's eas-cli commands, as it comes. */
export const runOutput = notification('torbit/runs/output', 'server', z.object({ runId: z.string(), chunk: z.string() }));
