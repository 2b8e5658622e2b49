// Masking in place, line by line, of the hunk lines of one file's patch: a private key block's
// lines, tokens that match a known pattern, values Torbit holds in its environment (the secrets
// registry), and in a file named as a secret, its assignments' values. Every masked line keeps
// its diff prefix, so hunks keep their line counts and line numbers; a marker says what was
// masked. Nothing else of the line is hidden: code next to a key header reaches the reviewer.
import { createPrivateKey } from 'node:crypto';
import { SECRET_VALUES } from './secrets';

const KEY_BEGIN = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----/;
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
/** A whole key block on one line (JSON's "\n" escapes): its body is masked, its armour kept. */
const KEY_INLINE = /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(.+?)(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)/g;
const KEY_INLINE_ONE = new RegExp(KEY_INLINE.source);
/** A line of a key's body: base64, maybe quoted or with a "\n" escape (a key written into code). */
const KEY_BODY = /^\s*["'`]?[A-Za-z0-9+/=]+(\\n)?["'`]?\s*[+,]?\s*$/;
/** An RFC 1421 header inside a block (Proc-Type, DEK-Info). */
const KEY_HEADER = /^\s*[A-Za-z-]+: [A-Za-z0-9,-]+\s*$/;
/** Held lines at most: a key block is far shorter, so more is masked as one block and a new one starts. */
const MAX_BLOCK_LINES = 4096;

export const KEY_BLOCK = 'private key block';
export const KNOWN_SECRET = 'a credential Torbit holds';
export const ASSIGNED_VALUE = 'a value in a secret file';

export interface MaskOptions {
  /** The secrets registry's values (secretValues(env)), longest first. */
  known: readonly string[];
  /** The file is named as a secret (its content was not only data): mask its assignments' values too. */
  secretFile: boolean;
}

const marker = (what: string, n?: number) => `[masked: ${what}${n && n > 1 ? `, ${n} lines` : ''}]`;

export class LineMasker {
  /** What was masked in this file, and how many times (lines, for a key block). */
  readonly masked = new Map<string, number>();
  /** Lines held since a key header: they are masked when the block ends as one. */
  private block: { prefix: string; body: string; eol: string }[] | null = null;
  /** The header that opened the block (to check whether the block is a key that parses). */
  private blockHeader = '';
  private readonly known: { text: string; bytes: Buffer }[];

  constructor(private readonly opts: MaskOptions) {
    this.known = opts.known.filter((k) => !k.includes('\n')).map((text) => ({ text, bytes: Buffer.from(text) }));
  }

  private count(what: string, n = 1): void {
    this.masked.set(what, (this.masked.get(what) ?? 0) + n);
  }

  /** One hunk line (prefix ' ', '+', '-' or '\', and its newline): what to write for it, maybe later. */
  line(raw: Buffer): Buffer[] {
    const text = raw.toString('utf8');
    const eol = text.endsWith('\r\n') ? '\r\n' : text.endsWith('\n') ? '\n' : '';
    const prefix = text[0] ?? '';
    const body = text.slice(1, text.length - eol.length);
    if (this.block) {
      if (KEY_END.test(body)) {
        const out = this.endBlock(true);
        return [...out, Buffer.from(prefix + this.values(body) + eol)];
      }
      if ((KEY_BODY.test(body) || KEY_HEADER.test(body)) && this.block.length < MAX_BLOCK_LINES) {
        this.block.push({ prefix, body, eol });
        return [];
      }
      const out = this.endBlock(false);
      return [...out, ...this.line(raw)];
    }
    const begin = KEY_BEGIN.exec(body);
    if (begin && !KEY_INLINE_ONE.test(body)) {
      // The header stays (it says what follows); a body on the same line is masked.
      const at = begin.index + begin[0].length;
      const rest = body.slice(at);
      const masked = rest.replace(/^([A-Za-z0-9+/=]|\\n){16,}/, () => { this.count(KEY_BLOCK); return marker(KEY_BLOCK); });
      this.block = [];
      this.blockHeader = begin[0];
      return [Buffer.from(prefix + this.values(body.slice(0, at)) + this.values(masked) + eol)];
    }
    if (!this.opts.known.length && !this.opts.secretFile && !mayHoldPattern(raw) && !raw.includes('PRIVATE KEY')) return [raw];
    return [Buffer.from(prefix + this.values(body) + eol)];
  }

  /** The tail of a hunk header (after the second "@@"): git copies a line of the file there. */
  hunkHeader(raw: Buffer): Buffer {
    const text = raw.toString('utf8');
    const m = /^(@@ [^@]* @@)(.*?)(\r?\n)?$/s.exec(text);
    if (!m || !m[2]) return raw;
    return Buffer.from(m[1]! + this.values(m[2]) + (m[3] ?? ''));
  }

  /** What is still held: at a hunk header, the next file or the end. */
  flush(): Buffer[] {
    return this.block ? this.endBlock(false) : [];
  }

  /**
   * The held lines, masked. When the block, closed by its END line, parses as a private key, every
   * held line is the key's. Otherwise only lines long enough to be a key's body are masked: a short
   * word between a header and an END line (a command in a script) is shown.
   */
  private endBlock(closed: boolean): Buffer[] {
    const held = this.block ?? [];
    this.block = null;
    const whole = closed && parsesAsPem(this.blockHeader, held.map((l) => l.body));
    const isKey = held.map((l, i) => whole || KEY_HEADER.test(l.body) || looksLikeKeyLine(l.body, closed && i === held.length - 1));
    const n = isKey.filter(Boolean).length;
    if (n) this.count(KEY_BLOCK, n);
    let first = true;
    return held.map((l, i) => {
      if (!isKey[i]) return Buffer.from(l.prefix + this.values(l.body) + l.eol);
      const text = first ? marker(KEY_BLOCK, n) : '[masked]';
      first = false;
      return Buffer.from(l.prefix + text + l.eol);
    });
  }

  /** A line's text with known secrets, token patterns and (in a secret file) assigned values masked. */
  private values(s: string): string {
    let out = s;
    if (out.includes('PRIVATE KEY')) {
      out = out.replace(KEY_INLINE, (_m, begin: string, _body: string, end: string) => { this.count(KEY_BLOCK); return `${begin}${marker(KEY_BLOCK)}${end}`; });
    }
    for (const k of this.known) {
      if (!out.includes(k.text)) continue;
      const parts = out.split(k.text);
      this.count(KNOWN_SECRET, parts.length - 1);
      out = parts.join(marker(KNOWN_SECRET));
    }
    for (const [re, what] of SECRET_VALUES) {
      out = out.replace(re, () => { this.count(what); return marker(what); });
    }
    if (this.opts.secretFile) out = this.assignedValues(out);
    return out;
  }

  /**
   * In a file named as a secret: a dotenv line's value (a plain word or one quoted string, never
   * shell syntax), and quoted token-like strings (letters and digits, 16 or more). Code stays.
   */
  private assignedValues(s: string): string {
    const assignment = /^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=)([^\s;(){}|&<>`$]+|"[^"$`]*"|'[^']*')(\s+#.*)?$/.exec(s);
    if (assignment && !assignment[2]!.startsWith('[masked')) {
      this.count(ASSIGNED_VALUE);
      return `${assignment[1]}${marker(ASSIGNED_VALUE)}${assignment[3] ?? ''}`;
    }
    return s.replace(/(["'`])([A-Za-z0-9+/=_-]{16,})\1/g, (m, q: string, v: string) => {
      if (!/[0-9]/.test(v) || !/[A-Za-z]/.test(v)) return m;
      this.count(ASSIGNED_VALUE);
      return `${q}${marker(ASSIGNED_VALUE)}${q}`;
    });
  }
}

/** Whether a header and body lines (quotes, "\\n" escapes and concatenation stripped) make a private key node:crypto reads. */
function parsesAsPem(header: string, body: string[]): boolean {
  const lines = body.map((b) => b.trim().replace(/(["'`])\s*[+,]$/, '$1').replace(/^["'`]/, '').replace(/["'`]$/, '').replace(/\\n$/, ''));
  const pem = `${header}\n${lines.join('\n')}\n${header.replace('BEGIN', 'END')}\n`;
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * A body line of a key that did not parse (encrypted, or old and new lines mixed in a hunk): long
 * base64, or the block's short last line when it could be one (a multiple of 4, not a lowercase word).
 */
function looksLikeKeyLine(body: string, last: boolean): boolean {
  if (!KEY_BODY.test(body)) return false;
  const core = body.trim().replace(/(["'`])\s*[+,]$/, '$1').replace(/^["'`]|["'`]$/g, '').replace(/\\n$/, '');
  if (core.length >= 32) return true;
  return last && core.length % 4 === 0 && /[A-Z0-9+/=]/.test(core);
}

/** A cheap test before the regular expressions: every token pattern starts with one of these. */
function mayHoldPattern(raw: Buffer): boolean {
  for (const p of ['AKIA', 'gh', 'github_pat_', 'sk-', 'xox', 'AIza', 'glpat-']) if (raw.includes(p)) return true;
  return false;
}

/** A file's masks as one line for its listing: "private key block (25 lines), a GitHub token (1)". */
export function describeMasks(masked: Record<string, number> | undefined): string {
  const entries = Object.entries(masked ?? {});
  return entries.map(([what, n]) => `${what} (${n})`).join(', ');
}
