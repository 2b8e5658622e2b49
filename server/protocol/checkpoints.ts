// Checkpoints and rollback: the timeline, a preview of what a restore would change, the restore
// itself, and a checkpoint's copy of a file (for the diff editor). The backend owns them.
import * as z from 'zod';
import { notification, request } from './define';

export const CheckpointKind = z.enum(['before-turn', 'after-turn', 'manual', 'before-rollback', 'after-rollback']);
export type CheckpointKind = z.infer<typeof CheckpointKind>;

export const RestoreMode = z.enum(['files', 'conversation', 'both']);
export type RestoreMode = z.infer<typeof RestoreMode>;

export const CheckpointView = z.object({
  id: z.number().int().positive(),
  kind: CheckpointKind,
  label: z.string().nullable(),
  sessionId: z.string().nullable(),
  turnId: z.string().nullable(),
  /** The turn's prompt (first line), when the checkpoint belongs to a turn. */
  turnTitle: z.string().nullable(),
  createdAt: z.string(),
  /** Files in the checkpoint, over all folders. */
  files: z.number().int().nonnegative(),
  /** Turns of its session in the conversation at that point (null: no session). */
  turns: z.number().int().nonnegative().nullable(),
});
export type CheckpointView = z.infer<typeof CheckpointView>;

export const FileAction = z.object({
  /** The workspace folder's path. */
  folder: z.string(),
  /** Folder-relative POSIX path. */
  path: z.string(),
  action: z.enum(['create', 'modify', 'delete']),
});
export type FileAction = z.infer<typeof FileAction>;

export const HeadMove = z.object({
  folder: z.string(),
  /** The user's HEAD when the checkpoint was taken and now (commit, and branch when on one). */
  then: z.string(),
  now: z.string(),
});

export const RestorePreview = z.object({
  checkpoint: CheckpointView,
  mode: RestoreMode,
  files: z.array(FileAction),
  /** Of those, files changed outside Torbit's turns since the checkpoint: a restore needs them confirmed. */
  userWork: z.array(FileAction),
  headMoved: z.array(HeadMove),
  /** Files a restore cannot bring back (bigger than the size limit at the checkpoint, so not stored). */
  unrestorable: z.array(z.object({ folder: z.string(), path: z.string(), reason: z.string() })),
  /** Empty folders a restore creates and removes. */
  folders: z.object({ create: z.array(z.string()), remove: z.array(z.string()) }),
  conversation: z.object({ sessionId: z.string(), keep: z.number().int().nonnegative(), hide: z.number().int().nonnegative(), bringBack: z.number().int().nonnegative() }).nullable(),
});
export type RestorePreview = z.infer<typeof RestorePreview>;

export const RestoreParams = z.object({
  checkpointId: z.number().int().positive(),
  mode: RestoreMode.default('both'),
  /** The user-work paths ("folder/path" as in the preview) the person agreed to overwrite or delete. */
  confirmUserWork: z.array(z.string()).max(100_000).default([]),
  confirmHeadMoved: z.boolean().default(false),
}).strict();
export type RestoreParams = z.input<typeof RestoreParams>;

export const RestoreResult = z.object({
  rollbackId: z.string(),
  /** A checkpoint of the state just before the restore: restoring it undoes the restore. */
  backupCheckpointId: z.number().int().positive(),
  written: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  sessionId: z.string().nullable(),
});
export type RestoreResult = z.infer<typeof RestoreResult>;

/** extension → server: the checkpoints, newest first. */
export const checkpointList = request('torbit/checkpoint/list', 'extension', 'any',
  z.object({ sessionId: z.string().optional(), limit: z.number().int().positive().max(1000).optional() }).strict().optional(),
  z.object({ checkpoints: z.array(CheckpointView) }));

/** extension → server: takes a checkpoint now. */
export const checkpointCreate = request('torbit/checkpoint/create', 'extension', 'any', z.object({ label: z.string().max(200).optional() }).strict(), CheckpointView);

/** extension → server: what restoring a checkpoint would change (changes nothing). */
export const checkpointPreview = request('torbit/checkpoint/preview', 'extension', 'any',
  z.object({ checkpointId: z.number().int().positive(), mode: RestoreMode.default('both') }).strict(), RestorePreview);

/** extension → server: restores a checkpoint; refused (and nothing changed) when unconfirmed user work or a moved HEAD stands in the way. */
export const checkpointRestore = request('torbit/checkpoint/restore', 'extension', 'trusted', RestoreParams, RestoreResult);

/** extension → server: the checkpoint to go back to for "Restore" on a turn (the state before it). */
export const checkpointForTurn = request('torbit/checkpoint/forTurn', 'extension', 'any', z.object({ turnId: z.string().min(1) }).strict(),
  z.object({ checkpoint: CheckpointView.nullable() }));

/** extension → server: a file as a checkpoint has it (null: not in it; large files are not stored). */
export const checkpointFile = request('torbit/checkpoint/file', 'extension', 'any',
  z.object({ checkpointId: z.number().int().positive(), folder: z.string(), path: z.string() }).strict(),
  z.object({ content: z.string().nullable(), note: z.string().optional() }));

/** server → extension: a checkpoint was taken or a restore happened (the timeline and the chat refresh). */
export const checkpointChanged = notification('torbit/checkpoint/changed', 'server',
  z.object({ checkpoint: CheckpointView.optional(), restored: RestoreResult.extend({ checkpointId: z.number().int().positive(), mode: RestoreMode }).optional() }));

const ReplayCall = z.object({ status: z.string(), result: z.string(), output: z.string() });
export const ReplayReport = z.object({
  turnId: z.string(),
  sessionId: z.string(),
  mode: z.enum(['deterministic', 'live']),
  checkpointId: z.number().int().positive(),
  toolCalls: z.array(z.object({ toolCallId: z.string(), tool: z.string(), recorded: ReplayCall.nullable(), replayed: ReplayCall.nullable(), same: z.boolean() })),
  files: z.array(z.object({ folder: z.string(), path: z.string(), recorded: z.string().nullable(), replayed: z.string().nullable() })),
  filesCompared: z.boolean(),
  text: z.object({ recorded: z.string(), replayed: z.string(), same: z.boolean() }),
  same: z.boolean(),
});
export type ReplayReport = z.infer<typeof ReplayReport>;

/** extension → server: re-runs a turn from its checkpoint in a scratch copy and compares it with the recording. */
export const replayTurn = request('torbit/replay/turn', 'extension', 'trusted',
  z.object({ turnId: z.string().min(1), mode: z.enum(['deterministic', 'live']).default('deterministic') }).strict(), ReplayReport);
