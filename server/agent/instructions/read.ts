// Reads one instruction file back from disk. The repository wrote it, so it is data read through
// the workspace's confinement: a symbolic link that leads outside the folder is refused, and so is
// anything that is not a regular text file of sane size (a FIFO would hang the turn).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { ConfinementError, confinedRealPath } from '../../confine';

/** Bigger files are refused unread; the token budget decides about the rest. */
export const MAX_INSTRUCTION_BYTES = 1024 * 1024;

export type ReadOutcome =
  | { kind: 'absent' }
  | { kind: 'ok'; real: string; text: string; sha256: string }
  | { kind: 'refused'; reason: string };

/**
 * `roots`: the folders the file must really lie in (links followed), or null for the person's own
 * file, which lives outside every workspace by design.
 */
export async function readInstructionFile(abs: string, roots: readonly string[] | null): Promise<ReadOutcome> {
  const st = await fs.lstat(abs).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    const code = st.code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'absent' } : { kind: 'refused', reason: `not read: ${st.message}` };
  }
  let real: string;
  try {
    real = roots ? confinedRealPath(roots, abs) : await fs.realpath(abs);
  } catch (err) {
    if (err instanceof ConfinementError) return { kind: 'refused', reason: `not read: ${err.reason} (instruction files are read from inside the workspace only)` };
    return { kind: 'refused', reason: `not read: ${(err as Error).message}` };
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the real path has no link left to follow.
  const fh = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: Error) => err);
  if (fh instanceof Error) return { kind: 'refused', reason: `not read: ${fh.message}` };
  try {
    const info = await fh.stat();
    if (!info.isFile()) return { kind: 'refused', reason: 'not read: it is not a regular file' };
    if (info.size > MAX_INSTRUCTION_BYTES) return { kind: 'refused', reason: `not read: it is ${info.size} bytes, over the ${MAX_INSTRUCTION_BYTES} an instruction file may have` };
    const buf = await fh.readFile();
    if (buf.subarray(0, 8000).includes(0)) return { kind: 'refused', reason: 'not read: it is a binary file' };
    const text = buf.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
    return { kind: 'ok', real, text, sha256: createHash('sha256').update(buf).digest('hex') };
  } finally {
    await fh.close();
  }
}
