// The rollback journal: everything a rollback will do, written (and fsynced) before it changes
// anything. Its presence is also the lock: one rollback at a time per data directory. After a
// crash the next start finds it and finishes the rollback, so a half-restored workspace never stays.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { RestoreMode } from '../protocol';
import { Manifest } from './manifest';
import { ConfinementError } from '../confine';
import { checkPlan, FolderPlan } from './restore';

export const Journal = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  pid: z.number().int(),
  checkpointId: z.number().int().positive(),
  backupId: z.number().int().positive(),
  mode: RestoreMode,
  startedAt: z.string(),
  actor: z.enum(['user', 'system']),
  folders: z.array(FolderPlan),
  conversation: z.object({ sessionId: z.string(), visible: z.array(z.string()) }).nullable(),
  /** The state once done: the after-rollback checkpoint. */
  after: Manifest,
  /** What the audit record says (counts, confirmations). */
  summary: z.record(z.string(), z.unknown()),
}).strict();
export type Journal = z.infer<typeof Journal>;

export const journalFile = (checkpointsDir: string) => path.join(checkpointsDir, 'rollback-journal.json');

/** Writes the journal durably; refuses when another rollback holds it. */
export function writeJournal(file: string, j: Journal): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(j));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    // link, not rename: it fails when a journal is already there (that rollback owns the lock).
    fs.linkSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try { fs.fsyncSync(dir); } finally { fs.closeSync(dir); }
}

/**
 * Refuses (ConfinementError) a journal that names a folder that is not one of the workspace's, or
 * a path that would leave its folder: a journal is read back from disk, and acted on unasked.
 */
export function checkJournal(j: Journal, folders: readonly string[]): void {
  for (const plan of j.folders) checkPlan(plan, folders);
  for (const f of [...j.after.folders.map((x) => x.folder), ...j.after.config.map((c) => c.folder)]) {
    if (!folders.includes(f)) throw new ConfinementError(f, `it is not a workspace folder (${folders.join(', ') || 'none open'})`);
  }
}

export type JournalRead = { kind: 'none' } | { kind: 'ok'; journal: Journal } | { kind: 'damaged'; reason: string };

export function readJournal(file: string): JournalRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    // Anything but "not there" (a folder, a link to nowhere, unreadable) is a journal that cannot be trusted.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'damaged', reason: (err as Error).message };
  }
  try {
    const parsed = Journal.safeParse(JSON.parse(text));
    return parsed.success ? { kind: 'ok', journal: parsed.data } : { kind: 'damaged', reason: parsed.error.issues[0]?.message ?? 'bad journal' };
  } catch (err) {
    return { kind: 'damaged', reason: (err as Error).message };
  }
}

/**
 * Moves a journal that must not be acted on out of the way (it is also the rollback lock), next to
 * where it was: rollback-journal.rejected-<time>.json. Returns where it went.
 */
export function setJournalAside(file: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const aside = path.join(path.dirname(file), `${path.basename(file, '.json')}.rejected-${stamp}.json`);
  fs.renameSync(file, aside);
  return aside;
}

export function removeJournal(file: string): void {
  fs.rmSync(file, { force: true });
}
