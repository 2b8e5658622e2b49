// A tool call as a card: name, summary, status, result line, links to its diff and file, and
// its streamed output in a collapsible area (kept to OUTPUT_CAP characters in the DOM).
import { approvalWords, type FromWebviewMessage, type ToolCard, type ToolStatus } from '../../server/protocol';
import { h, post } from '../common/api';

export const OUTPUT_CAP = 200_000;

type ApprovalAction = Extract<FromWebviewMessage, { type: 'approval' }>['action'];
/** When the output outgrows the cap, trim it down to this, so trimming is not done on every chunk. */
const OUTPUT_KEEP = 160_000;

const STATUS: Record<ToolStatus, { icon: string; label: string }> = {
  'awaiting-approval': { icon: 'bell-dot', label: 'Waiting for your approval' },
  rejected: { icon: 'circle-slash', label: 'Rejected' },
  running: { icon: 'loading codicon-modifier-spin', label: 'Running' },
  ok: { icon: 'check', label: 'Done' },
  error: { icon: 'error', label: 'Failed' },
  canceled: { icon: 'circle-slash', label: 'Canceled' },
  interrupted: { icon: 'circle-slash', label: 'Interrupted' },
};

export class ToolCardView {
  readonly el: HTMLElement;
  private readonly icon = h('span', { 'aria-hidden': 'true' });
  private readonly statusLabel = h('span', { class: 'visually-hidden' });
  private readonly name = h('span', { class: 'tool-name', 'data-testid': 'tool-name' });
  private readonly summary = h('span', { class: 'tool-summary', 'data-testid': 'tool-summary' });
  private readonly links = h('span', { class: 'tool-links' });
  private readonly result = h('div', { class: 'tool-result', 'data-testid': 'tool-result' });
  /** While the call waits for a person: why, and the buttons to decide. */
  private readonly approval = h('div', { class: 'tool-approval', 'data-testid': 'approval', role: 'group', 'aria-label': 'Approval', hidden: '' });
  private readonly outputText = document.createTextNode('');
  private readonly trimmed = h('div', { class: 'tool-output-trimmed', hidden: '' }, 'Earlier output was trimmed.');
  private readonly output = h('pre', { class: 'tool-output', 'data-testid': 'tool-output', tabindex: '0' }, this.outputText);
  private readonly details = h('details', { class: 'tool-output-wrap', hidden: '' },
    h('summary', { 'data-testid': 'tool-output-toggle' }, 'Output'), this.trimmed, this.output);
  private card: ToolCard;
  /** Follow new output while the reader is at the bottom of it; scrolling up stops following. */
  private follow = true;
  private scrollQueued = false;

  constructor(card: ToolCard) {
    this.card = card;
    this.el = h('div', { class: 'tool-card', 'data-testid': 'tool-card', role: 'group' },
      h('div', { class: 'tool-head' }, this.icon, this.statusLabel, this.name, this.summary, this.links),
      this.result, this.approval, this.details);
    // A running command's output is worth watching; a finished card's can stay folded.
    if (card.status === 'running') this.details.open = true;
    this.output.addEventListener('scroll', () => {
      const o = this.output;
      this.follow = o.scrollHeight - o.scrollTop - o.clientHeight < 24;
    }, { passive: true });
    this.update(card);
  }

  get status(): ToolStatus {
    return this.card.status;
  }

  /** The card's whole state, as tool-start / tool-end / a restored transcript give it. */
  update(card: ToolCard): void {
    this.card = card;
    const s = STATUS[card.status];
    this.el.dataset.tool = card.tool;
    this.el.dataset.status = card.status;
    this.el.dataset.toolCallId = card.toolCallId;
    this.el.setAttribute('aria-label', `${card.tool}: ${s.label}`);
    this.icon.className = `tool-status-icon codicon codicon-${s.icon}`;
    this.icon.title = s.label;
    this.statusLabel.textContent = s.label;
    this.name.textContent = card.tool;
    this.summary.textContent = card.summary;
    this.summary.title = card.summary;
    this.result.textContent = card.result ?? '';
    this.result.hidden = !card.result;
    this.links.replaceChildren();
    if (card.changeId !== undefined) {
      const changeId = card.changeId;
      this.links.append(this.link('Diff', 'diff', 'open-diff', `Show the diff of change ${changeId}`, () => post({ type: 'openChange', changeId })));
    }
    if (card.openPath !== undefined) {
      const path = card.openPath;
      this.links.append(this.link('Open', 'go-to-file', 'open-file', `Open ${path}`, () => post({ type: 'openFile', path })));
    }
    if (card.output !== undefined) this.setOutput(card.output);
    this.renderApproval(card);
  }

  private renderApproval(card: ToolCard): void {
    const a = card.status === 'awaiting-approval' ? card.approval : undefined;
    this.approval.hidden = !a;
    if (!a) { this.approval.replaceChildren(); return; }
    const button = (label: string, action: ApprovalAction, icon: string, title?: string) => {
      const b = h('button', { type: 'button', class: `approval-button approval-${action}`, 'data-testid': `approval-${action}`, ...(title ? { title } : {}) },
        h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }), label);
      // Only the approval's id: the extension takes the scope (and the rule) from the backend's approval.
      b.addEventListener('click', () => post({ type: 'approval', approvalId: a.id, action }));
      return b;
    };
    const scope = a.sessionScope;
    const words = approvalWords({ ...a, tool: a.tool ?? card.tool, title: a.title ?? card.summary });
    this.approval.replaceChildren(
      h('div', { class: 'approval-reason', 'data-testid': 'approval-reason', title: a.reason }, `${words.want} ${words.why}`),
      ...(words.exact ? [h('div', { class: 'approval-exact', 'data-testid': 'approval-exact' }, h('code', {}, words.exact))] : []),
      h('div', { class: 'approval-actions' },
        button('Approve', 'approve', 'check'),
        ...(scope ? [button(`Allow ${scope.label} for this session`, 'allowForSession', 'check-all', 'Approve, and allow the same for the rest of this chat session (revocable in the Governance view)')] : []),
        ...(scope?.kind === 'command' ? [button('Always Allow…', 'alwaysAllow', 'law', `Approve, and add a rule allowing ${scope.label} to .torbit/policy.json (you see the diff first)`)] : []),
        button('Reject', 'reject', 'close'),
        ...(a.kind === 'edit' ? [button('Review', 'review', 'eye')] : [])),
    );
  }

  /** Marks a card the turn left running as stopped (the turn ended without its tool-end). */
  settle(status: 'canceled' | 'interrupted'): void {
    if (this.card.status === 'running' || this.card.status === 'awaiting-approval') this.update({ ...this.card, status, output: undefined });
  }

  appendOutput(chunk: string): void {
    if (!chunk) return;
    this.outputText.appendData(chunk);
    this.trim();
    this.details.hidden = false;
    this.queueScroll();
  }

  /** Scrolls to the newest output once per frame (reading layout on every chunk would be slow). */
  private queueScroll(): void {
    if (this.scrollQueued || !this.follow) return;
    this.scrollQueued = true;
    requestAnimationFrame(() => {
      this.scrollQueued = false;
      if (this.follow && this.details.open) this.output.scrollTop = this.output.scrollHeight;
    });
  }

  private setOutput(text: string): void {
    this.outputText.data = text;
    this.trimmed.hidden = true;
    this.trim();
    this.details.hidden = text.length === 0;
  }

  private trim(): void {
    const len = this.outputText.length;
    if (len <= OUTPUT_CAP) return;
    this.outputText.deleteData(0, len - OUTPUT_KEEP);
    this.trimmed.hidden = false;
  }

  private link(label: string, icon: string, testid: string, title: string, onClick: () => void): HTMLElement {
    const b = h('button', { type: 'button', class: 'link-button', 'data-testid': testid, title },
      h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }), label);
    b.addEventListener('click', onClick);
    return b;
  }
}
