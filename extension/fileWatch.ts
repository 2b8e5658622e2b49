// Calls `fire` whenever a workspace file matching `glob` is created, changed or deleted (the
// events asked for): the one shape of every "read it again when the file changes" in the extension.
import * as vscode from 'vscode';

export type FileEvent = 'create' | 'change' | 'delete';

export function onFilesChange(glob: string, fire: () => unknown, events: readonly FileEvent[] = ['create', 'change', 'delete']): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(glob);
  const on = { create: watcher.onDidCreate, change: watcher.onDidChange, delete: watcher.onDidDelete };
  return vscode.Disposable.from(watcher, ...events.map((e) => on[e](() => { void fire(); })));
}
