// A one-line rendering of the backend's state, shared by both views.
import type { BackendView } from '../../server/protocol';
import { h } from './api';

const ICON: Record<BackendView['state'], string> = { starting: 'loading', ready: 'check', error: 'error', stopped: 'circle-slash' };

export function backendBadge(view: BackendView): HTMLElement {
  const icon = h('vscode-icon', { name: ICON[view.state], ...(view.state === 'starting' ? { spin: '' } : {}) });
  const label = view.state === 'ready' && view.status ? `Backend ready (v${view.status.version})` : `Backend ${view.state}`;
  return h('div', { class: `backend backend-${view.state}`, 'data-testid': 'backend-state', 'data-state': view.state, title: view.detail ?? '' },
    icon, h('span', {}, label));
}
