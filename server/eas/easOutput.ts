// What eas-cli prints, read through zod in the shapes eas-cli 24 really prints (BuildFragment,
// SubmissionWithSubmittedBuildFragment; nulls left out, enums in upper case). Only what Torbit
// uses is typed; the rest passes through, so a new field never breaks a run.
import { z } from 'zod';
import { describeZodError } from '../protocol';
import { OptionalExpoUrl } from './expoUrl';

export const BUILD_STATUSES = ['NEW', 'IN_QUEUE', 'IN_PROGRESS', 'PENDING_CANCEL', 'FINISHED', 'ERRORED', 'CANCELED'] as const;
export const BuildStatus = z.enum(BUILD_STATUSES);
export type BuildStatus = z.infer<typeof BuildStatus>;

export const SubmissionStatus = z.enum(['AWAITING_BUILD', 'IN_QUEUE', 'IN_PROGRESS', 'FINISHED', 'ERRORED', 'CANCELED']);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;

const AppPlatform = z.enum(['IOS', 'ANDROID']);

export const EasBuild = z.object({
  id: z.string().min(1),
  status: BuildStatus,
  platform: AppPlatform,
  error: z.object({ errorCode: z.string().optional(), message: z.string().optional(), docsUrl: z.string().optional() }).passthrough().optional(),
  // Links Torbit may offer to open: only https on expo.dev (a hostile eas could print javascript:, file: or another host).
  artifacts: z.object({ buildUrl: OptionalExpoUrl, applicationArchiveUrl: OptionalExpoUrl }).passthrough().optional(),
  buildProfile: z.string().optional(),
  appVersion: z.string().optional(),
  appBuildVersion: z.string().optional(),
  queuePosition: z.number().optional(),
  estimatedWaitTimeLeftSeconds: z.number().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  completedAt: z.string().optional(),
  app: z.object({ slug: z.string().optional(), ownerAccount: z.object({ name: z.string() }).passthrough().optional() }).passthrough().optional(),
}).passthrough();
export type EasBuild = z.infer<typeof EasBuild>;

export const EasSubmission = z.object({
  id: z.string().min(1),
  status: SubmissionStatus,
  platform: AppPlatform,
  error: z.object({ errorCode: z.string().optional(), message: z.string().optional() }).passthrough().optional(),
  androidConfig: z.object({ track: z.string().optional(), releaseStatus: z.string().optional() }).passthrough().optional(),
  iosConfig: z.object({ ascAppIdentifier: z.string().optional() }).passthrough().optional(),
  createdAt: z.string().optional(),
  completedAt: z.string().optional(),
  submittedBuild: z.object({ id: z.string() }).passthrough().optional(),
}).passthrough();
export type EasSubmission = z.infer<typeof EasSubmission>;

export class EasOutputError extends Error {}

/** The JSON document eas-cli printed on stdout (with --json, every other message goes to stderr). */
export function parseJsonOutput<T extends z.ZodType>(schema: T, stdout: string, what: string): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    const first = stdout.trim().split('\n')[0] ?? '';
    throw new EasOutputError(`${what} did not print JSON${first ? ` (it printed "${first.slice(0, 200)}")` : ''}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new EasOutputError(`${what} printed JSON Torbit does not understand: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** `eas submit` prints no JSON; the submission's id is in its "Submission details" link. */
export function submissionIdFrom(stdout: string): string | undefined {
  const m = /submission details: https?:\/\/\S+\/submissions\/([0-9a-f-]{36})/i.exec(stdout);
  return m?.[1];
}

/** A build as one line for a person: "IN_QUEUE (position 3, about 2 min)". */
export function describeBuild(b: EasBuild): string {
  const extra: string[] = [];
  if (b.status === 'IN_QUEUE' && b.queuePosition !== undefined) extra.push(`position ${b.queuePosition}`);
  if (b.status === 'IN_QUEUE' && b.estimatedWaitTimeLeftSeconds !== undefined) extra.push(`about ${Math.max(1, Math.round(b.estimatedWaitTimeLeftSeconds / 60))} min`);
  if (b.status === 'ERRORED' && b.error?.message) extra.push(b.error.message);
  return `${b.status}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
