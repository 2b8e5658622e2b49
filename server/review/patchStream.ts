// Streams a range's patch from git into one body file, file by file, never holding more than a
// chunk in memory: it counts each file's added and deleted lines, notes where its hunks start,
// lists binary files without their content, and masks secret values in place (mask.ts). Only a
// file that is a secret by name and by content (exclusion.ts) is left out, listed with its size.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { BundleFile, ReviewRange } from '../protocol/review';
import { DIFF_OPTIONS, patchHeader, rangeArgs, rangeDiff, type Change } from './changes';
import { exclusionOf, secretNamed } from './exclusion';
import { LineMasker } from './mask';

/** A file's patch in the body file: [start, end) and where its hunks start (offsets in the body). */
export interface Section {
  file: BundleFile;
  start: number;
  end: number;
  hunks: number[];
}

const FLUSH_BYTES = 1 << 20;
const NL = 0x0a;

/** Appends to a file through a buffer. */
class BodyWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Where the buffered bytes go: everything before is on disk. */
  private flushedTo = 0;

  constructor(private readonly fd: number) {}

  get size(): number {
    return this.flushedTo + this.pendingBytes;
  }

  write(b: Buffer): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (!this.pendingBytes) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, this.flushedTo + done);
    this.flushedTo += data.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    fs.ftruncateSync(this.fd, this.flushedTo);
    fs.closeSync(this.fd);
  }
}

const startsWith = (line: Buffer, prefix: string) => line.length >= prefix.length && line.toString('latin1', 0, prefix.length) === prefix;

/**
 * Writes the patch of `changes` (in git's order) to `bodyFile`; returns each file's section.
 * Files listed only (binary, excluded) have an empty section. `known`: the secrets registry's
 * values, masked wherever they appear.
 */
export async function streamPatch(root: string, range: ReviewRange, changes: Change[], bodyFile: string, known: readonly string[] = []): Promise<Section[]> {
  const excluded = await Promise.all(changes.map((c) => exclusionOf(root, range, c)));
  const inv = await rangeDiff(root, [...DIFF_OPTIONS, ...rangeArgs(range), '--']);
  const w = new BodyWriter(fs.openSync(bodyFile, 'w'));
  const sections: Section[] = changes.map((c, i) => {
    const ex = excluded[i];
    return {
      file: { path: c.path, from: c.from, status: c.status, added: 0, deleted: 0, kind: ex ? 'redacted' : 'text', ...(ex ? { reason: ex.reason, size: ex.size } : {}), bytes: 0 },
      start: 0, end: 0, hunks: [],
    };
  });
  const maskers = changes.map((c) => new LineMasker({ known, secretFile: secretNamed(c) }));
  const headers = changes.map((c) => `${patchHeader(c)}\n`);
  let at = -1; // the change whose patch is streaming
  let cur: Section | undefined;
  let inHunk = false;
  const put = (bufs: Buffer[]) => { for (const b of bufs) w.write(b); };

  const close = () => {
    if (!cur) return;
    put(maskers[at]!.flush());
    const masked = Object.fromEntries(maskers[at]!.masked);
    if (Object.keys(masked).length) cur.file.masked = masked;
    if (cur.file.kind === 'text' || cur.file.kind === 'binary') cur.end = w.size;
    cur.file.bytes = cur.end - cur.start;
  };
  const onLine = (line: Buffer) => {
    if (line[0] === 0x64 /* d */ && (startsWith(line, 'diff --git ') || startsWith(line, 'diff --cc '))) {
      const text = line.toString('utf8');
      // Its change: this one again (a type change is two patches), or a later one.
      let next = at >= 0 && headers[at] === text ? at : -1;
      for (let i = at + 1; next < 0 && i < headers.length; i++) if (headers[i] === text) next = i;
      if (next < 0) throw new Error(`cannot follow git's diff output at: ${text.trim().slice(0, 200)}`);
      if (next !== at) {
        close();
        at = next;
        cur = sections[at]!;
        cur.start = w.size;
      } else {
        put(maskers[at]!.flush());
      }
      inHunk = false;
    }
    if (!cur) return; // nothing before the first file
    if (cur.file.kind === 'redacted') return;
    const masker = maskers[at]!;
    if (line[0] === 0x40 /* @ */ && startsWith(line, '@@')) {
      put(masker.flush()); // what a key header held belongs to the hunk before
      inHunk = true;
      cur.hunks.push(w.size);
      w.write(masker.hunkHeader(line));
      return;
    }
    if (inHunk) {
      if (line[0] === 0x2b /* + */) cur.file.added++;
      else if (line[0] === 0x2d /* - */) cur.file.deleted++;
      put(masker.line(line));
      return;
    }
    if (startsWith(line, 'Binary files ')) cur.file.kind = 'binary';
    // A binary file is listed, not inlined: git prints its header and "Binary files … differ" only.
    w.write(line);
  };

  const child = spawn('git', inv.args, { cwd: root, env: inv.env, windowsHide: true });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  let carry: Buffer | undefined;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      let from = 0;
      for (let nl = buf.indexOf(NL, from); nl >= 0; nl = buf.indexOf(NL, from)) {
        onLine(buf.subarray(from, nl + 1)); // a view: each chunk is its own memory
        from = nl + 1;
      }
      carry = from < buf.length ? buf.subarray(from) : undefined;
    }
    if (carry) onLine(carry);
    close();
    const code = await exited;
    if (code !== 0) throw new Error(`git diff: ${err.trim() || `exit ${code}`}`);
  } catch (e) {
    child.kill();
    throw e;
  } finally {
    w.close();
  }
  return sections;
}
