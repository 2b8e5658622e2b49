// What a policy loosens compared with the built-in default: everything it would let happen with
// less asking. A repository's own .torbit/policy.json that loosens anything applies only once the
// person has accepted that exact file (policyAcceptance.ts); one that only tightens applies at once.
//
// The definition (docs/policy.md, "A repository's own policy"):
// - a category, inside or outside the workspace, whose decision is more permissive than the
//   default's (deny < ask < allow);
// - a command whose verdict is more permissive than the default's. Rules are compared by their
//   effect, not their text: both policies judge one representative argv for every way an argv can
//   relate to the rules of either (each rule's argv, and each rule's argv with one more token that
//   no rule names), which covers every possible command, since first-match depends only on which
//   rule argvs are token-prefixes of (or equal to) the command;
// - a protected glob of the default's that the policy does not list verbatim;
// - a limit that asks again later than the default's, or never (0) where the default asks.
import { formatArgv } from './commandLine';
import { CATEGORIES, DEFAULT_POLICY, decide, ruleMatches, type Category, type Decision, type LoadedPolicy, type Policy } from './policy';

const RANK: Record<Decision, number> = { deny: 0, ask: 1, allow: 2 };

const WHAT: Record<Category, string> = {
  read: 'reading files', edit: 'editing files', command: 'running commands', network: 'network actions', ship: 'builds and store submissions',
};

const VERDICT: Record<Decision, string> = { allow: 'run without asking', ask: 'ask first', deny: 'are refused' };

/** Each way `p` is looser than `base`, in words a person reads at a glance; empty: it only tightens (or equals). */
export function loosenings(p: Policy, base: Policy = DEFAULT_POLICY): string[] {
  return [...categoryLoosenings(p, base), ...commandLoosenings(p, base), ...protectionLoosenings(p, base), ...limitLoosenings(p, base)];
}

function categoryLoosenings(p: Policy, base: Policy): string[] {
  const out: string[] = [];
  for (const c of CATEGORIES) {
    for (const where of ['inside', 'outside'] as const) {
      const mine = p.categories[c][where];
      const theirs = base.categories[c][where];
      if (RANK[mine] > RANK[theirs]) out.push(`${WHAT[c]} ${where} the workspace: ${word(mine)} (the default: ${word(theirs)})`);
    }
  }
  return out;
}

function word(d: Decision): string {
  return d === 'allow' ? 'allowed without asking' : d === 'ask' ? 'asks first' : 'refused';
}

function commandLoosenings(p: Policy, base: Policy): string[] {
  const mine = asLoaded(p);
  const theirs = asLoaded(base);
  const argvs = [...p.commands, ...base.commands].map((r) => r.argv);
  const other = unnamedToken(argvs);
  // A read-only-git rule matches some argvs after its own and not others (an option outside its
  // table): `--<other>` stands for the ones it does not match.
  const representatives = argvs.flatMap((a) => [a, [...a, other], [...a, `--${other}`]]);
  // One line per rule responsible (the policy's own, else the default's it dropped), with the
  // default's own rules it overrides as examples.
  const found = new Map<string, { rule: Rule; inside: boolean; verdict: Decision; was: Decision; examples: Set<string> }>();
  for (const inside of [true, false]) {
    for (const argv of representatives) {
      const a = decide(mine, { category: 'command', argv, inside }).decision;
      const b = decide(theirs, { category: 'command', argv, inside }).decision;
      if (RANK[a] <= RANK[b]) continue;
      const own = firstRule(p, argv);
      const rule = own ?? firstRule(base, argv);
      // Without a rule of either policy, the category decided: reported with the categories.
      if (!rule) continue;
      const key = `${inside}:${own ? 'own' : 'default'}:${(own ? p : base).commands.indexOf(rule)}`;
      const entry = found.get(key) ?? { rule, inside, verdict: a, was: b, examples: new Set<string>() };
      found.set(key, entry);
      const overridden = own && firstRule(base, argv);
      if (overridden && !sameRule(overridden, rule)) entry.examples.add(shownRule(overridden));
    }
  }
  return [...found.values()].map(({ rule, inside, verdict, was, examples }) => {
    const also = examples.size ? `, which covers ${[...examples].map((e) => `\`${e}\``).join(', ')}` : '';
    return `commands \`${shownRule(rule)}\`${inside ? '' : ' outside the workspace'} ${VERDICT[verdict]} (the default: they ${VERDICT[was]}${also})`;
  });
}

type Rule = Policy['commands'][number];

function shownRule(r: Rule): string {
  return r.match === 'prefix' ? `${formatArgv(r.argv)} …` : r.match === 'read-only-git' ? `${formatArgv(r.argv)} (read-only options)` : formatArgv(r.argv);
}

function sameRule(a: Rule, b: Rule): boolean {
  return a.match === b.match && a.argv.length === b.argv.length && a.argv.every((t, i) => t === b.argv[i]);
}

function asLoaded(policy: Policy): LoadedPolicy {
  return { policy, hash: '', source: 'file' };
}

function firstRule(p: Policy, argv: readonly string[]): Rule | undefined {
  return p.commands.find((r) => ruleMatches(r, argv));
}

/** A plain token no rule names: it stands for "any further argument". */
function unnamedToken(argvs: readonly (readonly string[])[]): string {
  const used = new Set(argvs.flat());
  let t = 'torbit-any-other-argument';
  while (used.has(t)) t += '-';
  return t;
}

function protectionLoosenings(p: Policy, base: Policy): string[] {
  const kept = new Set(p.protectedPaths);
  return base.protectedPaths.filter((g) => !kept.has(g)).map((g) => `\`${g}\` is no longer protected (reading or editing it would not always ask)`);
}

function limitLoosenings(p: Policy, base: Policy): string[] {
  const out: string[] = [];
  const eff = (n: number) => (n === 0 ? Infinity : n);
  const { askAfterAutoApproved: a, askAfterCostUsd: c } = p.limits;
  const { askAfterAutoApproved: da, askAfterCostUsd: dc } = base.limits;
  if (eff(a) > eff(da)) out.push(`${a === 0 ? 'no limit on automatically approved actions in a run' : `asks again only after ${a} automatically approved actions`} (the default: after ${da})`);
  if (eff(c) > eff(dc)) out.push(`${c === 0 ? 'no cost limit on a run' : `asks again only once a run has cost $${c}`} (the default: at $${dc})`);
  return out;
}
