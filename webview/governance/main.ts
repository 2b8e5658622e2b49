import '../common/zodJitless';
// The Governance view's DOM: the backend, the policy in force, the audit timeline with filters,
// and signed bundles with Export and Verify.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { approvalWords, describeSpec, type ApprovalView, type AuditTimeline, type BackendView, type BundleInfo, type CheckpointView, type PolicyView, type RunView, type VerifyResult } from '../../server/protocol';
import { h, onMessage, post } from '../common/api';
import { backendBadge } from '../common/backendBadge';

const app = document.getElementById('app')!;
const state = h('div');
const details = h('dl', { class: 'facts', 'data-testid': 'backend-facts' });
const notice = h('div', { class: 'notice', role: 'status' });
const policyBox = h('div', { class: 'policy', 'data-testid': 'policy' });
const filters = h('div', { class: 'filters' });
const timelineBox = h('ol', { class: 'timeline', 'data-testid': 'audit-timeline', reversed: '' });
const chainLine = h('div', { class: 'chain', 'data-testid': 'audit-chain' });
const bundlesBox = h('ul', { class: 'bundles', 'data-testid': 'bundles' });
const approvalsBox = h('ul', { class: 'approvals', 'data-testid': 'pending-approvals' });
const checkpointsBox = h('ul', { class: 'checkpoints', 'data-testid': 'checkpoint-timeline' });
const runsBox = h('ul', { class: 'runs', 'data-testid': 'background-runs' });

const button = (label: string, icon: string, command: 'torbit.restartBackend' | 'torbit.showLogs' | 'torbit.revealDataDir', testid: string) => {
  const b = h('vscode-button', { secondary: '', icon, 'data-testid': testid }, label);
  b.addEventListener('click', () => post({ type: 'runCommand', command }));
  return b;
};
const exportButton = h('vscode-button', { icon: 'shield', 'data-testid': 'export-bundle' }, 'Export signed bundle');
exportButton.addEventListener('click', () => post({ type: 'exportBundle' }));

function select(testid: string, label: string): HTMLSelectElement {
  const s = h('select', { 'data-testid': testid, 'aria-label': label });
  s.addEventListener('change', query);
  filters.append(h('label', {}, `${label} `, s));
  return s;
}
const sessionFilter = select('filter-session', 'Session');
const toolFilter = select('filter-tool', 'Tool');
const outcomeFilter = select('filter-outcome', 'Decision');

function query(): void {
  post({ type: 'auditQuery', sessionId: sessionFilter.value || undefined, tool: toolFilter.value || undefined, outcome: outcomeFilter.value || undefined });
}

function options(sel: HTMLSelectElement, values: string[], label: (v: string) => string): void {
  const current = sel.value;
  sel.replaceChildren(h('option', { value: '' }, 'all'), ...values.map((v) => h('option', { value: v }, label(v))));
  sel.value = values.includes(current) ? current : '';
}

app.append(
  h('h3', {}, 'Backend'), state, details, notice,
  h('div', { class: 'actions' },
    button('Restart', 'debug-restart', 'torbit.restartBackend', 'restart-backend'),
    button('Logs', 'output', 'torbit.showLogs', 'show-logs'),
    button('Data', 'folder-opened', 'torbit.revealDataDir', 'reveal-data')),
  h('h3', {}, 'Pending approvals'), approvalsBox,
  h('h3', {}, 'Builds and submissions'), runsBox,
  h('h3', {}, 'Checkpoints'), checkpointsBox,
  h('h3', {}, 'Policy'), policyBox,
  h('h3', {}, 'Audit'), chainLine, filters, timelineBox,
  h('h3', {}, 'Signed bundles'), h('div', { class: 'actions' }, exportButton), bundlesBox,
);

function renderBackend(view: BackendView): void {
  state.replaceChildren(backendBadge(view));
  const s = view.status;
  const rows: [string, string][] = s ? [
    ['Version', s.version],
    ['Process', `pid ${s.pid}, node ${s.node}`],
    ['Data directory', `${s.dataDir} (${s.dataDirSource})`],
    ['Schema', s.schemaVersion === null ? 'n/a' : String(s.schemaVersion)],
    ['Environment', s.environment],
  ] : [];
  details.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-testid': `fact-${k.toLowerCase().replace(/\s+/g, '-')}` }, v)]));
  notice.textContent = view.state === 'error' ? view.detail ?? '' : '';
}

/** The policy's state in words: which one is in force, and whether the person's acceptance is awaited. */
const ACCEPTANCE: Record<PolicyView['acceptance'], string> = {
  default: 'built-in default (no .torbit/policy.json)',
  file: 'the repository\'s policy (it only tightens the default: no acceptance needed)',
  accepted: 'the repository\'s policy, accepted by you (it loosens the default)',
  pending: 'built-in default: the repository\'s policy loosens it and waits for your acceptance',
};

function renderPolicy(p: PolicyView | null): void {
  if (!p) { policyBox.replaceChildren(); return; }
  const review = h('vscode-button', { icon: 'law', 'data-testid': 'policy-review' }, 'Review and Accept');
  review.addEventListener('click', () => post({ type: 'runCommand', command: 'torbit.policy.review' }));
  policyBox.replaceChildren(
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
}

function renderTimeline(t: AuditTimeline | null): void {
  if (!t) { timelineBox.replaceChildren(); chainLine.textContent = ''; return; }
  chainLine.textContent = t.chain.ok ? `${t.total} record(s), chain intact${t.chain.head ? ` (head ${t.chain.head.slice(0, 12)}…)` : ''}` : `CHAIN BROKEN: ${t.chain.error}`;
  chainLine.dataset.ok = String(t.chain.ok);
  options(sessionFilter, t.sessions, (v) => v.slice(0, 8));
  options(toolFilter, t.tools, (v) => v);
  options(outcomeFilter, ['allow', 'ask', 'deny', 'approved', 'approved-partly', 'rejected', 'timed-out', 'stopped', 'ok', 'error', 'create', 'modify'], (v) => v);
  timelineBox.replaceChildren(...t.entries.map((e) => h('li', { 'data-testid': 'audit-entry', 'data-kind': e.kind, ...(e.outcome ? { 'data-outcome': e.outcome } : {}) },
    h('span', { class: 'when' }, new Date(e.ts).toLocaleTimeString()), ' ',
    h('span', { class: `kind kind-${e.kind}` }, e.kind), ' ',
    h('span', { class: 'actor' }, e.actor), ' ',
    h('span', { class: 'summary' }, e.summary))));
  if (!t.entries.length) timelineBox.append(h('li', { class: 'empty' }, t.total ? 'No record matches the filters.' : 'Nothing audited yet.'));
}

function renderBundles(bundles: BundleInfo[]): void {
  bundlesBox.replaceChildren(...bundles.map((b) => {
    const result = h('span', { class: 'verify-result', 'data-testid': 'verify-result' });
    const verify = h('vscode-button', { secondary: '', 'data-testid': 'verify-bundle' }, 'Verify');
    verify.addEventListener('click', () => { result.textContent = 'verifying…'; post({ type: 'verifyBundle', file: b.file }); });
    return h('li', { 'data-testid': 'bundle', 'data-file': b.file }, h('span', {}, `${b.name} (${Math.ceil(b.bytes / 1024)} KB) `), verify, ' ', result);
  }));
  if (!bundles.length) bundlesBox.append(h('li', { class: 'empty' }, 'No bundle exported yet.'));
}

function renderApprovals(list: ApprovalView[]): void {
  approvalsBox.replaceChildren(...list.map((a) => {
    const act = (label: string, action: 'approve' | 'reject' | 'review', secondary: boolean) => {
      const b = h('vscode-button', { ...(secondary ? { secondary: '' } : {}), 'data-testid': `approval-${action}` }, label);
      b.addEventListener('click', () => post({ type: 'approval', approvalId: a.id, action }));
      return b;
    };
    const words = approvalWords(a);
    return h('li', { 'data-testid': 'approval-item', 'data-kind': a.kind, 'data-approval-id': a.id },
      h('div', { class: 'approval-what', title: a.tool }, words.want),
      ...(words.exact ? [h('div', { class: 'approval-exact' }, h('code', {}, words.exact))] : []),
      h('div', { class: 'approval-why', title: a.reason }, `${words.why} Waiting until ${new Date(a.expiresAt).toLocaleTimeString()}.`),
      h('div', { class: 'actions' }, act('Approve', 'approve', false), act('Reject', 'reject', true), act(a.kind === 'edit' ? 'Review' : 'Details', 'review', true)));
  }));
  if (!list.length) approvalsBox.append(h('li', { class: 'empty' }, 'Nothing is waiting for your decision.'));
}

const RUN_MARK: Record<RunView['state'], string> = { queued: '…', running: '⟳', succeeded: '✓', failed: '✗', canceled: '⊘' };

function renderRuns(list: RunView[]): void {
  runsBox.replaceChildren(...list.map((r) => {
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
  if (!list.length) runsBox.append(h('li', { class: 'empty' }, 'No build or submission yet: Torbit: EAS Build iOS, Build Android, Submit, or Build & Submit.'));
}

const KIND: Record<CheckpointView['kind'], string> = {
  'before-turn': 'before turn', 'after-turn': 'after turn', manual: 'taken by hand', 'before-rollback': 'before a restore', 'after-rollback': 'after a restore',
};

function renderCheckpoints(list: CheckpointView[], error: string | null): void {
  checkpointsBox.replaceChildren(...list.map((c) => {
    const act = (label: string, action: 'restore' | 'diff', icon: string) => {
      const b = h('vscode-button', { secondary: '', icon, 'data-testid': `checkpoint-${action}` }, label);
      b.addEventListener('click', () => post({ type: 'checkpoint', checkpointId: c.id, action }));
      return b;
    };
    return h('li', { 'data-testid': 'checkpoint', 'data-kind': c.kind, 'data-checkpoint-id': String(c.id), ...(c.turnId ? { 'data-turn-id': c.turnId } : {}) },
      h('span', { class: 'when' }, new Date(c.createdAt).toLocaleTimeString()), ' ',
      h('span', { class: 'cp-kind' }, `#${c.id} ${KIND[c.kind]}`), ' ',
      h('span', { class: 'summary' }, c.label ?? c.turnTitle ?? ''), ' ',
      h('span', { class: 'cp-size' }, `${c.files} file(s)`),
      act('Restore', 'restore', 'discard'), act('Diff', 'diff', 'diff'));
  }));
  if (!list.length) checkpointsBox.append(h('li', { class: 'empty' }, error ?? 'No checkpoint yet: one is taken before a turn changes anything, and after it.'));
}

function renderVerify(v: VerifyResult): void {
  const li = [...bundlesBox.querySelectorAll<HTMLElement>('[data-testid="bundle"]')].find((el) => el.dataset.file === v.file);
  const out = li?.querySelector<HTMLElement>('[data-testid="verify-result"]');
  if (!out) return;
  out.textContent = v.ok ? `valid: ${v.records} record(s)` : `NOT valid: ${v.reason}`;
  out.dataset.ok = String(v.ok);
}

onMessage((msg) => {
  switch (msg.type) {
    case 'backend': renderBackend(msg); break;
    case 'notice': notice.textContent = msg.text; break;
    case 'governance':
      renderPolicy(msg.policy);
      renderTimeline(msg.timeline);
      renderBundles(msg.bundles);
      if (msg.error) notice.textContent = msg.error;
      break;
    case 'verifyResult': renderVerify(msg); break;
    case 'approvals': renderApprovals(msg.approvals); break;
    case 'checkpoints': renderCheckpoints(msg.checkpoints, msg.error); break;
    case 'runs': renderRuns(msg.runs); break;
    default: break;
  }
});

post({ type: 'ready' });
