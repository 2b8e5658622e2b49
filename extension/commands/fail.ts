// How a command reports a failure: a line in the log, and the reason in an error notification.
import * as vscode from 'vscode';
import { UntrustedWorkspaceError, type Ctx } from '../ctx';
import { UNTRUSTED_WORKSPACE } from '../../server/protocol';

const MANAGE_TRUST = 'Manage Workspace Trust';

export const fail = (ctx: Ctx, what: string) => (err: Error) => {
  ctx.log.warn(`${what}: ${err.message}`);
  const untrusted = err instanceof UntrustedWorkspaceError || (err as { code?: unknown }).code === UNTRUSTED_WORKSPACE;
  if (!untrusted) { void vscode.window.showErrorMessage(`Torbit: ${err.message}`); return; }
  const said = `${what.charAt(0).toUpperCase()}${what.slice(1)} ${new UntrustedWorkspaceError().message}`;
  void vscode.window.showWarningMessage(`Torbit: ${said}`, MANAGE_TRUST).then((pick) => {
    if (pick === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
  });
};
