// How a command reports a failure: a line in the log, and the reason in an error notification.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

export const fail = (ctx: Ctx, what: string) => (err: Error) => {
  ctx.log.warn(`${what}: ${err.message}`);
  void vscode.window.showErrorMessage(`Torbit: ${err.message}`);
};
