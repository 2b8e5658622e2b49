// What waits on the person and what they allowed: the pending approvals (Approve, Reject,
// Review) and the session allowances in force ("Allow for this session"), each with Revoke.
import { approvalWords, type AllowanceView, type ApprovalView } from '../../server/protocol';
import { h, post } from '../common/api';
import type { Section } from './sections';

export function pendingSection(section: Section) {
  const box = h('ul', { class: 'approvals', 'data-testid': 'pending-approvals' });
  section.body.append(box);
  let shown = 0;
  return (list: ApprovalView[]): void => {
    box.replaceChildren(...list.map((a) => {
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
    if (!list.length) box.append(h('li', { class: 'empty' }, 'Nothing is waiting for your decision.'));
    section.count(list.length, { attention: list.length > 0, title: `${list.length} approval(s) waiting for your decision` });
    // Something new waits: show it, even where the person had closed the section.
    if (list.length > shown) section.open();
    shown = list.length;
  };
}

const used = (n: number) => (n === 0 ? 'not used yet' : n === 1 ? 'used once since' : `used ${n} times since`);

export function allowancesSection(section: Section) {
  const box = h('ul', { class: 'allowances', 'data-testid': 'session-allowances' });
  const error = h('div', { class: 'notice', role: 'status' });
  section.body.append(
    h('p', { class: 'hint' }, 'What you allowed for the rest of a chat session. Revoke it, and the next such action asks again; a restarted backend has none.'),
    error, box);
  return (list: AllowanceView[], sessions: Record<string, string>, problem: string | null): void => {
    error.textContent = problem ?? '';
    box.replaceChildren(...list.map((a) => {
      const revoke = h('vscode-button', { secondary: '', icon: 'circle-slash', 'data-testid': 'allowance-revoke' }, 'Revoke');
      revoke.addEventListener('click', () => {
        revoke.setAttribute('disabled', '');
        post({ type: 'revokeAllowance', allowanceId: a.id });
      });
      const chat = sessions[a.sessionId];
      const what = a.scope.kind === 'command' ? `${a.scope.exact ? 'Run exactly' : 'Run'} ${a.scope.label}` : a.scope.label;
      return h('li', { 'data-testid': 'allowance', 'data-allowance-id': a.id, 'data-scope': a.scope.kind },
        h('div', { class: 'allowance-text' },
          h('div', { class: 'allowance-what' }, what),
          h('div', { class: 'allowance-detail' },
            `In ${chat ? `the chat “${chat}”` : `chat session ${a.sessionId.slice(0, 8)}`} · allowed at ${new Date(a.createdAt).toLocaleTimeString()} · ${used(a.uses)}`)),
        revoke);
    }));
    if (!list.length) box.append(h('li', { class: 'empty' }, 'None: every action the policy asks about is asked.'));
    section.count(list.length, { title: `${list.length} session allowance(s) in force` });
  };
}
