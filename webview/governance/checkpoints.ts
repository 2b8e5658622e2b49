// The Checkpoints section, grouped by turn: a turn's "before" and "after" under its prompt, each
// with Restore and Diff; a checkpoint of no turn (taken by hand, around a restore) on its own.
import type { CheckpointView } from '../../server/protocol';
import { h, post } from '../common/api';
import type { Section } from './sections';

const KIND: Record<CheckpointView['kind'], string> = {
  'before-turn': 'before the turn', 'after-turn': 'after the turn', manual: 'taken by hand', 'before-rollback': 'before a restore', 'after-rollback': 'after a restore',
};

/** Consecutive checkpoints of one turn (the list is newest first), or one checkpoint of none. */
function groups(list: CheckpointView[]): CheckpointView[][] {
  const out: CheckpointView[][] = [];
  for (const c of list) {
    const last = out.at(-1);
    if (c.turnId && last?.[0]?.turnId === c.turnId) last.push(c);
    else out.push([c]);
  }
  return out;
}

function row(c: CheckpointView): HTMLElement {
  const act = (label: string, action: 'restore' | 'diff', icon: string) => {
    const b = h('vscode-button', { secondary: '', icon, 'data-testid': `checkpoint-${action}` }, label);
    b.addEventListener('click', () => post({ type: 'checkpoint', checkpointId: c.id, action }));
    return b;
  };
  return h('li', { 'data-testid': 'checkpoint', 'data-kind': c.kind, 'data-checkpoint-id': String(c.id), ...(c.turnId ? { 'data-turn-id': c.turnId } : {}) },
    h('span', { class: 'cp-kind' }, `#${c.id} ${KIND[c.kind]}`),
    h('span', { class: 'when' }, new Date(c.createdAt).toLocaleTimeString()),
    h('span', { class: 'cp-size' }, `${c.files} file(s)`),
    ...(c.label ? [h('span', { class: 'summary' }, c.label)] : []),
    h('span', { class: 'cp-actions' }, act('Restore', 'restore', 'discard'), act('Diff', 'diff', 'diff')));
}

export function checkpointsSection(section: Section) {
  const box = h('ul', { class: 'checkpoints', 'data-testid': 'checkpoint-timeline' });
  section.body.append(box);
  return (list: CheckpointView[], error: string | null): void => {
    box.replaceChildren(...groups(list).map((g) => {
      const first = g[0]!;
      const title = first.turnId ? `Turn: ${first.turnTitle ?? first.turnId.slice(0, 8)}` : KIND[first.kind].replace(/^./, (x) => x.toUpperCase());
      return h('li', { class: 'cp-group', 'data-testid': 'checkpoint-group', ...(first.turnId ? { 'data-turn-id': first.turnId } : {}) },
        h('div', { class: 'cp-group-head' }, title),
        h('ul', {}, ...g.map(row)));
    }));
    if (!list.length) box.append(h('li', { class: 'empty' }, error ?? 'No checkpoint yet: one is taken before a turn changes anything, and after it.'));
    section.count(list.length, { title: `${list.length} checkpoint(s)` });
  };
}
