// The Policy and Backend sections: the policy in force with its sha256 and what a repository's
// file would loosen; the backend's facts with Restart, Logs and Data. Their headers say the state
// in a word rather than a count.
import type { BackendView, PolicyView } from '../../server/protocol';
import { h, post } from '../common/api';
import { backendBadge } from '../common/backendBadge';
import type { Section } from './sections';

/** The policy's state in words: which one is in force, and whether the person's acceptance is awaited. */
const ACCEPTANCE: Record<PolicyView['acceptance'], string> = {
  default: 'built-in default (no .torbit/policy.json)',
  file: 'the repository\'s policy (it only tightens the default: no acceptance needed)',
  accepted: 'the repository\'s policy, accepted by you (it loosens the default)',
  pending: 'built-in default: the repository\'s policy loosens it and waits for your acceptance',
};
const ACCEPTANCE_WORD: Record<PolicyView['acceptance'], string> = {
  default: 'built-in default', file: 'repository\'s file', accepted: 'accepted file', pending: 'waiting for you',
};

export function policySection(section: Section) {
  const box = h('div', { class: 'policy', 'data-testid': 'policy' });
  section.body.append(box);
  return (p: PolicyView | null): void => {
    if (!p) { box.replaceChildren(); section.state(''); return; }
    section.state(p.error ? 'refused' : ACCEPTANCE_WORD[p.acceptance], { attention: !!p.error || p.acceptance === 'pending', title: `sha256 ${p.hash}` });
    const review = h('vscode-button', { icon: 'law', 'data-testid': 'policy-review' }, 'Review and Accept');
    review.addEventListener('click', () => post({ type: 'runCommand', command: 'torbit.policy.review' }));
    box.replaceChildren(
      h('div', { 'data-testid': 'policy-state', 'data-state': p.acceptance }, `In force: ${ACCEPTANCE[p.acceptance]}`),
      // A pending file is named in its notice below; its path twice reads as two files.
      ...(p.pending ? [] : [h('div', {}, p.source === 'file' ? p.path : 'built-in default policy (no .torbit/policy.json)')]),
      ...(p.pending ? [
        h('div', { class: 'notice', 'data-testid': 'policy-pending' }, `${p.path} (sha256 ${p.pending.hash.slice(0, 12)}…) would loosen the default:`),
        h('ul', { 'data-testid': 'policy-loosens' }, ...p.pending.loosens.map((l) => h('li', {}, l))),
        h('div', { class: 'actions' }, review),
      ] : []),
      // While a file waits, the hash in force is the default's, not the file's: say which it is.
      h('div', { class: 'hash' }, p.pending ? 'In force (built-in default): sha256 ' : 'sha256 ', h('code', { 'data-testid': 'policy-hash' }, p.hash)),
      ...(p.pinned ? [h('div', {}, `pinned: ${p.pinned === p.hash ? 'matches' : 'DIFFERS'}`)] : []),
      ...(p.error ? [h('div', { class: 'notice', 'data-testid': 'policy-error' }, p.error)] : []),
    );
  };
}

export function backendSection(section: Section) {
  const state = h('div');
  const details = h('dl', { class: 'facts', 'data-testid': 'backend-facts' });
  const button = (label: string, icon: string, command: 'torbit.restartBackend' | 'torbit.showLogs' | 'torbit.revealDataDir', testid: string) => {
    const b = h('vscode-button', { secondary: '', icon, 'data-testid': testid }, label);
    b.addEventListener('click', () => post({ type: 'runCommand', command }));
    return b;
  };
  section.body.append(state, details, h('div', { class: 'actions' },
    button('Restart', 'debug-restart', 'torbit.restartBackend', 'restart-backend'),
    button('Logs', 'output', 'torbit.showLogs', 'show-logs'),
    button('Data', 'folder-opened', 'torbit.revealDataDir', 'reveal-data')));
  return (view: BackendView): void => {
    state.replaceChildren(backendBadge(view));
    section.state(view.state, { attention: view.state === 'error', title: view.detail ?? '' });
    const s = view.status;
    const rows: [string, string][] = s ? [
      ['Version', s.version],
      ['Process', `pid ${s.pid}, node ${s.node}`],
      ['Data directory', `${s.dataDir} (${s.dataDirSource})`],
      ['Schema', s.schemaVersion === null ? 'n/a' : String(s.schemaVersion)],
      ['Environment', s.environment],
    ] : [];
    details.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-testid': `fact-${k.toLowerCase().replace(/\s+/g, '-')}` }, v)]));
  };
}
