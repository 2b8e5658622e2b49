// The Builds and submissions section: background EAS runs, newest first, with Cancel and Log.
import { describeSpec, type RunView } from '../../server/protocol';
import { h, post } from '../common/api';
import type { Section } from './sections';

const RUN_MARK: Record<RunView['state'], string> = { queued: '…', running: '⟳', succeeded: '✓', failed: '✗', canceled: '⊘' };

export function runsSection(section: Section) {
  const box = h('ul', { class: 'runs', 'data-testid': 'background-runs' });
  section.body.append(box);
  return (list: RunView[]): void => {
    box.replaceChildren(...list.map((r) => {
      const act = (label: string, action: 'cancel' | 'log', icon: string) => {
        const b = h('vscode-button', { secondary: '', icon, 'data-testid': `run-${action}` }, label);
        b.addEventListener('click', () => post({ type: 'run', runId: r.id, action }));
        return b;
      };
      const active = r.state === 'queued' || r.state === 'running';
      return h('li', { 'data-testid': 'run', 'data-state': r.state, 'data-run-id': r.id },
        h('div', { class: 'run-what' }, `${RUN_MARK[r.state]} ${describeSpec(r.spec)} `, h('span', { class: 'run-state' }, r.state),
          r.attempt > 1 || r.maxAttempts > 1 ? ` · attempt ${r.attempt}/${r.maxAttempts}` : ''),
        h('div', { class: 'run-detail' }, `${new Date(r.createdAt).toLocaleTimeString()} · ${r.state === 'failed' ? r.error ?? r.detail : r.detail}`),
        h('div', { class: 'actions' }, ...(active ? [act('Cancel', 'cancel', 'stop-circle')] : []), act('Log', 'log', 'output')));
    }));
    if (!list.length) box.append(h('li', { class: 'empty' }, 'No build or submission yet: Torbit: EAS Build iOS, Build Android, Submit, or Build & Submit.'));
    const running = list.filter((r) => r.state === 'queued' || r.state === 'running').length;
    section.count(list.length, { attention: running > 0, title: running ? `${running} of ${list.length} running` : `${list.length} run(s)` });
  };
}
