// A proposed change as hunks a person can approve one by one, and the file that results from
// approving some of them. Lines keep their own line endings, so CRLF and a missing final newline
// survive partial approval.
import { diffArrays } from 'diff';

export interface Hunk {
  index: number;
  /** 0-based line in the old text where the hunk starts. */
  oldStart: number;
  removed: string[];
  added: string[];
}

/** The text's lines, each with its own line ending. */
export function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function hunksOf(before: string, after: string): Hunk[] {
  const out: Hunk[] = [];
  let oldLine = 0;
  let current: Hunk | undefined;
  for (const part of diffArrays(lines(before), lines(after))) {
    if (!part.added && !part.removed) {
      current = undefined;
      oldLine += part.value.length;
      continue;
    }
    current ??= out[out.push({ index: out.length, oldStart: oldLine, removed: [], added: [] }) - 1]!;
    if (part.removed) {
      current.removed.push(...part.value);
      oldLine += part.value.length;
    } else {
      current.added.push(...part.value);
    }
  }
  return out;
}

/** The old text with the approved hunks applied and the others left as they were. */
export function applyHunks(before: string, hunks: readonly Hunk[], approved: ReadonlySet<number>): string {
  const old = lines(before);
  const out: string[] = [];
  let cursor = 0;
  for (const h of [...hunks].sort((a, b) => a.oldStart - b.oldStart)) {
    out.push(...old.slice(cursor, h.oldStart));
    out.push(...(approved.has(h.index) ? h.added : h.removed));
    cursor = h.oldStart + h.removed.length;
  }
  out.push(...old.slice(cursor));
  return out.join('');
}
