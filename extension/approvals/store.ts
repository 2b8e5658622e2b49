// The approvals the backend is waiting on, as the extension knows them (kept from the
// torbit/approval/* notifications, reloaded after a restart), and the hunk-by-hunk choices a
// person made on an edit before all of its hunks were decided.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalView } from '../../server/protocol';

export type HunkChoice = { approve: true } | { approve: false; reason?: string };

export class ApprovalStore implements vscode.Disposable {
  private readonly items = new Map<string, ApprovalView>();
  private readonly choices = new Map<string, Map<number, HunkChoice>>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when an approval comes or goes, or a hunk is decided. */
  readonly onDidChange = this.emitter.event;

  all(): ApprovalView[] {
    return [...this.items.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): ApprovalView | undefined {
    return this.items.get(id);
  }

  /** Pending edits of a file on disk (not the ones creating it: they are reviewed in a diff). */
  editsOf(fsPath: string): ApprovalView[] {
    const want = path.normalize(fsPath);
    return this.all().filter((a) => a.edit && !a.edit.created && path.normalize(a.edit.absPath) === want);
  }

  /** Every pending edit of a file, including one that creates it. */
  allEditsOf(fsPath: string): ApprovalView[] {
    const want = path.normalize(fsPath);
    return this.all().filter((a) => a.edit && path.normalize(a.edit.absPath) === want);
  }

  add(a: ApprovalView): void {
    this.items.set(a.id, a);
    this.emitter.fire();
  }

  remove(id: string): void {
    const had = this.items.delete(id);
    this.choices.delete(id);
    if (had) this.emitter.fire();
  }

  /** After a (re)start: exactly what the backend says is pending. */
  reset(list: ApprovalView[]): void {
    this.items.clear();
    for (const a of list) this.items.set(a.id, a);
    for (const id of [...this.choices.keys()]) if (!this.items.has(id)) this.choices.delete(id);
    this.emitter.fire();
  }

  choice(id: string, hunk: number): HunkChoice | undefined {
    return this.choices.get(id)?.get(hunk);
  }

  choose(id: string, hunk: number, c: HunkChoice): void {
    let m = this.choices.get(id);
    if (!m) this.choices.set(id, (m = new Map<number, HunkChoice>()));
    m.set(hunk, c);
    this.emitter.fire();
  }

  /** The hunks decided so far, or undefined when not all of them are. */
  allChosen(a: ApprovalView): Map<number, HunkChoice> | undefined {
    const m = this.choices.get(a.id);
    const total = a.edit?.hunks.length ?? 0;
    return m && m.size >= total ? m : undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
