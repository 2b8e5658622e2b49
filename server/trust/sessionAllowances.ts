// "Allow for this session": the person, on an approval, allows the same kind of action for the rest
// of that chat session. The backend computes the scope before the person decides (it is shown on
// the button), and only where the policy merely asks because of its category: an action the policy
// asks about for any other reason (a protected path, an explicit `ask` rule, shell syntax, a
// shell, a wrapper, a program given by path, a refused policy, a limit) or denies is never
// coverable, and that is checked again, against the policy in force, at every use. Allowances
// live in the backend's memory only: a repository cannot plant one, and a new backend has none.
import { randomUUID } from 'node:crypto';
import type { AllowanceView, SessionScope } from '../protocol';
import { formatArgv } from './commandLine';
import { decide, type Action, type LoadedPolicy, type RunTally } from './policy';

/** The categories an allowance can cover (never network or ship). */
const COVERABLE = new Set(['read', 'edit', 'command']);

/**
 * Whether a session allowance may turn this action's `ask` into `allow`: the policy asks, and it
 * would allow if only the category (inside the workspace) allowed. So an allowance can never
 * reach past what decide() asks about because of the category alone.
 */
export function coverable(lp: LoadedPolicy, a: Action, tally?: RunTally): boolean {
  if (!COVERABLE.has(a.category) || !a.inside || lp.error) return false;
  if (decide(lp, a, tally).decision !== 'ask') return false;
  const categories = { ...lp.policy.categories, [a.category]: { ...lp.policy.categories[a.category], inside: 'allow' as const } };
  return decide({ ...lp, policy: { ...lp.policy, categories } }, a, tally).decision === 'allow';
}

/**
 * The scope "Allow for this session" would have for this action, or undefined where it is not
 * offered. Commands: the program and its leading words up to the first option (at most three,
 * `git status --short` → `git status …`); a command with fewer than two such words is allowed
 * exactly as it is (`ls -la`, never every `ls`). Files: the same tool on the same path.
 */
export function proposeScope(lp: LoadedPolicy, tool: string, a: Action, tally?: RunTally): SessionScope | undefined {
  if (!coverable(lp, a, tally)) return undefined;
  if (a.category === 'command') {
    const words: string[] = [];
    for (const t of a.argv) {
      if (t.startsWith('-') || words.length === 3) break;
      words.push(t);
    }
    const exact = words.length < 2;
    const argvPrefix = exact ? [...a.argv] : words;
    return { kind: 'command', tool, argvPrefix, exact, label: exact ? formatArgv(argvPrefix) : `${formatArgv(argvPrefix)} …` };
  }
  if (a.category === 'read' || a.category === 'edit') return { kind: 'file', tool, path: a.path, label: `${tool} on ${a.path}` };
  return undefined;
}

/** Whether a scope names this action (the policy's part is coverable()'s). */
export function scopeCovers(s: SessionScope, tool: string, a: Action): boolean {
  if (s.tool !== tool) return false;
  if (s.kind === 'command') {
    if (a.category !== 'command') return false;
    const p = s.argvPrefix;
    if (s.exact ? a.argv.length !== p.length : a.argv.length < p.length) return false;
    return p.every((t, i) => a.argv[i] === t);
  }
  return (a.category === 'read' || a.category === 'edit') && a.path === s.path;
}

interface Allowance {
  id: string;
  sessionId: string;
  scope: SessionScope;
  approvalId: string;
  createdAt: string;
  uses: number;
}

/** The allowances of one backend, by chat session. */
export class SessionAllowances {
  private readonly all = new Map<string, Allowance>();

  /** `changed` hears every change (given, used, revoked) with all the allowances now in force. */
  constructor(private readonly changed: (all: AllowanceView[]) => void = () => undefined) {}

  add(sessionId: string, scope: SessionScope, approvalId: string): AllowanceView {
    const a: Allowance = { id: randomUUID(), sessionId, scope, approvalId, createdAt: new Date().toISOString(), uses: 0 };
    this.all.set(a.id, a);
    this.changed(this.list());
    return { ...a };
  }

  /** The allowance that lets this action run without asking now, if any (counted as a use). */
  use(sessionId: string | null, tool: string, a: Action, lp: LoadedPolicy, tally?: RunTally): AllowanceView | undefined {
    if (sessionId === null || !coverable(lp, a, tally)) return undefined;
    const found = [...this.all.values()].find((x) => x.sessionId === sessionId && scopeCovers(x.scope, tool, a));
    if (!found) return undefined;
    found.uses++;
    this.changed(this.list());
    return { ...found };
  }

  list(sessionId?: string): AllowanceView[] {
    return [...this.all.values()].filter((a) => !sessionId || a.sessionId === sessionId).map((a) => ({ ...a }));
  }

  /** Removes an allowance; returns it, or undefined when there is none with that id. */
  revoke(id: string): AllowanceView | undefined {
    const a = this.all.get(id);
    if (!a) return undefined;
    this.all.delete(id);
    this.changed(this.list());
    return { ...a };
  }
}
