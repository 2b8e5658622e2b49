// The Chat view: header (backend, model, session, new session, meter), the transcript of turns
// streamed from the backend, and the composer (Enter sends, Shift+Enter adds a line, Stop).
// Every message is rendered synchronously as it arrives: the relay benchmark times each chunk.
import '../common/zodJitless';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { ChatEventParams, ChatState, SessionSummary, ToWebviewMessage, Usage } from '../../server/protocol';
import { h, onMessage, post } from '../common/api';
import { backendBadge } from '../common/backendBadge';
import { formatUsage, formatWhen, sessionUsage, usageDetail } from './format';
import { codeOfCopyButton } from './markdown';
import { actionButton, TurnView } from './turn';
import { SlashMenu } from './slashMenu';
import { BUILTIN_SLASH_COMMANDS, parseSlash } from '../../server/protocol';

declare global {
  interface Window {
    /**
     * When chatState.recordTimings: one entry per rendered text-delta (read by the relay benchmark):
     * when the extension host relayed it, when it arrived here, and when it was rendered.
     */
    __torbitTimings?: { seq: number; t: number; tIn: number; relayedAt?: number }[];
    /** When chatState.recordTimings: the raw text of the current turn so far. */
    __torbitText?: string;
    /** Chat events that arrived out of sequence (always counted). */
    __torbitGaps?: number;
  }
}

const MAX_PROMPT = 100_000;

// ── DOM ────────────────────────────────────────────────────────────────────────────────────────
const app = document.getElementById('app')!;
const backendSlot = h('div', { class: 'backend-slot' });
const meter = h('span', { class: 'meter', 'data-testid': 'meter', role: 'status', 'aria-label': 'Session usage' });
const modelPicker = h('vscode-single-select', { 'data-testid': 'model-picker', 'aria-label': 'Model', title: 'Model for new turns', class: 'model-picker' });
const sessionPicker = h('vscode-single-select', { 'data-testid': 'session-picker', 'aria-label': 'Session', title: 'Open a session', class: 'session-picker' });
const newSession = h('vscode-button', { 'data-testid': 'new-session', secondary: '', icon: 'add', title: 'New session', 'aria-label': 'New session' }, 'New');
const header = h('header', { class: 'chat-header' },
  h('div', { class: 'header-row' }, backendSlot, meter),
  h('div', { class: 'header-row pickers' }, modelPicker, sessionPicker, newSession));

const empty = h('div', { class: 'empty-state', 'data-testid': 'empty-state' }, 'Ask Torbit to build something.');
const messages = h('section', { class: 'messages', 'data-testid': 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' }, empty);

const input = h('vscode-textarea', {
  'data-testid': 'prompt-input',
  placeholder: 'Ask Torbit to build something (Enter to send, Shift+Enter for a new line)',
  rows: '3',
  resize: 'vertical',
  'aria-label': 'Prompt',
});
const stop = h('vscode-button', { 'data-testid': 'stop', secondary: '', icon: 'debug-stop', title: 'Stop the running turn', hidden: '' }, 'Stop');
const send = h('vscode-button', { 'data-testid': 'send', icon: 'send', title: 'Send (Enter)' }, 'Send');
const slashMenu = new SlashMenu((text) => {
  input.value = text;
  input.focus();
});
app.append(header, messages, h('footer', { class: 'composer' }, slashMenu.element, input, h('div', { class: 'composer-actions' }, stop, send)));

// ── State ──────────────────────────────────────────────────────────────────────────────────────
let models: string[] = [];
let model = '';
let sessions: SessionSummary[] = [];
let sessionId: string | null = null;
let recordTimings = false;
/** The turn running in this session (from chatState or its events). */
let runningTurnId: string | null = null;
/** A prompt was posted and its turn has not started yet. */
let pendingTurn: TurnView | null = null;
const turns = new Map<string, TurnView>();
/** The last seq seen per turn; a turn restored while running takes its first event's seq as is. */
const lastSeq = new Map<string, number>();
const seqBaselineFree = new Set<string>();
/** Keep the newest content in view while the reader is at the bottom. */
let follow = true;
let scrollQueued = false;
window.__torbitGaps = 0;

// ── Rendering helpers ──────────────────────────────────────────────────────────────────────────
function queueScroll(force = false): void {
  if (force) follow = true;
  if (!follow || scrollQueued) return;
  scrollQueued = true;
  // Only the scrolling waits for a frame; content is already in the DOM.
  requestAnimationFrame(() => {
    scrollQueued = false;
    if (follow) messages.scrollTop = messages.scrollHeight;
  });
}
messages.addEventListener('scroll', () => {
  follow = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
}, { passive: true });

function updateEmpty(): void {
  empty.hidden = messages.childElementCount > 1;
}

function setMeter(u: Usage): void {
  meter.textContent = formatUsage(u);
  meter.title = usageDetail(u);
}

function option(value: string, label: string, selected: boolean, description = ''): HTMLElement {
  const o = h('vscode-option', { value, ...(description ? { description } : {}) }, label);
  if (selected) o.setAttribute('selected', '');
  return o;
}

function renderModels(): void {
  const list = model && !models.includes(model) ? [model, ...models] : models;
  modelPicker.replaceChildren(...list.map((m) => option(m, m, m === model)));
  modelPicker.toggleAttribute('disabled', list.length === 0);
  if (model) modelPicker.value = model;
}

function renderSessions(): void {
  const opts: HTMLElement[] = [];
  if (sessionId === null || !sessions.some((s) => s.id === sessionId)) opts.push(option(sessionId ?? '', 'New session', true));
  for (const s of sessions) {
    opts.push(option(s.id, `${s.title || 'Untitled'} · ${formatWhen(s.updatedAt)}`, s.id === sessionId,
      `${s.turns} turn${s.turns === 1 ? '' : 's'} · ${s.model} · ${new Date(s.updatedAt).toLocaleString()}`));
  }
  sessionPicker.replaceChildren(...opts);
  sessionPicker.value = sessionId ?? '';
}

function isRunning(): boolean {
  return pendingTurn !== null || runningTurnId !== null;
}

let stopTimer: ReturnType<typeof setTimeout> | undefined;
function updateRunning(): void {
  const running = isRunning();
  stop.hidden = !running;
  if (!running) {
    stop.disabled = false;
    clearTimeout(stopTimer);
  }
  send.disabled = running;
  messages.setAttribute('aria-busy', String(running));
}

function addTurn(view: TurnView): void {
  // A new turn moves the session past the checkpoint it resumed at.
  messages.querySelector('[data-testid="resume-checkpoint"]')?.remove();
  messages.append(view.el);
  if (view.id) turns.set(view.id, view);
  updateEmpty();
}

function addNotice(level: 'info' | 'warning' | 'error', text: string, action?: 'setApiKey' | 'openSettings'): void {
  const icon = { info: 'info', warning: 'warning', error: 'error' }[level];
  const line = h('div', { class: `message message-${level}`, 'data-testid': `message-${level}`, role: level === 'error' ? 'alert' : 'status' },
    h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }), h('span', { class: 'notice-text' }, text));
  if (action) line.append(actionButton(action, 'notice-'));
  messages.append(line);
  updateEmpty();
  queueScroll();
}

// ── Messages from the extension ────────────────────────────────────────────────────────────────
function applyState(s: ChatState): void {
  models = s.models;
  model = s.model;
  sessions = s.sessions;
  sessionId = s.sessionId;
  recordTimings = s.recordTimings;
  runningTurnId = s.runningTurnId;
  pendingTurn = null;
  turns.clear();
  lastSeq.clear();
  seqBaselineFree.clear();
  messages.replaceChildren(empty);
  for (const t of s.transcript) addTurn(TurnView.restore(t, t.id === s.runningTurnId));
  if (s.checkpoint && s.transcript.length) {
    // Where a reloaded window picks up: the session's last checkpoint.
    messages.append(h('div', { class: 'resume-line', 'data-testid': 'resume-checkpoint', role: 'status' },
      h('span', { class: 'codicon codicon-history', 'aria-hidden': 'true' }),
      ` Checkpoint #${s.checkpoint.id} (${s.checkpoint.kind}, ${new Date(s.checkpoint.createdAt).toLocaleTimeString()})`));
  }
  if (runningTurnId) seqBaselineFree.add(runningTurnId);
  setMeter(sessionUsage(sessionId, sessions, s.transcript));
  renderModels();
  renderSessions();
  updateRunning();
  if (recordTimings) {
    if (!Array.isArray(window.__torbitTimings)) window.__torbitTimings = [];
    window.__torbitText = (runningTurnId && turns.get(runningTurnId)?.text) || '';
  }
  queueScroll(true);
}

/** Checks the event's place in its turn's sequence; false when it is a repeat to be dropped. */
function inSequence(p: ChatEventParams): boolean {
  const prev = lastSeq.get(p.turnId);
  const free = prev === undefined && seqBaselineFree.delete(p.turnId);
  const expected = prev === undefined ? 0 : prev + 1;
  if (!free && p.seq !== expected) {
    window.__torbitGaps = (window.__torbitGaps ?? 0) + 1;
    console.error(`Torbit: chat event out of sequence in turn ${p.turnId}: expected seq ${expected}, got ${p.seq} (${p.event.type})`);
    if (prev !== undefined && p.seq <= prev) return false;
  }
  lastSeq.set(p.turnId, p.seq);
  return true;
}

function turnFor(p: ChatEventParams): TurnView {
  let turn = turns.get(p.turnId);
  if (turn) return turn;
  // The prompt just sent becomes the turn that starts next; events of a turn the state did not
  // list (no turn-start seen) show that turn from here on.
  if (p.event.type === 'turn-start' && pendingTurn) {
    turn = pendingTurn;
    pendingTurn = null;
  } else {
    turn = new TurnView(null, p.event.type === 'turn-start' ? p.event.userText : '');
  }
  turn.setId(p.turnId);
  if (!turn.el.isConnected) addTurn(turn);
  turns.set(p.turnId, turn);
  return turn;
}

function onChatEvent(p: ChatEventParams & { relayedAt?: number }, tIn: number): void {
  if (sessionId !== null && p.sessionId !== sessionId) {
    console.warn(`Torbit: ignored an event of session ${p.sessionId} (showing ${sessionId})`);
    return;
  }
  if (!inSequence(p)) return;
  if (sessionId === null) {
    sessionId = p.sessionId;
    renderSessions();
  }
  const turn = turnFor(p);
  const e = p.event;
  if (e.type !== 'turn-end' && turn.status === 'running') runningTurnId = p.turnId;
  switch (e.type) {
    case 'turn-start':
      turn.setUserText(e.userText);
      if (recordTimings) window.__torbitText = '';
      break;
    case 'instructions':
      turn.setInstructions(e.instructions);
      break;
    case 'text-delta':
      turn.appendText(e.text);
      if (recordTimings) {
        (window.__torbitTimings ??= []).push({ seq: p.seq, t: performance.timeOrigin + performance.now(), tIn, relayedAt: p.relayedAt });
        window.__torbitText = turn.text;
      }
      break;
    case 'tool-start':
      turn.startTool(e.card);
      break;
    case 'tool-update':
      turn.endTool(e.card);
      break;
    case 'tool-output':
      turn.toolOutput(e.toolCallId, e.chunk);
      break;
    case 'tool-end':
      turn.endTool(e.card);
      break;
    case 'usage':
      setMeter(e.session);
      break;
    case 'turn-end':
      turn.end(e.status, e.error);
      if (runningTurnId === p.turnId) runningTurnId = null;
      break;
  }
  updateRunning();
  queueScroll();
}

function onExtensionMessage(msg: ToWebviewMessage): void {
  switch (msg.type) {
    case 'backend':
      backendSlot.replaceChildren(backendBadge(msg));
      break;
    case 'notice':
      // A warning or error while a prompt waits for its turn is the extension refusing it.
      if (pendingTurn && msg.level !== 'info') {
        pendingTurn.abandon();
        pendingTurn = null;
        updateRunning();
      }
      addNotice(msg.level, msg.text, msg.action);
      break;
    case 'chatState':
      applyState(msg);
      break;
    case 'chatEvent':
      onChatEvent(msg, recordTimings ? performance.timeOrigin + performance.now() : 0);
      break;
    case 'slashCommands':
      slashMenu.setCommands(msg.commands);
      slashMenu.update(input.value);
      break;
    case 'sessions':
      sessions = msg.sessions;
      renderSessions();
      if (!isRunning()) {
        const listed = sessions.find((s) => s.id === sessionId);
        if (listed) setMeter(listed.usage);
      }
      break;
  }
}

// ── What the person does ───────────────────────────────────────────────────────────────────────
function submit(): void {
  if (isRunning()) return;
  const text = input.value.trim();
  if (!text) return;
  // A built-in command is the extension's to run; a custom one is a prompt the backend expands;
  // anything else that starts with / ("/tmp is full, why?") is just a prompt.
  const slash = parseSlash(text);
  const command = slash ? slashMenu.known(slash.name) : undefined;
  const builtin = command?.builtin ? BUILTIN_SLASH_COMMANDS.find((b) => b.name === command.name) : undefined;
  if (builtin) {
    post({ type: 'builtinCommand', name: builtin.name });
    input.value = '';
    slashMenu.close();
    return;
  }
  if (text.length > MAX_PROMPT) {
    addNotice('error', `The prompt is too long (${text.length.toLocaleString('en-US')} characters; at most ${MAX_PROMPT.toLocaleString('en-US')}).`);
    return;
  }
  pendingTurn = new TurnView(null, text);
  addTurn(pendingTurn);
  post({ type: 'prompt', text });
  input.value = '';
  updateRunning();
  queueScroll(true);
}

input.addEventListener('input', () => slashMenu.update(input.value));
input.addEventListener('keydown', (e: KeyboardEvent) => {
  if (slashMenu.key(e)) return;
  if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.isComposing || e.keyCode === 229) return;
  e.preventDefault();
  submit();
});
send.addEventListener('click', submit);
stop.addEventListener('click', () => {
  if (stop.disabled) return;
  post({ type: 'stop' });
  // Stopping takes a moment; allow asking again if the turn has not ended after a while.
  stop.disabled = true;
  clearTimeout(stopTimer);
  stopTimer = setTimeout(() => { stop.disabled = false; }, 3000);
});
newSession.addEventListener('click', () => post({ type: 'newSession' }));
modelPicker.addEventListener('change', () => {
  const value = modelPicker.value;
  if (!value || value === model) return;
  model = value;
  post({ type: 'selectModel', model: value });
});
sessionPicker.addEventListener('change', () => {
  const value = sessionPicker.value;
  if (value && value !== sessionId) post({ type: 'openSession', sessionId: value });
});
messages.addEventListener('click', (e) => {
  const button = (e.target as Element | null)?.closest('[data-testid="copy-code"]');
  if (!button) return;
  const text = codeOfCopyButton(button);
  if (text === null) return;
  post({ type: 'copy', text });
  const icon = button.querySelector('.codicon');
  icon?.classList.replace('codicon-copy', 'codicon-check');
  button.setAttribute('title', 'Copied');
  setTimeout(() => {
    icon?.classList.replace('codicon-check', 'codicon-copy');
    button.setAttribute('title', 'Copy code');
  }, 1500);
});

onMessage(onExtensionMessage);
updateEmpty();
post({ type: 'ready' });
