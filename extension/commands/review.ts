// Commands of review: build the bundle of the changes since the last reviewed commit and open it
// (or, above the cap, the packets' README); have the model review it, its blockers as problems;
// advance the baseline; install the push gate.
import * as vscode from 'vscode';
import { rpc } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { readConfig } from '../config';
import { showBlockers } from '../review/problems';
import { fail } from './fail';

export const reviewCommands = {
  'torbit.review.bundle': (ctx: Ctx) => async () => {
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Torbit: bundling the changes since the last review…' },
        () => ctx.request(rpc.reviewBundle, { maxBytes: readConfig().reviewMaxBundleBytes, includeWorktree: false }));
      await vscode.window.showTextDocument(vscode.Uri.file(r.main), { preview: false });
      const secrets = r.files.filter((f) => f.kind === 'redacted').length;
      const summary = `${r.files.length} file(s), ${r.bytes} bytes of diff${secrets ? `, ${secrets} secret file(s) redacted` : ''}`;
      const reveal = 'Reveal in File Explorer';
      const choice = await vscode.window.showInformationMessage(r.mode === 'bundle'
        ? `Torbit: review bundle written (${summary}).`
        : `Torbit: the changes are above the cap (${r.maxBytes} bytes): ${r.packets.length} packets written (${summary}).`, reveal);
      if (choice === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(r.archive ?? r.main));
    } catch (err) {
      fail(ctx, 'creating a review bundle')(err as Error);
    }
  },
  'torbit.review.run': (ctx: Ctx) => async () => {
    const cfg = readConfig();
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Torbit: ${cfg.model} is reviewing the changes since the last review…` },
        () => ctx.request(rpc.reviewRun, { model: cfg.model, baseUrl: cfg.baseUrl || undefined, maxBytes: cfg.reviewMaxBundleBytes, includeWorktree: false }));
      const v = r.review.verdict;
      const n = showBlockers(ctx.reviewProblems, r);
      const range = `${v.meta.range.from ? v.meta.range.from.slice(0, 7) : 'first commit'}..${v.meta.range.to.slice(0, 7)}`;
      const simulated = v.meta.simulated ? ' Simulated (a mock, test or demo model): it cannot pass the push gate.' : '';
      const text = `Torbit review ${r.review.id} of ${range}: ${v.verdict}${n ? `, ${n} blocker(s)` : ''}. ${v.summary.split('\n')[0] ?? ''}${simulated}`;
      const problems = 'Show Problems';
      const choice = v.verdict === 'APPROVED' && !n
        ? await vscode.window.showInformationMessage(text)
        : await (v.verdict === 'APPROVED' ? vscode.window.showInformationMessage(text, problems) : vscode.window.showWarningMessage(text, problems));
      if (choice === problems) await vscode.commands.executeCommand('workbench.actions.view.problems');
    } catch (err) {
      fail(ctx, 'reviewing the changes')(err as Error);
    }
  },
  'torbit.review.finish': (ctx: Ctx) => async () => {
    await ctx.request(rpc.reviewFinish, {}).then((f) => {
      ctx.reviewProblems.clear();
      void vscode.window.showInformationMessage(`Torbit: baseline advanced to ${f.baseline.slice(0, 7)} (review ${f.reviewId}), committed as ${f.commit.slice(0, 7)}.`);
    }, fail(ctx, 'finishing the review'));
  },
  'torbit.review.installGate': (ctx: Ctx) => async () => {
    await ctx.request(rpc.reviewInstallGate, {}).then(
      (g) => void vscode.window.showInformationMessage(`Torbit: push gate installed (${g.hook})${g.chained ? `; the hook that was there runs first (${g.chained})` : ''}. A push needs an approved review of its commits.`),
      fail(ctx, 'installing the push gate'));
  },
};
