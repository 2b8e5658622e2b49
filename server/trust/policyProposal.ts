// "Always allow…": the rule for .torbit/policy.json that a person's approval proposes, and the
// file as it would read with it. Pure: the file as it is (or none) and the approval's session
// scope in, the new text out; reading, writing, auditing and accepting are policyRule.ts's.
//
// Why appending can never widen past the policy: rules are matched first-match-wins
// (policy.ts decide()), so a rule added at the END of `commands` decides only commands no
// existing rule matches. An existing deny or ask rule (`git push …` asks) still wins for
// everything it covers. And decide() refuses or asks before it looks at any rule for a denied
// category, shell syntax, a shell, a wrapper, an environment assignment or a program given by
// path, and its limits still apply after a rule allows. So the new rule can only turn the
// category's own `ask` into `allow` for exactly the commands the session scope names, which is
// where the scope was offered at all (sessionAllowances.ts coverable()).
import { isDeepStrictEqual } from 'node:util';
import { parseTree, type Node } from 'jsonc-parser';
import { describeZodError, type SessionScope } from '../protocol';
import { DEFAULT_POLICY, Policy } from './policy';

export type CommandRule = Policy['commands'][number];
export type CommandScope = Extract<SessionScope, { kind: 'command' }>;

/** The file cannot take a rule (not JSON, not a valid policy): nothing is proposed. */
export class PolicyProposalError extends Error {}

export interface RuleProposal {
  /** The file as it is; null when there is none (the built-in default is written out). */
  before: string | null;
  /** What the rule is added to: the file as it is, or the built-in default written out (a diff's left side). */
  baseline: string;
  after: string;
  rule: CommandRule;
}

/** The built-in default as a file would hold it. */
export function defaultPolicyText(): string {
  return `${pretty(DEFAULT_POLICY)}\n`;
}

/** The rule matching exactly the scope: the same tokens, as a prefix or as the whole argv. */
export function ruleFor(scope: CommandScope, o: { by: string; date: string }): CommandRule {
  return { match: scope.exact ? 'exact' : 'prefix', argv: [...scope.argvPrefix], decision: 'allow', note: `added by ${o.by} from an approval on ${o.date}` };
}

/**
 * The policy file with the scope's rule appended to `commands`. The file's own text is kept
 * and the rule inserted after its last rule, so the diff shows the rule alone; a file whose shape
 * defeats that (a duplicate key, say) is written out whole instead. With no file, the built-in
 * default is written out with the rule. Refuses (PolicyProposalError) a file that is not a valid
 * policy: it is refused by the backend anyway, and a rule cannot repair it.
 */
export function proposePolicyRule(current: string | null, scope: CommandScope, o: { by: string; date: string }): RuleProposal {
  const rule = ruleFor(scope, o);
  if (current === null) return { before: null, baseline: defaultPolicyText(), after: `${pretty({ ...DEFAULT_POLICY, commands: [...DEFAULT_POLICY.commands, rule] })}\n`, rule };
  let raw: unknown;
  try {
    raw = JSON.parse(current);
  } catch (err) {
    throw new PolicyProposalError(`.torbit/policy.json is not valid JSON (${(err as Error).message}); fix it before adding a rule`);
  }
  const parsed = Policy.safeParse(raw);
  if (!parsed.success) throw new PolicyProposalError(`.torbit/policy.json is invalid (${describeZodError(parsed.error)}); fix it before adding a rule`);
  const expected = { ...(raw as Record<string, unknown>), commands: [...parsed.data.commands, rule] };
  const inserted = insertRule(current, rule);
  // The text edit is checked against what it must mean; anything else is written out whole.
  const after = inserted !== undefined && means(inserted, expected) ? inserted : `${pretty(expected)}\n`;
  return { before: current, baseline: current, after, rule };
}

function means(text: string, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), expected);
  } catch {
    return false;
  }
}

/** The text with the rule on a line of its own after the last one, indented like it; undefined when the file's shape is unusual. */
function insertRule(text: string, rule: CommandRule): string | undefined {
  const tree = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  if (tree?.type !== 'object') return undefined;
  // JSON.parse keeps the last of duplicate keys, and so does this.
  const prop = tree.children?.filter((p) => p.children?.[0]?.value === 'commands').at(-1);
  const arr = prop?.children?.[1];
  if (!prop || arr?.type !== 'array') return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const line = inline(rule);
  const items = arr.children ?? [];
  const last = items.at(-1);
  if (last) {
    const indent = indentOf(text, last);
    const end = last.offset + last.length;
    return indent === undefined
      ? `${text.slice(0, end)}, ${line}${text.slice(end)}`
      : `${text.slice(0, end)},${eol}${indent}${line}${text.slice(end)}`;
  }
  // An empty array: the rule goes on its own line, one step in from the property.
  const propIndent = indentOf(text, prop) ?? '';
  const step = /^[ \t]+/m.exec(text.slice(text.indexOf(eol) + eol.length))?.[0] ?? '  ';
  const open = arr.offset + 1;
  const close = arr.offset + arr.length - 1;
  return `${text.slice(0, open)}${eol}${propIndent}${step}${line}${eol}${propIndent}${text.slice(close)}`;
}

/** The whitespace before a node when it starts its own line, else undefined. */
function indentOf(text: string, node: Node): string | undefined {
  const start = text.lastIndexOf('\n', node.offset - 1) + 1;
  const before = text.slice(start, node.offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** JSON on one line, spaced as people write it: `{ "match": "prefix", "argv": ["npm", "test"] }`. */
function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v);
}

/**
 * A whole policy, two spaces a level, each value on one line where it fits, and a rule on one
 * line however long (as docs/policy.md shows it).
 */
export function pretty(v: unknown, indent = '', inArray = false): string {
  const one = inline(v);
  if (indent.length + one.length <= 110 || !v || typeof v !== 'object' || (inArray && flat(v))) return one;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => `${inner}${pretty(x, inner, true)}`).join(',\n')}\n${indent}]`;
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`).join(',\n')}\n${indent}}`;
}

/** An object of plain values and lists of them (a command rule). */
function flat(v: object): boolean {
  return !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x !== 'object' || (Array.isArray(x) && x.every((y) => y === null || typeof y !== 'object')));
}
