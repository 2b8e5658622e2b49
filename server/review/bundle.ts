// The review bundle of a range: the patch from the baseline to HEAD (and the work tree, when
// asked) with a header of the range, the files and the stats. Above the cap it comes as packets.
// The patch is streamed through a body file, so memory stays flat whatever the size of the diff.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleResult, ReviewRange } from '../protocol/review';
import { ReviewError } from './baseline';
import { listChanges } from './changes';
import { fileLines, MANIFEST_MARK, summaryLines, writeManifest, writePackets } from './packets';
import { streamPatch } from './patchStream';

/** What a previous bundle in the same folder left, removed before a new one is written. */
const OUTPUTS = ['bundle.diff', 'README.md', 'manifest.json', 'SHA256SUMS', 'packets.tar.gz', 'packets', '.body'];

/** Appends `from` to `to` a chunk at a time (the cap may be large: never the whole file in memory). */
function appendFile(to: string, from: string): void {
  const src = fs.openSync(from, 'r');
  const dst = fs.openSync(to, 'a');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n = fs.readSync(src, buf); n > 0; n = fs.readSync(src, buf)) fs.writeSync(dst, buf, 0, n);
  } finally {
    fs.closeSync(src);
    fs.closeSync(dst);
  }
}

/** Whether `dir` holds a bundle Torbit wrote: its manifest (or, before manifests, a bundle.diff Torbit headed). */
function isTorbitBundleDir(dir: string, entries: string[]): boolean {
  if (entries.includes('manifest.json')) {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { torbit?: unknown; version?: unknown; range?: unknown; packets?: unknown };
      // Version 1 (packets only) had no mark: its shape says it.
      return m.torbit === MANIFEST_MARK || (m.version === 1 && typeof m.range === 'object' && Array.isArray(m.packets));
    } catch {
      return false;
    }
  }
  if (!entries.every((e) => e === 'bundle.diff')) return false;
  const fd = fs.openSync(path.join(dir, 'bundle.diff'), 'r');
  try {
    const head = Buffer.alloc(24);
    fs.readSync(fd, head, 0, head.length, 0);
    return head.toString('utf8').startsWith('# Torbit review bundle\n');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes `out` ready for a new bundle: created when absent, used when empty, emptied of a previous
 * bundle's outputs only when Torbit wrote that bundle. Any other folder is refused, never removed.
 * (The caller confines `out` to the data directory: see outDir.ts.)
 */
function prepareOut(out: string): void {
  fs.mkdirSync(out, { recursive: true });
  if (!fs.lstatSync(out).isDirectory()) throw new ReviewError(`${out} is not a folder`);
  const entries = fs.readdirSync(out);
  if (!entries.length) return;
  if (!isTorbitBundleDir(out, entries)) throw new ReviewError(`${out} is not empty and holds no Torbit review bundle (no Torbit manifest.json): choose another folder, or empty it`);
  // rmSync removes a symlink itself, never what it points to.
  for (const o of OUTPUTS) fs.rmSync(path.join(out, o), { recursive: true, force: true });
}

export async function buildBundle(opts: { root: string; range: ReviewRange; maxBytes: number; out: string; known?: readonly string[] }): Promise<BundleResult> {
  const { root, range, maxBytes, out } = opts;
  prepareOut(out);
  const changes = await listChanges(root, range);
  const body = path.join(out, '.body');
  try {
    const sections = await streamPatch(root, range, changes, body, opts.known ?? []);
    const files = sections.map((s) => s.file);
    const bytes = fs.statSync(body).size;
    const header = Buffer.from([
      '# Torbit review bundle',
      ...summaryLines(range, files).map((l) => `# ${l}`),
      ...fileLines(files).map((l) => `#   ${l}`),
      '# A patch follows (git apply ignores these lines).',
      '',
    ].join('\n'));
    const base = { root, range, dir: out, maxBytes, bytes, files };
    if (header.length + bytes <= maxBytes) {
      const main = path.join(out, 'bundle.diff');
      fs.writeFileSync(main, header);
      appendFile(main, body);
      writeManifest(out, { range, maxBytes, mode: 'bundle', files, packets: [] });
      return { ...base, mode: 'bundle', main, archive: null, packets: [] };
    }
    const p = await writePackets(body, sections, range, maxBytes, out);
    return { ...base, mode: 'packets', main: p.readme, archive: p.archive, packets: p.packets };
  } finally {
    fs.rmSync(body, { force: true });
  }
}
