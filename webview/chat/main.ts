// The Chat view's DOM: conversation, prompt box (Enter sends, Shift+Enter adds a line), Send.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import { h, onMessage, post } from '../common/api';
import { backendBadge } from '../common/backendBadge';

const app = document.getElementById('app')!;
const header = h('header', { class: 'chat-header' });
const messages = h('section', { class: 'messages', 'data-testid': 'messages', role: 'log', 'aria-live': 'polite' });
const input = h('vscode-textarea', {
  'data-testid': 'prompt-input',
  placeholder: 'Ask Torbit to build something (Enter to send, Shift+Enter for a new line)',
  rows: '3',
  resize: 'vertical',
  'aria-label': 'Prompt',
}) as VscodeTextarea;
const send = h('vscode-button', { 'data-testid': 'send', title: 'Send (Enter)' }, 'Send');
app.append(header, messages, h('footer', { class: 'composer' }, input, h('div', { class: 'composer-actions' }, send)));

function addMessage(kind: 'user' | 'info' | 'warning' | 'error', text: string): void {
  messages.append(h('div', { class: `message message-${kind}`, 'data-testid': `message-${kind}` }, text));
  messages.scrollTop = messages.scrollHeight;
}

function submit(): void {
  const text = input.value.trim();
  if (!text) return;
  addMessage('user', text);
  post({ type: 'prompt', text });
  input.value = '';
}

input.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});
send.addEventListener('click', submit);

onMessage((msg) => {
  switch (msg.type) {
    case 'backend':
      header.replaceChildren(backendBadge(msg));
      break;
    case 'notice':
      addMessage(msg.level, msg.text);
      break;
  }
});

post({ type: 'ready' });
