// The first-run walkthrough (package.json contributes.walkthroughs "gettingStarted"): it opens
// once, the first time Torbit starts for this person, and each step completes when the person does
// it (a context key set here, which the step's completionEvents wait on), not when a link is clicked.
import * as vscode from 'vscode';

export const WALKTHROUGH = 'torbit.torbit#gettingStarted';

/** The walkthrough's steps, each completed by `onContext:torbit.walkthrough.<step>`. */
export type WalkthroughStep = 'model' | 'prompt' | 'approve' | 'audit';

const SHOWN_KEY = 'torbit.walkthrough.shown';

export class Walkthrough {
  private readonly done = new Set<WalkthroughStep>();

  constructor(private readonly extension: vscode.ExtensionContext) {}

  /** The person did `step`: VS Code marks it complete (and remembers that itself). */
  did(step: WalkthroughStep): void {
    if (this.done.has(step)) return;
    this.done.add(step);
    void vscode.commands.executeCommand('setContext', `torbit.walkthrough.${step}`, true);
  }

  /** Opens the walkthrough the first time Torbit runs for this person (never again after). */
  async openOnFirstRun(): Promise<void> {
    if (this.extension.globalState.get<boolean>(SHOWN_KEY)) return;
    await this.extension.globalState.update(SHOWN_KEY, true);
    // Beside the person's work, without taking focus from the Chat they just opened.
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
  }
}
