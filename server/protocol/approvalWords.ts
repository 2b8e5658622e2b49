// The one wording of an approval, for people: who wants what, and why the policy asks, as
// sentences. Every surface (the chat's tool card, the notification and the ship modal, the code
// lenses, the Governance view) words approvals with these functions, so they read the same.
// Pure functions over the protocol's types: the extension and the webviews both import it.
import type { ApprovalView, AskWhy, HunkView, PolicyCategory } from './approvals';

/** What wording an approval needs: an ApprovalView has it all, a chat card the part it carries. */
export interface ApprovalFacts {
  kind: ApprovalView['kind'];
  tool: string;
  title: string;
  /** Missing only on cards saved before it existed: then the sentence says just that the policy asks. */
  why?: AskWhy;
  edit?: { path: string; created: boolean; hunks: readonly HunkView[] };
  command?: { argv: readonly string[]; cwd: string; cwdAbs?: string };
}

export interface ApprovalWords {
  /** Who wants what: "Torbit wants to edit src/greet.js (2 changes)." */
  want: string;
  /** Why it asks: "Your policy asks before edits." */
  why: string;
  /** Commands: the exact argv and working directory, e.g. `Exactly: ["git","status"] in /w/app`. */
  exact?: string;
}

/** The approval in words. */
export function approvalWords(a: ApprovalFacts): ApprovalWords {
  return { want: wantOf(a), why: whyOf(a.why), ...(a.command ? { exact: exactOf(a.command) } : {}) };
}

/** The approval as one or two lines: the sentences, then (commands) the exact argv and folder. */
export function approvalText(a: ApprovalFacts): string {
  const w = approvalWords(a);
  return `${w.want} ${w.why}${w.exact ? `\n${w.exact}` : ''}`;
}

/** An argv as one line a person reads: an argument with spaces, quotes or shell syntax JSON-quoted, so `a;b` never looks like two commands. */
export function argvLine(argv: readonly string[]): string {
  return argv.map((x) => (x === '' || /[\s"'\\$`|&;<>(){}*?[\]#~!]/.test(x) ? JSON.stringify(x) : x)).join(' ');
}

function wantOf(a: ApprovalFacts): string {
  switch (a.kind) {
    case 'edit': {
      const e = a.edit;
      if (!e) return `Torbit wants to edit ${a.title}.`;
      if (e.created) return `Torbit wants to create ${e.path} (${count(e.hunks.reduce((n, h) => n + h.added, 0), 'line')}).`;
      return `Torbit wants to edit ${e.path} (${count(e.hunks.length, 'change')}).`;
    }
    case 'command': {
      const c = a.command;
      if (!c) return `Torbit wants to run ${a.title}.`;
      return `Torbit wants to run ${argvLine(c.argv)} ${c.cwd === '.' || c.cwd === '' ? 'in the workspace' : `in ${c.cwd}`}.`;
    }
    case 'read': return `Torbit wants to read ${a.title}.`;
    case 'ship': return `Torbit wants to start ${article(a.title)} with EAS.`;
  }
}

const CATEGORY_NOUN: Record<PolicyCategory, string> = { read: 'reads', edit: 'edits', command: 'commands', network: 'network access', ship: 'shipping' };

function whyOf(w: AskWhy | undefined): string {
  if (!w) return 'Your policy asks.';
  switch (w.kind) {
    case 'category': return w.inside
      ? `Your policy asks before ${CATEGORY_NOUN[w.category]}.`
      : `It is outside the workspace, and your policy asks before ${CATEGORY_NOUN[w.category]} there.`;
    case 'protected': return `${w.path} is a protected file (${w.glob}): your policy always asks.`;
    case 'rule': return w.match === 'read-only-git'
      ? `Your policy has a rule to ask before read-only ${argvLine(w.argv)}${w.note ? ` (${w.note})` : ''}.`
      : `Your policy has a rule to ask before ${argvLine(w.argv)}${w.match === 'prefix' ? ' …' : ''}${w.note ? ` (${w.note})` : ''}.`;
    case 'shell-syntax': return `It uses shell syntax (${w.syntax.join(' ')}), which always asks.`;
    case 'shell': return `${w.program} is a shell and can run anything, so it always asks.`;
    case 'wrapper': return `${w.program} runs another program, so it always asks.`;
    case 'env-assignment': return `It sets an environment variable before the program (${w.program}), which always asks.`;
    case 'program-path': return `The program is given by path (${w.program}), which no rule matches, so it asks.`;
    case 'auto-limit': return `After ${w.count} automatic approvals in this run, your policy asks again (limit ${w.limit}).`;
    case 'cost-limit': return `This run has cost $${w.costUsd.toFixed(2)}, so your policy asks again (limit $${w.limitUsd}).`;
    case 'policy-refused': return `${REFUSED[w.cause]} (${w.detail}), so every action asks.`;
    case 'no-change': return 'It changes nothing.';
  }
}

const REFUSED: Record<Extract<AskWhy, { kind: 'policy-refused' }>['cause'], string> = {
  'invalid-json': 'Your policy file is not valid JSON',
  invalid: 'Your policy file is invalid',
  'pin-mismatch': 'Your policy file does not match the sha256 pinned in torbit.policyHash',
  mode: 'Your policy approves everything, which this mode refuses',
};

function exactOf(c: NonNullable<ApprovalFacts['command']>): string {
  return `Exactly: ${JSON.stringify(c.argv)} in ${c.cwdAbs ?? c.cwd}`;
}

/**
 * One hunk in words, for its lens: "+3 −1 in greet()", "+3 −1 at line 12" (no enclosing name
 * found), "−4 in greet()" (a deletion), "new file, 12 lines".
 */
export function hunkWords(h: HunkView, o: { created?: boolean } = {}): string {
  if (o.created) return `new file, ${count(h.added, 'line')}`;
  const change = [h.added ? `+${h.added}` : '', h.removed ? `−${h.removed}` : ''].filter(Boolean).join(' ');
  return `${change} ${h.scope ? `in ${h.scope}` : `at line ${h.line + 1}`}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "an iOS build (production)", "a build": the article a spoken sentence would use. */
function article(what: string): string {
  return `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
}
