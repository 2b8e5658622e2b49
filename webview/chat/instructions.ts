// The "instructions" line of a turn: which instruction files (AGENTS.md and its kin) shaped it,
// each a link that opens the file, then what was left out and why (over the budget, or refused),
// and in restricted mode that the repository's files were not read. Names only: the text stays
// in the backend.
import type { InstructionSource, TurnInstructions } from '../../server/protocol';
import { h, post } from '../common/api';

const SOURCE: Record<InstructionSource, string> = {
  personal: 'your own AGENTS.md',
  agents: "the folder's AGENTS.md",
  nested: 'AGENTS.md of a folder the turn worked in',
  rule: 'a rule of .torbit/rules',
  claude: 'CLAUDE.md (torbit.instructions.claudeMd)',
  copilot: 'Copilot instructions (torbit.instructions.copilotInstructions)',
  cline: 'Cline rules (torbit.instructions.clinerules)',
};

function fileLink(name: string, abs: string, title: string, testid: string): HTMLElement {
  const b = h('button', { type: 'button', class: 'link-button instructions-file', 'data-testid': testid, 'data-path': name, title }, name);
  b.addEventListener('click', () => post({ type: 'openFile', path: abs }));
  return b;
}

/** The line, or null when the turn had no instruction file and nothing to say about them. */
export function instructionsLine(i: TurnInstructions): HTMLElement | null {
  if (!i.files.length && !i.leftOut.length && !i.restricted) return null;
  const el = h('div', { class: 'turn-instructions', 'data-testid': 'turn-instructions' });
  if (i.files.length) {
    const files = h('div', { class: 'instructions-files' },
      h('span', { class: 'codicon codicon-book', 'aria-hidden': 'true' }),
      h('span', { class: 'instructions-label' }, 'Instructions:'));
    i.files.forEach((f, n) => {
      if (n) files.append(h('span', { class: 'instructions-sep', 'aria-hidden': 'true' }, '·'));
      const why = f.because ? `, for ${f.because}` : '';
      files.append(fileLink(f.path, f.abs, `${SOURCE[f.source]}${why}: ~${f.tokens} tokens, sha256 ${f.sha256.slice(0, 12)}…`, 'instructions-file'));
    });
    files.append(h('span', { class: 'instructions-budget', title: 'Estimated tokens used of torbit.instructions.maxTokens' }, `${i.budget.used} / ${i.budget.maxTokens} tokens`));
    el.append(files);
  }
  for (const l of i.leftOut) {
    el.append(h('div', { class: 'instructions-left-out', 'data-testid': 'instructions-left-out', 'data-kind': l.kind, role: 'status' },
      h('span', { class: `codicon codicon-${l.kind === 'over-budget' ? 'warning' : 'error'}`, 'aria-hidden': 'true' }),
      h('span', {}, 'Left out: '), fileLink(l.path, l.abs, `Open ${l.path}`, 'instructions-left-out-file'), h('span', {}, ` (${l.reason})`)));
  }
  if (i.restricted) {
    el.append(h('div', { class: 'instructions-restricted', 'data-testid': 'instructions-restricted', role: 'status' },
      h('span', { class: 'codicon codicon-shield', 'aria-hidden': 'true' }),
      "The repository's instruction files (AGENTS.md and the like) were not read: this workspace is untrusted (restricted mode)."));
  }
  return el;
}
