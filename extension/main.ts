// Extension entry point: builds the Ctx and registers everything in one place.
import * as vscode from 'vscode';
import type { Status } from '../server/protocol';
import { COMMANDS } from './commands';
import { RESTART_SETTINGS } from './config';
import { Ctx } from './ctx';
import { ApprovalLenses } from './approvals/codeLens';
import { INLINE_SCHEME, InlineReview } from './approvals/inline';
import { APPROVAL_SCHEME, ProposalContent } from './approvals/proposal';
import { askInNotification } from './commands/approvals';
import { ChangeContent, CHANGE_SCHEME } from './views/changeDiff';
import { CheckpointContent, CHECKPOINT_SCHEME } from './checkpoints/content';
import { ChatView } from './views/chatView';
import { GovernanceView } from './views/governanceView';
import { EAS_SCHEME } from './eas/configProposal';
import { PipelineStatus } from './eas/pipelineStatus';
import { RunTracker } from './eas/runTracker';
import { watchPolicyAcceptance } from './trust/policyAcceptance';
import { POLICY_RULE_SCHEME } from './trust/policyRule';

/** What activate() returns: used by the @vscode/test-electron suite. */
export interface TorbitApi {
  status(): Promise<Status | undefined>;
}

let ctx: Ctx | undefined;

export function activate(extension: vscode.ExtensionContext): TorbitApi {
  const c = new Ctx(extension);
  ctx = c;
  extension.subscriptions.push(c);
  for (const [id, factory] of Object.entries(COMMANDS)) {
    c.subscriptions.push(vscode.commands.registerCommand(id, factory(c)));
  }
  c.runs = new RunTracker(c);
  const changes = new ChangeContent();
  c.chat = new ChatView(c, changes);
  c.governance = new GovernanceView(c);
  c.pipeline = new PipelineStatus(c, c.runs);
  const inline = (c.inline = new InlineReview(c));
  c.subscriptions.push(
    inline,
    vscode.workspace.registerTextDocumentContentProvider(INLINE_SCHEME, inline),
    c.runs,
    c.pipeline,
    // A repository's policy that loosens the default: asked about once per file (the backend applies the default meanwhile).
    watchPolicyAcceptance(c),
    vscode.workspace.registerTextDocumentContentProvider(EAS_SCHEME, c.easProposals),
    vscode.workspace.registerTextDocumentContentProvider(POLICY_RULE_SCHEME, c.policyRules),
    vscode.workspace.registerTextDocumentContentProvider(CHANGE_SCHEME, changes),
    vscode.workspace.registerTextDocumentContentProvider(APPROVAL_SCHEME, new ProposalContent(c)),
    vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, new CheckpointContent(c)),
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: APPROVAL_SCHEME }, { scheme: INLINE_SCHEME }], new ApprovalLenses(c.approvals, inline)),
    // An edit is decided where it is seen (its inline review, the chat card), shown at once in
    // place of the file when the file is in view; a command or a read has no place in an editor,
    // so it is asked in a notification.
    c.onApprovalAsked((a) => {
      const asked = a.edit ? inline.showIfVisible(a) : askInNotification(c, a);
      void asked.catch((e: Error) => c.log.warn(e.message));
    }),
    vscode.window.registerWebviewViewProvider(ChatView.id, c.chat, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerWebviewViewProvider(GovernanceView.id, c.governance),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) {
        c.log.info('a backend setting changed; restarting the backend');
        void c.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      c.log.info('the workspace is now trusted; restarting the backend with tools enabled');
      void c.restart();
    }),
  );
  void c.start();
  void c.walkthrough.openOnFirstRun().catch((e: Error) => c.log.warn(`the walkthrough did not open: ${e.message}`));
  return { status: () => c.refresh() };
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
