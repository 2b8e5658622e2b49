// One turn of the transcript: the person's message, then the assistant's parts in order (markdown
// text and tool cards), then how the turn ended when that is worth saying.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { RunError, ToolCard, Turn, TurnInstructions, TurnStatus } from '../../server/protocol';
import { h, post } from '../common/api';
import { instructionsLine } from './instructions';
import { MarkdownStream, renderMarkdown } from './markdown';
import { ToolCardView } from './toolCard';

const ENDED: Partial<Record<TurnStatus, string>> = {
  canceled: 'Stopped',
  budget: 'Stopped: budget reached',
  'step-limit': 'Stopped at the step limit',
  interrupted: 'Interrupted (the window was reloaded or the backend stopped)',
};

export class TurnView {
  readonly el: HTMLElement;
  private readonly user: HTMLElement;
  private readonly footer = h('div', { class: 'turn-footer' });
  /** The text part still being written: deltas go to it until a tool card or the end closes it. */
  private stream: MarkdownStream | null = null;
  private readonly cards = new Map<string, ToolCardView>();
  private rawText = '';
  /** The instructions line, right under the person's message. */
  private instructions: HTMLElement | null = null;
  private _status: TurnStatus = 'running';

  /** id is null for a prompt just sent, until its turn-start names it. */
  constructor(public id: string | null, userText: string) {
    this.user = h('div', { class: 'message message-user', 'data-testid': 'message-user' });
    this.el = h('article', { class: 'turn', 'data-testid': 'turn' }, this.user, this.footer);
    if (id) this.el.dataset.turnId = id;
    this.setUserText(userText);
    this.setStatus('running');
  }

  /** A stored turn as the transcript gives it; `running` when it is the session's running turn. */
  static restore(turn: Turn, running: boolean): TurnView {
    const view = new TurnView(turn.id, turn.userText);
    if (turn.instructions) view.setInstructions(turn.instructions);
    turn.parts.forEach((part, i) => {
      if (part.kind === 'tool') view.startTool(part.card);
      else if (running && i === turn.parts.length - 1) view.appendText(part.text);
      else view.addFinishedText(part.text);
    });
    if (!running) view.end(turn.status === 'running' ? 'interrupted' : turn.status, turn.error);
    return view;
  }

  get status(): TurnStatus {
    return this._status;
  }

  /** All the assistant's text of this turn, as received. */
  get text(): string {
    return this.rawText;
  }

  setId(id: string): void {
    this.id = id;
    this.el.dataset.turnId = id;
  }

  setUserText(text: string): void {
    this.user.textContent = text;
    this.user.hidden = text.length === 0;
  }

  /** The files that shape this turn (the whole list: it grows as the turn touches folders). */
  setInstructions(i: TurnInstructions): void {
    const line = instructionsLine(i);
    if (this.instructions) this.instructions.remove();
    this.instructions = line;
    if (line) this.user.after(line);
  }

  appendText(text: string): void {
    if (!this.stream) this.stream = new MarkdownStream(this.addTextPart());
    this.stream.append(text);
    this.rawText += text;
  }

  startTool(card: ToolCard): void {
    this.closeText();
    const existing = this.cards.get(card.toolCallId);
    if (existing) return existing.update(card);
    const view = new ToolCardView(card);
    this.cards.set(card.toolCallId, view);
    this.el.insertBefore(view.el, this.footer);
  }

  toolOutput(toolCallId: string, chunk: string): void {
    const card = this.cards.get(toolCallId);
    if (card) card.appendOutput(chunk);
    else console.error(`Torbit: output for an unknown tool call ${toolCallId}`);
  }

  endTool(card: ToolCard): void {
    const existing = this.cards.get(card.toolCallId);
    if (existing) existing.update(card);
    else this.startTool(card);
  }

  end(status: TurnStatus, error?: RunError): void {
    this.closeText();
    for (const card of this.cards.values()) card.settle(status === 'canceled' ? 'canceled' : 'interrupted');
    this.setStatus(status);
    this.footer.replaceChildren();
    if (this.id) this.footer.append(this.restoreButton(this.id));
    if (status === 'error') {
      const box = h('div', { class: 'turn-error', 'data-testid': 'turn-error', role: 'alert' },
        h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
        h('span', { class: 'turn-error-text' }, error?.message ?? 'The turn failed.'));
      if (error?.action) box.append(actionButton(error.action));
      this.footer.append(box);
    } else {
      const line = ENDED[status];
      if (line) {
        const el = h('div', { class: 'turn-status', 'data-testid': 'turn-status', role: 'status' },
          h('span', { class: 'codicon codicon-circle-slash', 'aria-hidden': 'true' }), line);
        if (error?.action) el.append(actionButton(error.action));
        this.footer.append(el);
      }
    }
  }

  /** Back to the state before this turn: its files, and the conversation without it (the extension asks first). */
  private restoreButton(turnId: string): HTMLElement {
    const b = h('vscode-button', { secondary: '', icon: 'discard', class: 'turn-restore', 'data-testid': 'turn-restore', title: 'Restore the workspace and the chat to before this turn' }, 'Restore');
    b.addEventListener('click', () => post({ type: 'restoreTurn', turnId }));
    return b;
  }

  /** The prompt was refused before any turn started (the extension said why in a notice). */
  abandon(): void {
    this.closeText();
    this.el.dataset.status = 'not-sent';
    this.el.setAttribute('aria-busy', 'false');
  }

  private setStatus(status: TurnStatus): void {
    this._status = status;
    this.el.dataset.status = status;
    this.el.setAttribute('aria-busy', String(status === 'running'));
  }

  private addTextPart(): HTMLElement {
    const el = h('div', { class: 'message message-assistant markdown', 'data-testid': 'message-assistant' });
    this.el.insertBefore(el, this.footer);
    return el;
  }

  private addFinishedText(text: string): void {
    this.closeText();
    this.addTextPart().append(renderMarkdown(text));
    this.rawText += text;
  }

  private closeText(): void {
    this.stream?.finish();
    this.stream = null;
  }
}

/** The button of an error or notice that asks for an API key. */
export function setApiKeyButton(testid: string): HTMLElement {
  const b = h('vscode-button', { 'data-testid': testid, icon: 'key' }, 'Set API Key');
  b.addEventListener('click', () => post({ type: 'runCommand', command: 'torbit.setApiKey' }));
  return b;
}

/** The button for what a person can do about an error. */
export function actionButton(action: 'setApiKey' | 'openSettings', testidPrefix = ''): HTMLElement {
  if (action === 'setApiKey') return setApiKeyButton(`${testidPrefix}set-api-key`);
  const b = h('vscode-button', { 'data-testid': `${testidPrefix}open-settings`, icon: 'settings-gear', secondary: '' }, 'Open Settings');
  b.addEventListener('click', () => post({ type: 'runCommand', command: 'torbit.openSettings' }));
  return b;
}
