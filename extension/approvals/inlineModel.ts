// The inline review of a file, without VS Code: the file as it is with every pending proposal's
// hunks written in where they apply (each hunk's removed lines, then its added lines), so a person
// reads the proposed text in place; and the order in which "next/previous pending change" visits
// them across files. Pure, so the positions can be tested.
import type { HunkView } from '../../server/protocol';
import { hunksOf, lines, type Hunk } from '../../server/trust/hunks';

export type LineKind = 'context' | 'removed' | 'added';

/** One hunk as shown: its lines in the inline document are [start, start + removed + added). */
export interface Block {
  approvalId: string;
  /** The hunk's index in its proposal (what Approve / Reject name). */
  hunk: number;
  /** 0-based line of the inline document where the hunk starts (its lenses sit above it). */
  start: number;
  removed: number;
  added: number;
  /** 0-based line of the file (as it is now) where the hunk starts. */
  fileLine: number;
}

export interface InlineModel {
  text: string;
  kinds: LineKind[];
  /** For each inline line, where it is in the file now: its own line, or (added) its hunk's start. */
  pos: number[];
  blocks: Block[];
}

export interface ProposalHunks {
  approvalId: string;
  hunks: readonly Hunk[];
}

/**
 * The hunks of a proposal recomputed from its text, by the function the backend used, or
 * undefined when they do not line up with what the backend announced (then nothing is shown
 * inline for it: a person must never see one thing and approve another).
 */
export function proposalHunks(before: string, after: string, announced: readonly HunkView[]): Hunk[] | undefined {
  const hunks = hunksOf(before, after);
  if (hunks.length !== announced.length) return undefined;
  const same = hunks.every((h, i) => {
    const v = announced[i]!;
    return v.index === h.index && v.line === h.oldStart && v.removed === h.removed.length && v.added === h.added.length;
  });
  return same ? hunks : undefined;
}

const bare = (l: string) => l.replace(/\r?\n$/, '');

/**
 * `base` (the file now) with the proposals' hunks written in. Hunks of several proposals are
 * placed by their line in the file; where two touch the same lines, each shows its own removed
 * lines, the older proposal first. Lines are shown without their endings, joined by "\n".
 */
export function buildInline(base: string, proposals: readonly ProposalHunks[]): InlineModel {
  const old = lines(base);
  const all = proposals.flatMap((p, order) => p.hunks.map((h) => ({ approvalId: p.approvalId, order, h, at: Math.min(h.oldStart, old.length) })))
    .sort((x, y) => x.at - y.at || x.order - y.order || x.h.index - y.h.index);
  const covered = new Set<number>();
  for (const { h, at } of all) for (let i = at; i < Math.min(at + h.removed.length, old.length); i++) covered.add(i);
  const out: string[] = [];
  const kinds: LineKind[] = [];
  const pos: number[] = [];
  const blocks: Block[] = [];
  const push = (text: string, kind: LineKind, at: number) => {
    out.push(bare(text));
    kinds.push(kind);
    pos.push(at);
  };
  let next = 0;
  for (let line = 0; line <= old.length; line++) {
    for (; next < all.length && all[next]!.at === line; next++) {
      const { approvalId, h } = all[next]!;
      blocks.push({ approvalId, hunk: h.index, start: out.length, removed: h.removed.length, added: h.added.length, fileLine: line });
      h.removed.forEach((t, i) => { push(t, 'removed', line + i); });
      for (const t of h.added) push(t, 'added', line);
    }
    if (line < old.length && !covered.has(line)) push(old[line]!, 'context', line);
  }
  return { text: out.join('\n'), kinds, pos, blocks };
}

/** The first inline line at or after line `fileLine` of the file (a hunk starting there comes before it). */
export function inlineLineOf(m: InlineModel, fileLine: number): number {
  const i = m.pos.findIndex((p) => p >= fileLine);
  return i < 0 ? Math.max(0, m.pos.length - 1) : i;
}

/** The block that holds inline line `line`, else the first one after it, among those `open` allows. */
export function blockAt(m: InlineModel, line: number, open: (b: Block) => boolean = () => true): Block | undefined {
  const blocks = m.blocks.filter(open);
  return blocks.find((b) => line >= b.start && line < b.start + b.removed + b.added) ?? blocks.find((b) => b.start > line);
}

/** A place "next/previous pending change" can go: a hunk's first line in a file's inline review. */
export interface Stop {
  file: string;
  line: number;
  approvalId: string;
  hunk: number;
}

/**
 * Where "next" (dir 1) or "previous" (dir -1) goes from `from` (a file and its inline line; none:
 * from before the first file). Files in path order, hunks in line order; it wraps around the end.
 */
export function nextStop(stops: readonly Stop[], from: { file: string; line: number } | undefined, dir: 1 | -1): Stop | undefined {
  const order = [...stops].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  if (!order.length) return undefined;
  if (!from) return dir === 1 ? order[0] : order.at(-1);
  const cmp = (s: Stop) => (s.file < from.file ? -1 : s.file > from.file ? 1 : Math.sign(s.line - from.line));
  return dir === 1
    ? order.find((s) => cmp(s) > 0) ?? order[0]
    : order.findLast((s) => cmp(s) < 0) ?? order.at(-1);
}
