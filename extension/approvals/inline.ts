// The inline review: for a file with pending edits, a read-only document (scheme torbit-inline)
// showing the file as it is with each proposed hunk written in where it applies, removed lines red
// and added lines green, in the file's language, with the hunk's lenses right above it. The file
// on disk is untouched until the backend applies what was approved.
//
// Why a document of its own: VS Code's diff editor renders inline only through the global
// `diffEditor.renderSideBySide` setting (its toggle rewrites it), and decorations cannot insert
// lines into the real file's editor, so neither shows several lines a hunk adds where they go.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rpc, type ApprovalView } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { blockAt, buildInline, inlineLineOf, nextStop, proposalHunks, type Block, type InlineModel, type ProposalHunks, type Stop } from './inlineModel';

export const INLINE_SCHEME = 'torbit-inline';

/** The inline review of a file: its tab reads "greet.js (proposed)", as VS Code's own read "greet.js (Working Tree)"; the path is in the query. */
export function inlineUri(absPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: INLINE_SCHEME, path: `/${path.basename(absPath)} (proposed)`, query: path.normalize(absPath) });
}

/** The file an inline review is of. Only pending approvals are ever shown for it: the URI reads nothing from disk. */
export function fileOfInline(uri: vscode.Uri): string | undefined {
  return uri.scheme === INLINE_SCHEME && uri.query ? path.normalize(uri.query) : undefined;
}

const NOTHING = 'Nothing in this file is waiting for your approval any more.';

interface Entry {
  /** The pending approvals it shows, in order: rebuilt when they change. */
  sig: string;
  model: Promise<InlineModel | undefined>;
  ready?: InlineModel;
}

type Look = 'removed' | 'added' | 'dropped';

const NBSP = '\u00a0';

export class InlineReview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  /** Each pending edit's text, asked of the backend once. */
  private readonly texts = new Map<string, Promise<{ before: string; after: string } | undefined>>();
  private readonly contentChanged = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.contentChanged.event;
  private readonly modelsChanged = new vscode.EventEmitter<void>();
  /** An inline review was rebuilt, or a hunk decided: the lenses follow. */
  readonly onDidChangeModels = this.modelsChanged.event;
  private readonly looks: Record<Look, vscode.TextEditorDecorationType>;
  /** The file's own line numbers (the editor's would count the proposed lines too, and differ from the lenses' "at line 5"). */
  private readonly numbers = vscode.window.createTextEditorDecorationType({ before: { color: new vscode.ThemeColor('editorLineNumber.foreground') } });
  private readonly context = new Map<string, boolean>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    const icon = (name: string) => vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', name);
    this.looks = {
      removed: vscode.window.createTextEditorDecorationType({
        isWholeLine: true, backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
        gutterIconPath: icon('inline-removed.svg'), gutterIconSize: '60%',
        overviewRulerColor: new vscode.ThemeColor('diffEditorOverview.removedForeground'), overviewRulerLane: vscode.OverviewRulerLane.Full,
      }),
      added: vscode.window.createTextEditorDecorationType({
        isWholeLine: true, backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
        gutterIconPath: icon('inline-added.svg'), gutterIconSize: '60%',
        overviewRulerColor: new vscode.ThemeColor('diffEditorOverview.insertedForeground'), overviewRulerLane: vscode.OverviewRulerLane.Full,
      }),
      // Lines a decision leaves out: an approved hunk's old lines, a rejected hunk's new ones.
      dropped: vscode.window.createTextEditorDecorationType({ isWholeLine: true, textDecoration: 'line-through', opacity: '0.5' }),
    };
    this.subs.push(
      ctx.approvals.onDidChange(() => this.sync()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorateAll()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.document.uri.scheme === INLINE_SCHEME) this.decorateAll(); }),
      ...Object.values(this.looks),
      this.numbers,
    );
    this.sync();
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const file = fileOfInline(uri);
    const m = file ? await this.entries.get(file)?.model : undefined;
    return m?.text ?? NOTHING;
  }

  /** The inline review a document shows, when the document shows the newest one. */
  modelOf(doc: vscode.TextDocument): InlineModel | undefined {
    const file = fileOfInline(doc.uri);
    const m = file ? this.entries.get(file)?.ready : undefined;
    return m && m.text === doc.getText() ? m : undefined;
  }

  /** Shows a file's inline review at a hunk (or an inline line); undefined when it has none. */
  async show(file: string, at?: { approvalId: string; hunk: number } | { line: number }, o: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean } = {}): Promise<vscode.TextEditor | undefined> {
    file = path.normalize(file);
    const m = await this.entries.get(file)?.model;
    if (!m) return undefined;
    const uri = inlineUri(file);
    let doc = await vscode.workspace.openTextDocument(uri);
    // Highlighted as the file is (its name does not end like the file's, and a file association may apply).
    const language = await vscode.workspace.openTextDocument(vscode.Uri.file(file)).then((d) => d.languageId, () => undefined);
    if (language && language !== doc.languageId) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    const open = tabsOf(uri)[0];
    const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: o.viewColumn ?? open?.group.viewColumn, preserveFocus: o.preserveFocus ?? false });
    const line = !at ? (m.blocks[0]?.start ?? 0) : 'line' in at ? at.line
      : (m.blocks.find((b) => b.approvalId === at.approvalId && b.hunk === at.hunk) ?? m.blocks.find((b) => b.approvalId === at.approvalId))?.start ?? 0;
    moveTo(editor, line);
    this.decorate(editor);
    return editor;
  }

  /** A proposal came for a file a person has in view: its inline review takes the file's place there. */
  async showIfVisible(a: ApprovalView): Promise<void> {
    if (!a.edit || a.edit.created) return;
    const file = path.normalize(a.edit.absPath);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file' && path.normalize(e.document.uri.fsPath) === file);
    if (!visible || tabsOf(inlineUri(file)).some((t) => t.isActive)) return;
    await this.show(file, { approvalId: a.id, hunk: a.edit.hunks[0]?.index ?? 0 }, { viewColumn: visible.viewColumn, preserveFocus: true });
  }

  /** Next (1) or previous (-1) undecided hunk, across files, wrapping; false when there is none. */
  async go(dir: 1 | -1): Promise<boolean> {
    const stop = nextStop(await this.stops(), await this.here(), dir);
    if (!stop) return false;
    await this.show(stop.file, { line: stop.line });
    return true;
  }

  /** The undecided hunk at or after the cursor of the inline review in focus. */
  current(): { approvalId: string; hunk: number; file: string } | undefined {
    const editor = vscode.window.activeTextEditor;
    const file = editor && fileOfInline(editor.document.uri);
    const m = editor && this.modelOf(editor.document);
    const b = m && blockAt(m, editor.selection.active.line, (x) => !this.decided(x));
    return b && file ? { approvalId: b.approvalId, hunk: b.hunk, file } : undefined;
  }

  /** Where the cursor of a real file with pending hunks is, shown in its inline review; false when it has none. */
  async showFromFile(): Promise<boolean> {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.uri.scheme !== 'file') return false;
    const file = path.normalize(editor.document.uri.fsPath);
    const m = await this.entries.get(file)?.model;
    const b = m && blockAt(m, inlineLineOf(m, editor.selection.active.line), (x) => !this.decided(x));
    return b ? (await this.show(file, { line: b.start })) !== undefined : false;
  }

  /** After a hunk was decided in view: the cursor moves to the next undecided hunk of the same file. */
  async nextInFile(file: string): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const m = editor && fileOfInline(editor.document.uri) === file ? await this.entries.get(file)?.model : undefined;
    if (!editor || !m) return;
    const open = m.blocks.filter((b) => !this.decided(b));
    const line = editor.selection.active.line;
    const b = open.find((x) => x.start > line) ?? open[0];
    if (b) moveTo(editor, b.start);
  }

  private decided(b: Block): boolean {
    return this.ctx.approvals.choice(b.approvalId, b.hunk) !== undefined;
  }

  private async stops(): Promise<Stop[]> {
    const out: Stop[] = [];
    for (const [file, e] of this.entries) {
      const m = await e.model;
      for (const b of m?.blocks ?? []) if (!this.decided(b)) out.push({ file, line: b.start, approvalId: b.approvalId, hunk: b.hunk });
    }
    return out;
  }

  /** Where a person is, as a file and an inline line (a real file's cursor mapped into its review). */
  private async here(): Promise<{ file: string; line: number } | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const inline = fileOfInline(editor.document.uri);
    if (inline) return { file: inline, line: editor.selection.active.line };
    if (editor.document.uri.scheme !== 'file') return undefined;
    const file = path.normalize(editor.document.uri.fsPath);
    const m = await this.entries.get(file)?.model;
    // Just before the line the cursor is on: "next" from a real file shows the hunk there first.
    return { file, line: m ? inlineLineOf(m, editor.selection.active.line) - 0.5 : 0 };
  }

  /** Existing files with pending edits, each with its edits oldest first. */
  private pendingFiles(): Map<string, ApprovalView[]> {
    const out = new Map<string, ApprovalView[]>();
    for (const a of this.ctx.approvals.all()) {
      if (!a.edit || a.edit.created) continue;
      const file = path.normalize(a.edit.absPath);
      out.set(file, [...(out.get(file) ?? []), a]);
    }
    return out;
  }

  private sync(): void {
    const files = this.pendingFiles();
    for (const id of [...this.texts.keys()]) if (!this.ctx.approvals.get(id)) this.texts.delete(id);
    for (const [file, edits] of files) {
      const sig = edits.map((a) => a.id).join(',');
      if (this.entries.get(file)?.sig === sig) continue;
      const entry: Entry = { sig, model: this.build(edits) };
      this.entries.set(file, entry);
      void entry.model.then((m) => {
        if (this.entries.get(file) !== entry) return;
        entry.ready = m;
        this.contentChanged.fire(inlineUri(file));
        this.changed();
      });
    }
    for (const [file, e] of [...this.entries]) {
      if (files.has(file)) continue;
      this.entries.delete(file);
      void this.close(file, e.ready).catch((err: Error) => this.ctx.log.warn(`closing the inline review of ${file}: ${err.message}`));
    }
    this.changed();
  }

  private async build(edits: ApprovalView[]): Promise<InlineModel | undefined> {
    const texts = await Promise.all(edits.map((a) => this.textOf(a.id)));
    const proposals: ProposalHunks[] = [];
    let base: string | undefined;
    edits.forEach((a, i) => {
      const t = texts[i];
      const hunks = t && proposalHunks(t.before, t.after, a.edit!.hunks);
      if (!t || !hunks) {
        if (t) this.ctx.log.warn(`the hunks of approval ${a.id} do not line up with its text; it is not shown inline (use Diff)`);
        return;
      }
      // The newest proposal's view of the file (they agree unless the file changed in between).
      base = t.before;
      proposals.push({ approvalId: a.id, hunks });
    });
    return base === undefined ? undefined : buildInline(base, proposals);
  }

  private textOf(approvalId: string): Promise<{ before: string; after: string } | undefined> {
    let t = this.texts.get(approvalId);
    if (!t) {
      t = this.ctx.request(rpc.approvalGet, { approvalId }).then(
        (r) => (r.before === null ? undefined : { before: r.before, after: r.after }),
        (err: Error) => { this.ctx.log.warn(`the text of approval ${approvalId}: ${err.message}`); return undefined; });
      this.texts.set(approvalId, t);
    }
    return t;
  }

  /** Nothing of the file is pending any more: its review goes, and where it was in front, the file itself takes its place. */
  private async close(file: string, last: InlineModel | undefined): Promise<void> {
    const uri = inlineUri(file);
    const tabs = tabsOf(uri);
    if (!tabs.length) return;
    const front = tabs.find((t) => t.isActive && t.group.isActive);
    const editor = vscode.window.activeTextEditor;
    const line = front && last && editor?.document.uri.toString() === uri.toString() ? last.pos[editor.selection.active.line] ?? 0 : 0;
    await vscode.window.tabGroups.close(tabs, true);
    if (!front) return;
    const real = await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: front.group.viewColumn, preview: false });
    moveTo(real, line);
  }

  private changed(): void {
    this.decorateAll();
    this.updateContext();
    this.modelsChanged.fire();
  }

  private decorateAll(): void {
    for (const e of vscode.window.visibleTextEditors) if (e.document.uri.scheme === INLINE_SCHEME) this.decorate(e);
  }

  private decorate(editor: vscode.TextEditor): void {
    const ranges: Record<Look, vscode.Range[]> = { removed: [], added: [], dropped: [] };
    const lines = (from: number, n: number) => (n > 0 ? [new vscode.Range(from, 0, from + n - 1, 0)] : []);
    const m = this.modelOf(editor.document);
    for (const b of m?.blocks ?? []) {
      const old = lines(b.start, b.removed);
      const now = lines(b.start + b.removed, b.added);
      const c = this.ctx.approvals.choice(b.approvalId, b.hunk);
      if (!c) {
        ranges.removed.push(...old);
        ranges.added.push(...now);
      } else if (c.approve) {
        ranges.dropped.push(...old);
        ranges.added.push(...now);
      } else {
        // Rejected: the old lines stay as they are.
        ranges.dropped.push(...now);
      }
    }
    for (const k of Object.keys(ranges) as Look[]) editor.setDecorations(this.looks[k], ranges[k]);
    // This editor only (never the setting): its own numbers off, the file's written in their place, none on added lines.
    if (editor.options.lineNumbers !== vscode.TextEditorLineNumbersStyle.Off) editor.options = { lineNumbers: vscode.TextEditorLineNumbersStyle.Off };
    const width = String((m?.pos.at(-1) ?? 0) + 1).length;
    editor.setDecorations(this.numbers, (m?.kinds ?? []).map((k, i) => ({
      range: new vscode.Range(i, 0, i, 0),
      renderOptions: { before: { contentText: `${(k === 'added' ? '' : String(m!.pos[i]! + 1)).padStart(width, NBSP)}${NBSP.repeat(3)}` } },
    })));
  }

  /** torbit.hasPendingHunks: some hunk waits; torbit.fileHasPendingHunks: one waits in the file (or review) in front. */
  private updateContext(): void {
    const undecided = (file: string) => {
      const m = this.entries.get(file)?.ready;
      return m ? m.blocks.some((b) => !this.decided(b)) : this.pendingFiles().has(file);
    };
    const uri = vscode.window.activeTextEditor?.document.uri;
    const here = uri && (fileOfInline(uri) ?? (uri.scheme === 'file' ? path.normalize(uri.fsPath) : undefined));
    this.setContext('torbit.hasPendingHunks', [...this.pendingFiles().keys()].some(undecided));
    this.setContext('torbit.fileHasPendingHunks', !!here && this.pendingFiles().has(here) && undecided(here));
  }

  private setContext(key: string, value: boolean): void {
    if (this.context.get(key) === value) return;
    this.context.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    for (const d of this.subs.splice(0)) d.dispose();
    this.contentChanged.dispose();
    this.modelsChanged.dispose();
  }
}

function tabsOf(uri: vscode.Uri): vscode.Tab[] {
  const want = uri.toString();
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === want);
}

function moveTo(editor: vscode.TextEditor, line: number): void {
  const p = new vscode.Position(Math.max(0, Math.min(line, editor.document.lineCount - 1)), 0);
  editor.selection = new vscode.Selection(p, p);
  editor.revealRange(new vscode.Range(p, p), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
