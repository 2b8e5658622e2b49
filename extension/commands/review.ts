// Commands of review bundling: build the bundle of the changes since the last reviewed commit
// and open it (or, above the cap, the packets' README).
import * as vscode from 'vscode';
import { rpc } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { readConfig } from '../config';

export const reviewCommands = {
  'torbit.review.bundle': (ctx: Ctx) => async () => {
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Torbit: bundling the changes since the last review…' },
        () => ctx.request(rpc.reviewBundle, { maxBytes: readConfig().reviewMaxBundleBytes, includeWorktree: false }));
      await vscode.window.showTextDocument(vscode.Uri.file(r.main), { preview: false });
      const listed = r.files.filter((f) => f.kind !== 'text');
      const secrets = listed.filter((f) => f.kind === 'redacted').length;
      const summary = `${r.files.length} file(s), ${r.bytes} bytes of diff${secrets ? `, ${secrets} secret file(s) redacted` : ''}`;
      const reveal = 'Reveal in File Explorer';
      const choice = await vscode.window.showInformationMessage(r.mode === 'bundle'
        ? `Torbit: review bundle written (${summary}).`
        : `Torbit: the changes are above the cap (${r.maxBytes} bytes): ${r.packets.length} packets written (${summary}).`, reveal);
      if (choice === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(r.archive ?? r.main));
    } catch (err) {
      ctx.log.warn(`creating a review bundle: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`Torbit: ${(err as Error).message}`);
    }
  },
};
