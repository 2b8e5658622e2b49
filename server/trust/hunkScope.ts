// The function, method or class a hunk is in, found cheaply from the lines above it (the way git's
// hunk headers name one): the nearest declaration that is less indented than the hunk. No parser:
// when nothing is found the lens says the line number instead.
import type { Hunk } from './hunks';

/** How far up to look: a hunk deep in a huge function just gets its line number. */
const LOOK_BACK = 400;

const DECLARATIONS: readonly { re: RegExp; name(m: RegExpMatchArray): string }[] = [
  { re: /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[<(]/, name: (m) => `${m[1]}()` },
  { re: /^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|interface|struct|enum|trait|impl|module|namespace)\s+([A-Za-z_$][\w$.:]*)/, name: (m) => m[1]! },
  { re: /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/, name: (m) => `${m[1]}()` },
  { re: /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/, name: (m) => `${m[1]}()` },
  { re: /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*[[(]/, name: (m) => `${m[1]}()` },
  { re: /^(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+([A-Za-z_]\w*)/, name: (m) => `${m[1]}()` },
  { re: /^def\s+(?:self\.)?([A-Za-z_]\w*[?!]?)/, name: (m) => `${m[1]}()` },
  // A method: `name(args) {` or `async name(args): T {`, not a control statement.
  { re: /^(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*(?!(?:if|for|while|switch|catch|with|return|function)\b)([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*(?::\s*[^{]+)?\{\s*$/, name: (m) => `${m[1]}()` },
];

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function declared(trimmed: string): string | undefined {
  if (trimmed.length > 300) return undefined;
  for (const d of DECLARATIONS) {
    const m = trimmed.match(d.re);
    if (m) return d.name(m);
  }
  return undefined;
}

/** The name of what encloses the hunk in the old text (split into lines), or undefined. */
export function scopeOf(oldLines: readonly string[], h: Hunk): string | undefined {
  const own = (h.removed.length ? h.removed : h.added).filter((l) => l.trim() !== '');
  if (!own.length) return undefined;
  let limit = Math.min(...own.map(indentOf));
  const stop = Math.max(0, h.oldStart - LOOK_BACK);
  for (let i = h.oldStart - 1; i >= stop && limit > 0; i--) {
    const line = oldLines[i]!;
    if (line.trim() === '') continue;
    const indent = indentOf(line);
    if (indent >= limit) continue;
    const name = declared(line.trim());
    if (name) return name;
    // A less indented line that declares nothing (an `if`, a closing brace): what encloses the
    // hunk encloses that line too, so only a still less indented declaration can.
    limit = indent;
  }
  return undefined;
}
