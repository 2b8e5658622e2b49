// A turn's instructions: found at its start (the person's own AGENTS.md, each folder's AGENTS.md,
// the compatible files of other tools, the rules that always apply), and grown as the turn reads or
// changes files (the AGENTS.md of each folder on the way to such a file, the rules whose applyTo
// matches it). What is found between two model steps joins the prompt of the next one. Everything
// is held to one token budget, in the order found; what does not fit is named, never cut.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Minimatch } from 'minimatch';
import type { InstructionFile, InstructionLeftOut, InstructionSettings, InstructionSource, TurnInstructions } from '../../protocol';
import { ConfinementError, confinedRealPath } from '../../confine';
import type { Root, Workspace } from '../workspace';
import { parseRule, ruleApplies } from './frontMatter';
import { personalDisplay } from './personal';
import { readInstructionFile } from './read';
import { viewOf, type RecordedInstructions } from './record';
import { promptAt } from './render';

export interface InstructionOptions {
  settings: InstructionSettings;
  /** The person's own AGENTS.md: the first of these that exists (personal.ts). */
  personal: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Masks the backend's credentials in the text (as every tool result is): the model and the database never get one. */
  redact?: (text: string) => string;
}

/** The estimate the budget counts in: about four characters a token, as for English text and code. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

const RULES_DIR = '.torbit/rules';

interface Candidate {
  source: InstructionSource;
  abs: string;
  display: string;
  /** The folder it must really lie in; null for the person's own file. */
  root: Root | null;
  because?: string;
}

interface PendingRule {
  root: Root;
  display: string;
  abs: string;
  sha256: string;
  text: string;
  globs: Minimatch[];
}

export class InstructionSet {
  private readonly files: RecordedInstructions['files'] = [];
  private readonly leftOut: InstructionLeftOut[] = [];
  /** Found since the last step began: they join the next step's prompt. */
  private fresh: RecordedInstructions['files'] = [];
  private freshLeftOut: InstructionLeftOut[] = [];
  private readonly pendingRules: PendingRule[] = [];
  /** Real paths already taken or refused: a CLAUDE.md linked to AGENTS.md counts once. */
  private readonly seenReal = new Set<string>();
  /** Paths already looked at (found or not), so a touched folder is looked at once. */
  private readonly looked = new Set<string>();
  private used = 0;
  private changed = false;
  private work: Promise<void> = Promise.resolve();

  private constructor(
    private readonly ws: Workspace | null,
    private readonly trusted: boolean,
    private readonly o: InstructionOptions,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Never throws: a file that cannot be read is named in `leftOut`, the turn goes on. */
  static async load(ws: Workspace | null, trusted: boolean, o: InstructionOptions, onError: (err: Error) => void = () => undefined): Promise<InstructionSet> {
    const set = new InstructionSet(ws, trusted, o, onError);
    try {
      await set.loadStart();
    } catch (err) {
      onError(err as Error);
    }
    set.flush(0);
    set.changed = false;
    return set;
  }

  private async loadStart(): Promise<void> {
    for (const abs of this.o.personal) {
      const got = await this.take({ source: 'personal', abs, display: personalDisplay(abs, this.o.env), root: null });
      if (got !== 'absent') break;
    }
    // Restricted mode: the repository's files are not read at all (the chat says so).
    if (!this.trusted || !this.ws) return;
    const s = this.o.settings;
    for (const root of this.ws.roots) {
      const at = (rel: string) => ({ abs: path.join(root.path, rel), display: this.ws!.display(root, rel), root });
      await this.take({ source: 'agents', ...at('AGENTS.md') });
      if (s.claudeMd) await this.take({ source: 'claude', ...at('CLAUDE.md') });
      if (s.copilotInstructions) await this.take({ source: 'copilot', ...at('.github/copilot-instructions.md') });
      if (s.clinerules) {
        const dir = await this.listDir(root, '.clinerules', /\.(md|txt)$/i);
        if (dir) for (const rel of dir) await this.take({ source: 'cline', ...at(rel) });
        else await this.take({ source: 'cline', ...at('.clinerules') });
      }
      for (const rel of (await this.listDir(root, RULES_DIR, /\.md$/i)) ?? []) await this.takeRule(root, rel);
    }
  }

  /**
   * The files of a folder of the workspace, sorted, or undefined when it is not a folder. A folder
   * that is a link leading outside is not even listed (its names would tell of the disk elsewhere).
   */
  private async listDir(root: Root, rel: string, name: RegExp): Promise<string[] | undefined> {
    const dir = path.join(root.path, rel);
    const st = await fs.stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) return undefined;
    try {
      confinedRealPath([root.path], dir);
    } catch (err) {
      this.looked.add(dir);
      this.leave({ abs: dir, display: this.ws!.display(root, rel) }, `not read: ${err instanceof ConfinementError ? err.reason : (err as Error).message} (instruction files are read from inside the workspace only)`, 'problem');
      return [];
    }
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return undefined;
    return entries.filter((e) => !e.isDirectory() && name.test(e.name)).map((e) => `${rel}/${e.name}`).sort();
  }

  /** Reads one candidate and takes it if it fits; 'absent' when there is no such file. */
  private async take(c: Candidate): Promise<'absent' | 'taken' | 'left-out'> {
    if (this.looked.has(c.abs)) return 'left-out';
    this.looked.add(c.abs);
    const r = await readInstructionFile(c.abs, c.root ? [c.root.path] : null);
    if (r.kind === 'absent') return 'absent';
    if (r.kind === 'refused') return this.leave(c, r.reason, 'problem');
    if (this.seenReal.has(r.real)) return 'left-out';
    this.seenReal.add(r.real);
    return this.admit(c, r.sha256, r.text);
  }

  private admit(c: Pick<Candidate, 'source' | 'abs' | 'display' | 'because'>, sha256: string, raw: string): 'taken' | 'left-out' {
    const text = this.o.redact ? this.o.redact(raw) : raw;
    const tokens = estimateTokens(text);
    const max = this.o.settings.maxTokens;
    if (this.used + tokens > max) {
      return this.leave(c, `over the instructions budget: ~${tokens} tokens, with ${Math.max(0, max - this.used)} of torbit.instructions.maxTokens (${max}) left`, 'over-budget', tokens);
    }
    this.used += tokens;
    this.fresh.push({ source: c.source, path: c.display, abs: c.abs, sha256, tokens, step: 0, ...(c.because ? { because: c.because } : {}), text });
    this.changed = true;
    return 'taken';
  }

  private leave(c: Pick<Candidate, 'abs' | 'display'>, reason: string, kind: InstructionLeftOut['kind'], tokens?: number): 'left-out' {
    this.freshLeftOut.push({ path: c.display, abs: c.abs, reason, kind, step: 0, ...(tokens !== undefined ? { tokens } : {}) });
    this.changed = true;
    return 'left-out';
  }

  private async takeRule(root: Root, rel: string): Promise<void> {
    const abs = path.join(root.path, rel);
    const display = this.ws!.display(root, rel);
    if (this.looked.has(abs)) return;
    this.looked.add(abs);
    const r = await readInstructionFile(abs, [root.path]);
    if (r.kind === 'absent') return;
    if (r.kind === 'refused') return void this.leave({ abs, display }, r.reason, 'problem');
    const parsed = parseRule(r.text);
    if (!parsed.ok) return void this.leave({ abs, display }, `${parsed.error}; the rule is not used until that is fixed`, 'problem');
    if (this.seenReal.has(r.real)) return;
    this.seenReal.add(r.real);
    if (parsed.rule.applyTo) this.pendingRules.push({ root, display, abs, sha256: r.sha256, text: parsed.rule.body, globs: parsed.rule.applyTo });
    else this.admit({ source: 'rule', abs, display }, r.sha256, parsed.rule.body);
  }

  /**
   * The turn read or changed `abs`: the AGENTS.md of each folder between its workspace folder and
   * it, and the rules whose applyTo matches it, join the next step. Found in the background; the
   * next step waits for it.
   */
  touch(abs: string): void {
    if (!this.trusted || !this.ws) return;
    this.work = this.work.then(() => this.discover(abs)).catch((err: Error) => this.onError(err));
  }

  private async discover(abs: string): Promise<void> {
    const root = this.ws!.roots.find((r) => { const rel = path.relative(r.path, abs); return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel); });
    if (!root) return;
    const rel = path.relative(root.path, abs).split(path.sep).join('/');
    const because = this.ws!.display(root, rel);
    const dirs = rel.split('/').slice(0, -1);
    for (let i = 1; i <= dirs.length; i++) {
      const at = `${dirs.slice(0, i).join('/')}/AGENTS.md`;
      const candidate = path.join(root.path, at);
      if (this.ws!.isExcluded(candidate)) continue;
      await this.take({ source: 'nested', abs: candidate, display: this.ws!.display(root, at), root, because });
    }
    for (let i = 0; i < this.pendingRules.length;) {
      const p = this.pendingRules[i]!;
      if (p.root === root && ruleApplies(p.globs, rel)) {
        this.pendingRules.splice(i, 1);
        this.admit({ source: 'rule', abs: p.abs, display: p.display, because }, p.sha256, p.text);
      } else {
        i++;
      }
    }
  }

  /**
   * Before model step `n`: what the tools' files brought in joins the prompt from this step on.
   * True when the list changed since the last call (the chat and the record need the new one).
   */
  async beginStep(n: number): Promise<boolean> {
    await this.work;
    this.flush(n);
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /** What was found since the last step joins the record from step `n` on. */
  private flush(n: number): void {
    for (const f of this.fresh) f.step = n;
    for (const l of this.freshLeftOut) l.step = n;
    this.files.push(...this.fresh);
    this.leftOut.push(...this.freshLeftOut);
    this.fresh = [];
    this.freshLeftOut = [];
  }

  /** The prompt's instructions section for the files taken so far (undefined: nothing to say). */
  prompt(): string | undefined {
    return promptAt(this.recorded(), Number.MAX_SAFE_INTEGER);
  }

  get restricted(): boolean {
    return !this.trusted;
  }

  /** What the database keeps (with the text). */
  recorded(): RecordedInstructions {
    return { files: this.files.map((f) => ({ ...f })), leftOut: [...this.leftOut], restricted: this.restricted, budget: { maxTokens: this.o.settings.maxTokens, used: this.files.reduce((n, f) => n + f.tokens, 0) } };
  }

  /** What the chat shows. */
  view(): TurnInstructions {
    return viewOf(this.recorded());
  }

  /** Whether the chat has anything to show. */
  get empty(): boolean {
    return !this.files.length && !this.leftOut.length && !this.restricted;
  }

  /** What joined at step `n` (for the audit note of what a step brought in). */
  at(n: number): { files: InstructionFile[]; leftOut: InstructionLeftOut[] } {
    const v = this.view();
    return { files: v.files.filter((f) => f.step === n), leftOut: v.leftOut.filter((l) => l.step === n) };
  }
}
