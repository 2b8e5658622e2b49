// A bundle above the size cap, as packets: one per file, and a file whose patch is larger than
// the cap split by hunks (a hunk larger than the cap by lines, each part a valid hunk of its own).
// Every packet says what it holds; a README says how to review them, a manifest lists their
// sha256, and a .tar.gz holds them all. Patches are read back from the body file in pieces.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleFile, Packet, ReviewRange } from '../protocol/review';
import { describeRange } from './baseline';
import { gitQuote } from './changes';
import { describeMasks } from './mask';
import type { Section } from './patchStream';
import { writeTarGz } from './tar';

/** Part of a packet: a hunk header (null: none) and a byte range of the body. */
interface Piece {
  header: string | null;
  from: number;
  to: number;
}

interface Plan {
  section: Section;
  /** Per packet: its pieces, and which new-side lines it covers (for its header). */
  packets: { pieces: Piece[]; lines: [number, number] | null }[];
}

const READ = 1 << 20;

/** Calls `onLine(offset, line)` for each line of [from, to) of the file, in chunks. */
function eachLine(fd: number, from: number, to: number, onLine: (at: number, line: Buffer) => void): void {
  const buf = Buffer.alloc(READ);
  let carry = Buffer.alloc(0);
  let carryAt = from;
  for (let pos = from; pos < to;) {
    const n = fs.readSync(fd, buf, 0, Math.min(READ, to - pos), pos);
    if (n <= 0) throw new Error('the bundle body ended early');
    const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      onLine(carryAt + start, data.subarray(start, nl + 1));
      start = nl + 1;
    }
    carryAt += start;
    carry = Buffer.from(data.subarray(start));
    pos += n;
  }
  if (carry.length) onLine(carryAt, carry);
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/** Where a file's patch is cut so that each packet stays under `cap` (a single line may not). */
function plan(fd: number, s: Section, cap: number, overhead: number): Plan {
  const first = s.hunks[0] ?? s.end;
  const headBytes = first - s.start;
  if (s.end - s.start + overhead <= cap || !s.hunks.length) return { section: s, packets: [{ pieces: [{ header: null, from: first, to: s.end }], lines: null }] };
  const packets: Plan['packets'] = [];
  let pieces: Piece[] = [];
  let size = overhead + headBytes;
  let oldLine = 0;
  let newLine = 0;
  let sub: { from: number; oldStart: number; newStart: number; old: number; neu: number; context: string } | undefined;
  let lines: [number, number] | null = null;
  // Packets apply in order: a packet's old side is the file with the earlier packets applied, so
  // its old line numbers move by what they added and removed. New line numbers are the final ones.
  let shift = 0;
  let shiftNext = 0;
  const endSub = (to: number) => {
    if (!sub) return;
    if (to > sub.from) {
      const start = (n: number, count: number) => (count === 0 ? Math.max(0, n - 1) : n);
      pieces.push({ header: `@@ -${start(sub.oldStart + shift, sub.old)},${sub.old} +${start(sub.newStart, sub.neu)},${sub.neu} @@${sub.context}\n`, from: sub.from, to });
      shiftNext += sub.neu - sub.old;
    }
    sub = undefined;
  };
  const endPacket = (to: number) => {
    endSub(to);
    if (pieces.length) packets.push({ pieces, lines });
    pieces = [];
    lines = null;
    size = overhead + headBytes;
    shift = shiftNext;
  };
  eachLine(fd, first, s.end, (at, line) => {
    const m = line[0] === 0x40 ? HUNK.exec(line.toString('utf8').replace(/\n$/, '')) : null;
    if (m) {
      endSub(at);
      oldLine = Number(m[1]);
      newLine = Number(m[3]);
      // An empty side's start is the line before it: the next line is the one after.
      if (m[2] === '0') oldLine++;
      if (m[4] === '0') newLine++;
      const header = `@@ -1,1 +1,1 @@${m[5]}\n`.length;
      if (size + header > cap && pieces.length) endPacket(at);
      sub = { from: at + line.length, oldStart: oldLine, newStart: newLine, old: 0, neu: 0, context: m[5]! };
      size += header;
      return;
    }
    if (!sub) return;
    // Never cut before "\ No newline at end of file": it belongs to the line above.
    if (size + line.length > cap && line[0] !== 0x5c && (sub.old || sub.neu || pieces.length)) {
      endPacket(at);
      sub = { from: at, oldStart: oldLine, newStart: newLine, old: 0, neu: 0, context: '' };
      size += 40;
    }
    const c = line[0];
    if (c === 0x20 || c === 0x2d) { sub.old++; oldLine++; }
    if (c === 0x20 || c === 0x2b) {
      lines = lines ? [lines[0], newLine] : [newLine, newLine];
      sub.neu++;
      newLine++;
    }
    size += line.length;
  });
  endPacket(s.end);
  return { section: s, packets };
}

const safeName = (p: string) => p.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-60) || 'file';

function statLine(f: BundleFile): string {
  const name = f.from ? `${gitQuote(f.from)} -> ${gitQuote(f.path)}` : gitQuote(f.path);
  const masks = describeMasks(f.masked);
  const what = f.kind === 'binary' ? 'binary, not inlined'
    : f.kind === 'redacted' ? `redacted (${f.reason}; ${f.size ?? 0} bytes)`
      : `+${f.added} -${f.deleted}${masks ? `; masked in place: ${masks}` : ''}`;
  return `${f.status}  ${name}  ${what}`;
}

/** The manifest's mark: a folder that holds one is Torbit's bundle folder, which a new bundle may empty. */
export const MANIFEST_MARK = 'torbit-review-bundle';

/** Writes `dir`/manifest.json: the range, every file (shown, binary or left out, with its size), the packets. */
export function writeManifest(dir: string, m: { range: ReviewRange; maxBytes: number; mode: 'bundle' | 'packets'; files: BundleFile[]; packets: Packet[] }): void {
  const manifest = { torbit: MANIFEST_MARK, version: 2, ...m };
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The lines that open a bundle or a packet: range, files, stats. */
export function summaryLines(range: ReviewRange, files: BundleFile[]): string[] {
  const text = files.filter((f) => f.kind === 'text');
  const added = text.reduce((n, f) => n + f.added, 0);
  const deleted = text.reduce((n, f) => n + f.deleted, 0);
  const binary = files.filter((f) => f.kind === 'binary').length;
  const redacted = files.filter((f) => f.kind === 'redacted').length;
  return [
    `range: ${range.from ?? '(none: from the first commit)'}..${range.to}`,
    `work tree: ${range.worktree ? 'included (uncommitted changes to tracked files)' : 'not included'}`,
    `files: ${files.length} changed (+${added} -${deleted}); ${binary} binary (listed, not inlined); ${redacted} redacted (secret files holding only secret data, not shown; name and size listed)`,
  ];
}

/** Every file not shown in the bundle (binary, or a secret file left out), one line each. */
export function notShownLines(files: BundleFile[]): string[] {
  return [...files.filter((f) => f.kind === 'redacted'), ...files.filter((f) => f.kind === 'binary')].map(statLine);
}

export function fileLines(files: BundleFile[]): string[] {
  return files.map(statLine);
}

/** As many of `lines` as fit in `budget` bytes, then one line saying how many more the manifest lists. */
function fitLines(lines: string[], budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const [i, l] of lines.entries()) {
    if (used + l.length + 1 > budget - 100) return [...out, `# not shown in any packet: ${lines.length - i} more file(s), listed in README.md and manifest.json`];
    out.push(l);
    used += l.length + 1;
  }
  return out;
}

export async function writePackets(body: string, sections: Section[], range: ReviewRange, cap: number, dir: string): Promise<{ packets: Packet[]; readme: string; archive: string }> {
  const fd = fs.openSync(body, 'r');
  const packetDir = path.join(dir, 'packets');
  fs.mkdirSync(packetDir, { recursive: true });
  const packets: Packet[] = [];
  try {
    // Each packet is reviewed alone, so each one names the files no packet shows.
    const notShown = fitLines(notShownLines(sections.map((s) => s.file)).map((l) => `# not shown in any packet: ${l}`), Math.floor(cap / 4));
    const overhead = 600 + notShown.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const plans = sections.filter((s) => s.file.kind === 'text').map((s) => plan(fd, s, cap, overhead));
    const total = plans.reduce((n, p) => n + p.packets.length, 0);
    const width = Math.max(4, String(total).length);
    let index = 0;
    for (const p of plans) {
      const s = p.section;
      const first = s.hunks[0] ?? s.end;
      const original = Buffer.alloc(first - s.start);
      fs.readSync(fd, original, 0, original.length, s.start);
      // Applied in order, only the first packet of a file creates or renames it (or changes its
      // mode), and only the last deletes it; the others change it in place.
      const inPlace = (p: string) => Buffer.from(`diff --git ${gitQuote(`a/${p}`)} ${gitQuote(`b/${p}`)}\n--- ${gitQuote(`a/${p}`)}\n+++ ${gitQuote(`b/${p}`)}\n`);
      const last = p.packets.length - 1;
      p.packets.forEach((pk, i) => {
        const head = p.packets.length === 1 ? original
          : s.file.status === 'D' ? (i === last ? original : inPlace(s.file.path))
            : i === 0 ? original : inPlace(s.file.path);
        index++;
        const name = `packets/${String(index).padStart(width, '0')}-${safeName(s.file.path)}${p.packets.length > 1 ? `-part${i + 1}` : ''}.diff`;
        const intro = [
          `# Torbit review packet ${index} of ${total}`,
          `# ${describeRange(range)}: ${summaryLines(range, [s.file])[0]}`,
          `# file: ${statLine(s.file)}`,
          `# part ${i + 1} of ${p.packets.length} of this file${pk.lines ? `, new lines ${pk.lines[0]}-${pk.lines[1]}` : ''}${p.packets.length > 1 ? ' (split by hunks, and a hunk larger than the cap by lines: no context at such a cut, so apply with git apply --unidiff-zero)' : ''}`,
          ...notShown,
          '# A patch follows (git apply ignores these lines; the packets of a file apply in order). README.md lists every packet.',
          '',
        ].join('\n');
        const hash = createHash('sha256');
        const out = fs.openSync(path.join(dir, name), 'w');
        let bytes = 0;
        const put = (b: Buffer) => { fs.writeSync(out, b); hash.update(b); bytes += b.length; };
        try {
          put(Buffer.from(intro));
          put(head);
          for (const piece of pk.pieces) {
            if (piece.header) put(Buffer.from(piece.header));
            for (let pos = piece.from; pos < piece.to;) {
              const chunk = Buffer.alloc(Math.min(READ, piece.to - pos));
              const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
              if (n <= 0) throw new Error('the bundle body ended early');
              put(chunk.subarray(0, n));
              pos += n;
            }
          }
        } finally {
          fs.closeSync(out);
        }
        packets.push({ name, path: s.file.path, part: i + 1, parts: p.packets.length, bytes, sha256: hash.digest('hex') });
      });
    }
  } finally {
    fs.closeSync(fd);
  }
  const files = sections.map((s) => s.file);
  writeManifest(dir, { range, maxBytes: cap, mode: 'packets', files, packets });
  fs.writeFileSync(path.join(dir, 'SHA256SUMS'), packets.map((p) => `${p.sha256}  ${p.name}\n`).join(''));
  const readme = path.join(dir, 'README.md');
  fs.writeFileSync(readme, readmeText(range, cap, files, packets));
  const archive = path.join(dir, 'packets.tar.gz');
  await writeTarGz(archive, [
    { name: 'README.md', path: readme },
    { name: 'manifest.json', path: path.join(dir, 'manifest.json') },
    { name: 'SHA256SUMS', path: path.join(dir, 'SHA256SUMS') },
    ...packets.map((p) => ({ name: p.name, path: path.join(dir, p.name) })),
  ]);
  return { packets, readme, archive };
}

function readmeText(range: ReviewRange, cap: number, files: BundleFile[], packets: Packet[]): string {
  const listed = files.filter((f) => f.kind !== 'text');
  return [
    '# Torbit review packets',
    '',
    `The changes of ${describeRange(range)} are larger than the bundle cap (${cap} bytes), so they`,
    'come as packets: one per file, and a file larger than the cap split by hunks (a hunk larger',
    'than the cap by lines, each part a valid hunk with its own line numbers).',
    '',
    ...summaryLines(range, files).map((l) => `- ${l}`),
    '',
    '## How to review',
    '',
    '1. Check the packets are intact: `sha256sum -c SHA256SUMS` (manifest.json lists the same hashes).',
    '2. Review the packets in order. Each one opens with the range, its file and which part it is;',
    '   what follows is a patch of that file alone. Applied in order, the packets of a file give its',
    '   new version (`git apply --unidiff-zero`: a hunk cut by lines has no context at the cut); their',
    '   new line numbers are the final ones.',
    '3. A verdict covers the whole range: approve it only when every packet is reviewed.',
    '',
    '## Packets',
    '',
    '| # | file | part | bytes | sha256 |',
    '| --- | --- | --- | --- | --- |',
    ...packets.map((p, i) => `| ${i + 1} | \`${p.path}\` | ${p.part} of ${p.parts} | ${p.bytes} | \`${p.sha256.slice(0, 16)}…\` |`),
    '',
    ...(listed.length ? ['## Listed, not included', '', ...listed.map((f) => `- ${statLine(f)}`), ''] : []),
  ].join('\n');
}
