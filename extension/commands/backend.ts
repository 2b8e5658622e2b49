// Commands about the backend process itself: status, logs, restart, data directory.
import * as vscode from 'vscode';
import { rpc, type Status } from '../../server/protocol';
import type { Ctx } from '../ctx';
import type { CommandFactory } from './index';

export function describeStatus(s: Status): string {
  const up = Math.round(s.uptimeMs / 1000);
  const store = s.store.state === 'ok' ? `schema ${s.store.schemaVersion}` : s.store.state === 'error' ? `database refused (${s.store.code})` : 'no database';
  return `Torbit backend ${s.version} ready: ${store}, pid ${s.pid}, up ${up}s, data in ${s.dataDir}${s.notices.map((n) => `. ${n}`).join('')}`;
}

async function currentStatus(ctx: Ctx): Promise<Status | undefined> {
  try {
    return await ctx.request(rpc.status, {});
  } catch (err) {
    const pick = await vscode.window.showErrorMessage(`Torbit: ${(err as Error).message}`, 'Show Logs', 'Restart Backend');
    if (pick === 'Show Logs') ctx.log.show();
    if (pick === 'Restart Backend') await vscode.commands.executeCommand('torbit.restartBackend');
    return undefined;
  }
}

export const backendCommands = {
  'torbit.showStatus': (ctx: Ctx) => async () => {
    const s = await currentStatus(ctx);
    if (!s) return;
    if (s.store.state === 'error') {
      const pick = await vscode.window.showErrorMessage(`Torbit: ${s.store.message}`, 'Show Logs');
      if (pick) ctx.log.show();
      return;
    }
    await vscode.window.showInformationMessage(describeStatus(s));
  },
  'torbit.showLogs': (ctx: Ctx) => () => ctx.log.show(),
  'torbit.exportAuditBundle': (ctx: Ctx) => async () => {
    try {
      const r = await ctx.request(rpc.auditExport, {});
      // The view lists the bundle at once; the notification's buttons may wait for a long time.
      void ctx.governance?.refresh();
      const pick = await vscode.window.showInformationMessage(
        `Torbit: exported ${r.records} audit record(s), signed by ${r.signedBy.map((s) => s.kind).join(' and ')}, to ${r.file}`, 'Verify', 'Open');
      if (pick === 'Verify') {
        const v = await ctx.request(rpc.auditVerify, { file: r.file });
        if (v.ok) void vscode.window.showInformationMessage(`Torbit: the bundle is valid (${v.records} record(s)).`);
        else void vscode.window.showErrorMessage(`Torbit: the bundle is NOT valid: ${v.reason}`);
      }
      if (pick === 'Open') await vscode.window.showTextDocument(vscode.Uri.file(r.file));
    } catch (err) {
      void vscode.window.showErrorMessage(`Torbit: exporting the audit bundle failed: ${(err as Error).message}`);
    }
  },
  'torbit.openSettings': (_ctx: Ctx) => () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:torbit.torbit'),
  'torbit.restartBackend': (ctx: Ctx) => () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the Torbit backend' }, () => ctx.restart()),
  'torbit.revealDataDir': (ctx: Ctx) => async () => {
    const s = await currentStatus(ctx);
    if (!s) return;
    const uri = vscode.Uri.file(s.dataDir);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  },
} satisfies Record<string, CommandFactory>;
