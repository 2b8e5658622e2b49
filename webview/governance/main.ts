import '../common/zodJitless';
// The Governance view's DOM: the backend, where its data lives, and the actions on it.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import type { BackendView } from '../../server/protocol';
import { h, onMessage, post } from '../common/api';
import { backendBadge } from '../common/backendBadge';

const app = document.getElementById('app')!;
const state = h('div');
const details = h('dl', { class: 'facts', 'data-testid': 'backend-facts' });
const notice = h('div', { class: 'notice', role: 'status' });

const button = (label: string, icon: string, command: 'torbit.restartBackend' | 'torbit.showLogs' | 'torbit.revealDataDir', testid: string) => {
  const b = h('vscode-button', { secondary: '', icon, 'data-testid': testid }, label);
  b.addEventListener('click', () => post({ type: 'runCommand', command }));
  return b;
};
app.append(
  h('h3', {}, 'Backend'), state, details, notice,
  h('div', { class: 'actions' },
    button('Restart', 'debug-restart', 'torbit.restartBackend', 'restart-backend'),
    button('Logs', 'output', 'torbit.showLogs', 'show-logs'),
    button('Data', 'folder-opened', 'torbit.revealDataDir', 'reveal-data')),
);

function render(view: BackendView): void {
  state.replaceChildren(backendBadge(view));
  const s = view.status;
  const rows: [string, string][] = s ? [
    ['Version', s.version],
    ['Process', `pid ${s.pid}, node ${s.node}`],
    ['Data directory', `${s.dataDir} (${s.dataDirSource})`],
    ['Schema', s.schemaVersion === null ? 'n/a' : String(s.schemaVersion)],
  ] : [];
  details.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-testid': `fact-${k.toLowerCase().replace(/\s+/g, '-')}` }, v)]));
  notice.textContent = view.state === 'error' ? view.detail ?? '' : '';
}

onMessage((msg) => {
  if (msg.type === 'backend') render(msg);
  else if (msg.type === 'notice') notice.textContent = msg.text;
});

post({ type: 'ready' });
