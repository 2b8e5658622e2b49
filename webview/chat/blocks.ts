// Splits streamed markdown into blocks that can be rendered once and never again: a block ends at
// a blank line outside code fences (and outside HTML blocks that run across blank lines), but only
// when what follows cannot continue it (an indented line, or a list item after a list). The
// trailing unfinished part is the tail, re-rendered on every chunk. Pure: no DOM, no markdown parser.

/** Lines that open an HTML block which, in CommonMark, runs on across blank lines until an end marker. */
const HTML_RUNS: [RegExp, RegExp][] = [
  [/^ {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
/** A partial line that may still become a list marker once more characters arrive. */
const MAYBE_LIST_ITEM = /^(?:[-+*]|\d{1,9}[.)]?)$/;
const BLANK = /^[ \t]*$/;
/** A link reference definition: it serves the whole document, so nothing after it is split off. */
const LINK_DEF = /^ {0,3}\[(?:[^\]\\]|\\.)+\]:/;

type Verdict = 'split' | 'keep' | 'unknown';

export class BlockSplitter {
  private src = '';
  /** Where the tail starts: everything before it was handed out as finished blocks. */
  private committed = 0;
  /** Start of the first line not yet scanned (every line before it is complete). */
  private pos = 0;
  private fence: { char: string; len: number } | null = null;
  private htmlEnd: RegExp | null = null;
  /** The current block has content, then a blank line (outside any fence): a split may follow. */
  private blankAfterContent = false;
  private hasContent = false;
  private hasList = false;
  /** Seen a link reference definition: from there on everything stays in the tail. */
  private noSplit = false;

  /** All the text so far. */
  get text(): string {
    return this.src;
  }

  /** The unfinished trailing part, still to be re-rendered as chunks arrive. */
  get tail(): string {
    return this.src.slice(this.committed);
  }

  /** Adds a chunk; returns the blocks it finished, in order (often none). */
  append(chunk: string): string[] {
    this.src += chunk;
    const out: string[] = [];
    let nl: number;
    while ((nl = this.src.indexOf('\n', this.pos)) !== -1) {
      this.scanLine(this.src.slice(this.pos, this.src[nl - 1] === '\r' ? nl - 1 : nl), out);
      this.pos = nl + 1;
    }
    // A partial last line may already show that the block before it is finished.
    if (this.blankAfterContent && !this.noSplit && this.pos < this.src.length && this.verdict(this.src.slice(this.pos), false) === 'split') this.commit(out);
    return out;
  }

  private scanLine(line: string, out: string[]): void {
    if (this.fence) {
      const close = new RegExp(`^ {0,3}\\${this.fence.char}{${this.fence.len},}[ \\t]*$`);
      if (close.test(line)) this.fence = null;
      return;
    }
    if (this.htmlEnd) {
      if (this.htmlEnd.test(line)) this.htmlEnd = null;
      return;
    }
    if (BLANK.test(line)) {
      if (this.hasContent) this.blankAfterContent = true;
      return;
    }
    if (this.blankAfterContent) {
      if (!this.noSplit && this.verdict(line, true) === 'split') this.commit(out);
      this.blankAfterContent = false;
    }
    this.hasContent = true;
    if (LIST_ITEM.test(line)) this.hasList = true;
    if (LINK_DEF.test(line)) this.noSplit = true;
    const f = FENCE_OPEN.exec(line);
    if (f && !(f[1]!.startsWith('`') && f[2]!.includes('`'))) {
      this.fence = { char: f[1]![0]!, len: f[1]!.length };
      return;
    }
    for (const [open, end] of HTML_RUNS) {
      if (open.test(line)) {
        if (!end.test(line)) this.htmlEnd = end;
        break;
      }
    }
  }

  /** May the block before this line (which follows a blank line) be closed here? */
  private verdict(line: string, complete: boolean): Verdict {
    if (/^[ \t]/.test(line)) return complete || line.trim() ? 'keep' : 'unknown';
    if (!complete && MAYBE_LIST_ITEM.test(line)) return 'unknown';
    if (this.hasList && LIST_ITEM.test(line)) return 'keep';
    return 'split';
  }

  private commit(out: string[]): void {
    out.push(this.src.slice(this.committed, this.pos));
    this.committed = this.pos;
    this.blankAfterContent = false;
    this.hasContent = false;
    this.hasList = false;
  }
}
