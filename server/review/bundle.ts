// The review bundle of a range: the patch from the baseline to HEAD (and the work tree, when
// asked) with a header of the range, the files and the stats. Above the cap it comes as packets.
// The patch is streamed through a body file, so memory stays flat whatever the size of the diff.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleResult, ReviewRange } from '../protocol/review';
import { listChanges } from './changes';
import { fileLines, summaryLines, writePackets } from './packets';
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

export async function buildBundle(opts: { root: string; range: ReviewRange; maxBytes: number; out: string }): Promise<BundleResult> {
  const { root, range, maxBytes, out } = opts;
  fs.mkdirSync(out, { recursive: true });
  for (const o of OUTPUTS) fs.rmSync(path.join(out, o), { recursive: true, force: true });
  const changes = await listChanges(root, range);
  const body = path.join(out, '.body');
  try {
    const sections = await streamPatch(root, range, changes, body);
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
      return { ...base, mode: 'bundle', main, archive: null, packets: [] };
    }
    const p = await writePackets(body, sections, range, maxBytes, out);
    return { ...base, mode: 'packets', main: p.readme, archive: p.archive, packets: p.packets };
  } finally {
    fs.rmSync(body, { force: true });
  }
}
