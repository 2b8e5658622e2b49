// The Governance view as collapsible sections, each with a count (or, for Policy and Backend, a
// word) in its header. Pending starts open, the others closed; what the person opens or closes is
// kept in the view's state, which VS Code keeps while the panel is hidden or reloaded.
import * as z from 'zod';
import { getState, h, setState } from '../common/api';

export const SECTIONS = [
  { id: 'pending', title: 'Pending approvals' },
  { id: 'allowances', title: 'Session allowances' },
  { id: 'activity', title: 'Activity' },
  { id: 'checkpoints', title: 'Checkpoints' },
  { id: 'skills', title: 'Agent Skills' },
  { id: 'runs', title: 'Builds and submissions' },
  { id: 'policy', title: 'Policy' },
  { id: 'backend', title: 'Backend' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

const OPEN_BY_DEFAULT: ReadonlySet<SectionId> = new Set(['pending']);

/** The view's kept state: only which sections are open (anything else in it is dropped). */
const Kept = z.object({ open: z.record(z.string(), z.boolean()) });

export interface Section {
  el: HTMLDetailsElement;
  body: HTMLElement;
  /** The header's count; `attention` marks one that waits on the person (pending approvals). */
  count(n: number, opts?: { attention?: boolean; title?: string }): void;
  /** The header's word instead of a count (Policy, Backend). */
  state(text: string, opts?: { attention?: boolean; title?: string }): void;
  open(): void;
}

export function buildSections(): Record<SectionId, Section> {
  const parsed = Kept.safeParse(getState());
  const kept = parsed.success ? parsed.data.open : {};
  const all = {} as Record<SectionId, Section>;
  const save = () => setState({ open: Object.fromEntries(SECTIONS.map((s) => [s.id, all[s.id].el.open])) });
  for (const { id, title } of SECTIONS) {
    const badge = h('span', { class: 'section-count', 'data-testid': 'section-count' });
    const summary = h('summary', { class: 'section-head' }, h('span', { class: 'section-title' }, title), badge);
    const body = h('div', { class: 'section-body' });
    const el = h('details', { class: 'section', 'data-testid': `section-${id}`, 'data-section': id }, summary, body);
    el.open = kept[id] ?? OPEN_BY_DEFAULT.has(id);
    el.addEventListener('toggle', save);
    const mark = (text: string, kind: 'count' | 'state', o: { attention?: boolean; title?: string } = {}) => {
      badge.textContent = text;
      badge.dataset.kind = kind;
      badge.dataset.attention = String(!!o.attention);
      badge.dataset.zero = String(kind === 'count' && text === '0');
      badge.title = o.title ?? '';
      badge.hidden = text === '';
    };
    all[id] = {
      el, body,
      count: (n, o) => mark(String(n), 'count', o),
      state: (text, o) => mark(text, 'state', o),
      open: () => { el.open = true; },
    };
  }
  return all;
}
