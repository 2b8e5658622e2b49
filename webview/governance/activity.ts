// The Activity section: the audit log as one timeline, newest first, filtered by the log's own
// record kinds (prompts, tool calls, decisions, changes…), session and tool; the chain's state;
// signed bundles with Export and Verify. The page is the one scroll: the list has no box of its own.
import { AuditKind, type AuditTimeline, type BundleInfo, type VerifyResult } from '../../server/protocol';
import { h, post } from '../common/api';
import type { Section } from './sections';

/** Each kind of record, as the filter and the timeline name it. */
const KIND: Record<AuditKind, { one: string; many: string }> = {
  prompt: { one: 'Prompt', many: 'Prompts' },
  'tool-call': { one: 'Tool call', many: 'Tool calls' },
  decision: { one: 'Decision', many: 'Decisions' },
  change: { one: 'Change', many: 'Changes' },
  checkpoint: { one: 'Checkpoint', many: 'Checkpoints' },
  rollback: { one: 'Restore', many: 'Restores' },
  review: { one: 'Review', many: 'Reviews' },
  ship: { one: 'Ship', many: 'Ship and EAS' },
  export: { one: 'Export', many: 'Exports' },
  note: { one: 'Note', many: 'Notes' },
  skill: { one: 'Skill', many: 'Skills used' },
  policy: { one: 'Policy change', many: 'Policy changes' },
};
const kindName = (k: string) => (AuditKind.safeParse(k).success ? KIND[k as AuditKind].one : k);

/** Records drawn at a time; "Show older" adds as many again. */
const PAGE = 100;

export function activitySection(section: Section) {
  const chainLine = h('span', { class: 'chain', 'data-testid': 'audit-chain' });
  const exportButton = h('vscode-button', { secondary: '', icon: 'shield', 'data-testid': 'export-bundle' }, 'Export signed bundle');
  exportButton.addEventListener('click', () => post({ type: 'exportBundle' }));
  const bundlesBox = h('ul', { class: 'bundles', 'data-testid': 'bundles' });
  const bundlesCount = h('span', { class: 'section-count', 'data-kind': 'count' });
  const bundles = h('details', { class: 'subsection', 'data-testid': 'bundles-list' },
    h('summary', {}, h('span', {}, 'Signed bundles'), bundlesCount), bundlesBox);

  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter the activity' });
  const select = (testid: string, label: string) => {
    const s = h('select', { 'data-testid': testid, 'aria-label': label });
    s.addEventListener('change', query);
    filters.append(h('label', {}, `${label} `, s));
    return s;
  };
  const kindFilter = select('filter-kind', 'Kind');
  const sessionFilter = select('filter-session', 'Session');
  const toolFilter = select('filter-tool', 'Tool');
  const shown = h('span', { class: 'shown', 'data-testid': 'audit-shown' });
  filters.append(shown);

  const timelineBox = h('ol', { class: 'timeline', 'data-testid': 'audit-timeline' });
  const more = h('vscode-button', { secondary: '', 'data-testid': 'audit-more', hidden: '' }, 'Show older');
  let entries: AuditTimeline['entries'] = [];
  let drawn = 0;
  more.addEventListener('click', () => draw(drawn + PAGE));

  section.body.append(
    h('div', { class: 'activity-head' }, chainLine, exportButton),
    bundles, filters, timelineBox, h('div', { class: 'actions' }, more),
  );

  function query(): void {
    const kind = AuditKind.safeParse(kindFilter.value);
    post({ type: 'auditQuery', sessionId: sessionFilter.value || undefined, tool: toolFilter.value || undefined, kind: kind.success ? kind.data : undefined });
  }

  function options(sel: HTMLSelectElement, all: string, values: [string, string][]): void {
    const current = sel.value;
    sel.replaceChildren(h('option', { value: '' }, all), ...values.map(([v, label]) => h('option', { value: v }, label)));
    sel.value = values.some(([v]) => v === current) ? current : '';
  }

  function draw(n: number): void {
    const add = entries.slice(drawn, n);
    timelineBox.append(...add.map((e) => h('li', { 'data-testid': 'audit-entry', 'data-kind': e.kind, ...(e.outcome ? { 'data-outcome': e.outcome } : {}) },
      h('span', { class: 'when', title: e.ts }, new Date(e.ts).toLocaleTimeString()),
      h('span', { class: `kind kind-${e.kind}` }, kindName(e.kind)),
      h('span', { class: 'actor' }, e.actor),
      h('span', { class: 'summary' }, e.summary))));
    drawn = Math.min(n, entries.length);
    more.hidden = drawn >= entries.length;
    more.textContent = `Show older (${entries.length - drawn} more)`;
  }

  return {
    renderTimeline(t: AuditTimeline | null): void {
      timelineBox.replaceChildren();
      entries = t?.entries ?? [];
      drawn = 0;
      if (!t) {
        chainLine.textContent = '';
        more.hidden = true;
        section.state('');
        return;
      }
      section.count(t.total, { title: `${t.total} audit record(s)` });
      chainLine.textContent = t.chain.ok ? `${t.total} record(s), chain intact${t.chain.head ? ` (head ${t.chain.head.slice(0, 12)}…)` : ''}` : `CHAIN BROKEN: ${t.chain.error}`;
      chainLine.dataset.ok = String(t.chain.ok);
      const kinds = AuditKind.options.filter((k) => (t.kinds[k] ?? 0) > 0 || kindFilter.value === k);
      options(kindFilter, 'all kinds', kinds.map((k) => [k, `${KIND[k].many} (${t.kinds[k] ?? 0})`]));
      options(sessionFilter, 'all sessions', t.sessions.map((v) => [v, v.slice(0, 8)]));
      options(toolFilter, 'all tools', t.tools.map((v) => [v, v]));
      const filtered = !!(kindFilter.value || sessionFilter.value || toolFilter.value);
      shown.textContent = filtered ? `${t.entries.length} shown` : '';
      draw(PAGE);
      if (!t.entries.length) timelineBox.append(h('li', { class: 'empty' }, t.total ? 'No record matches the filters.' : 'Nothing audited yet.'));
    },

    renderBundles(list: BundleInfo[]): void {
      bundlesCount.textContent = String(list.length);
      bundlesBox.replaceChildren(...list.map((b) => {
        const result = h('span', { class: 'verify-result', 'data-testid': 'verify-result' });
        const verify = h('vscode-button', { secondary: '', 'data-testid': 'verify-bundle' }, 'Verify');
        verify.addEventListener('click', () => { result.textContent = 'verifying…'; post({ type: 'verifyBundle', file: b.file }); });
        return h('li', { 'data-testid': 'bundle', 'data-file': b.file }, h('span', {}, `${b.name} (${Math.ceil(b.bytes / 1024)} KB) `), verify, ' ', result);
      }));
      if (!list.length) bundlesBox.append(h('li', { class: 'empty' }, 'No bundle exported yet.'));
    },

    renderVerify(v: VerifyResult): void {
      const li = [...bundlesBox.querySelectorAll<HTMLElement>('[data-testid="bundle"]')].find((el) => el.dataset.file === v.file);
      const out = li?.querySelector<HTMLElement>('[data-testid="verify-result"]');
      if (!out) return;
      out.textContent = v.ok ? `valid: ${v.records} record(s)` : `NOT valid: ${v.reason}`;
      out.dataset.ok = String(v.ok);
    },

    /** A bundle was just exported (the list grows): show the list, so its Verify is at hand. */
    openBundles(): void {
      bundles.open = true;
    },
  };
}
