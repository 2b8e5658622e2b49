// "Torbit: Ship": the backend tests, reviews, heals once when blocked, reviews again and pushes;
// this shows each step in a cancellable notification and in the Torbit Ship output, and ends with
// the outcome (the blockers in Problems when the review still blocks).
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { rpc, type ShipProgress, type ShipResult, type ShipStep } from '../../server/protocol';
import { UntrustedWorkspaceError, type Ctx } from '../ctx';
import { readConfig, readShipSettings } from '../config';
import { showBlockers } from '../review/problems';
import { fail } from './fail';

const STEP: Record<ShipStep, string> = {
  prepare: 'Preparing', test: 'Testing', review: 'Reviewing', heal: 'Healing', finish: 'Finishing the review', push: 'Pushing',
};
const MARK: Record<ShipProgress['state'], string> = { running: '…', passed: '✓', failed: '✗', skipped: '–' };

function line(e: ShipProgress): string {
  const attempt = e.attempt && e.attempts > 1 ? ` (attempt ${e.attempt} of ${e.attempts})` : '';
  return `${MARK[e.state]} ${STEP[e.step]}${attempt}: ${e.message}`;
}

export const shipCommands = {
  'torbit.review.ship': (ctx: Ctx) => async () => {
    // Said at once, before a progress notification opens only to close again.
    if (!vscode.workspace.isTrusted) { fail(ctx, 'shipping')(new UntrustedWorkspaceError()); return; }
    const cfg = readConfig();
    const settings = readShipSettings((m) => void vscode.window.showWarningMessage(m));
    const shipId = randomUUID();
    const out = ctx.shipLog;
    out.clear();
    out.appendLine(`Torbit Ship with ${cfg.model} — ${new Date().toLocaleString()}`);
    let result: ShipResult | undefined;
    let stopped = false;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Torbit Ship', cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => { stopped = true; });
        const subs = [
          ctx.onShipProgress((e) => {
            if (e.shipId !== shipId) return;
            out.appendLine(line(e));
            // A verdict's blockers show at once: the heal round that follows is about them.
            if (e.review) {
              if (e.review.review.verdict.verdict === 'BLOCKED') showBlockers(ctx.reviewProblems, e.review);
              else ctx.reviewProblems.clear();
            }
            if (e.state === 'running') progress.report({ message: line(e).slice(2) });
          }),
          ctx.onShipOutput((e) => { if (e.shipId === shipId) out.append(e.chunk); }),
        ];
        try {
          return await ctx.request(rpc.reviewShip, { shipId, model: cfg.model, baseUrl: cfg.baseUrl || undefined, maxBytes: cfg.reviewMaxBundleBytes, ...settings }, token);
        } finally {
          for (const s of subs) s.dispose();
        }
      });
    } catch (err) {
      if (stopped) { void vscode.window.showInformationMessage('Torbit Ship: stopped.'); return; }
      fail(ctx, 'shipping')(err as Error);
      return;
    }
    out.appendLine(`${result.outcome === 'pushed' ? '✓' : '✗'} ${result.message}`);
    const blocked = result.review?.review.verdict.verdict === 'BLOCKED' && result.outcome !== 'pushed';
    if (result.review) {
      if (blocked) showBlockers(ctx.reviewProblems, result.review);
      else ctx.reviewProblems.clear();
    }
    if (result.outcome === 'pushed') {
      void vscode.window.showInformationMessage(`Torbit Ship: ${result.message}.`);
      return;
    }
    const log = 'Show Log';
    const problems = 'Show Problems';
    const actions = blocked ? [problems, log] : [log];
    const text = `Torbit Ship ${result.message}`;
    const choice = await (result.outcome === 'canceled' ? vscode.window.showInformationMessage(text, ...actions) : vscode.window.showErrorMessage(text, ...actions));
    if (choice === log) out.show(true);
    if (choice === problems) await vscode.commands.executeCommand('workbench.actions.view.problems');
  },
};
