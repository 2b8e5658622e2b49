// The skills of one turn: the index the system prompt carries, the skills use_skill loaded, and
// what their contracts hold the rest of the turn to. Checked before the policy is asked, and only
// ever narrowing: a refusal here ends the call; a pass here still goes to the policy, which
// decides as it always does (an `ask` still asks).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Proposal } from '../agent/tools/spec';
import { ToolError } from '../agent/workspace';
import type { Decision } from '../trust/policy';
import { normalizeToken, sha256File, type Contract } from './contract';
import { discoverSkills, rereadSkill, type DiscoverOptions, type Skill } from './discover';
import type { SkillRecord } from './record';

export const USE_SKILL = 'use_skill';

/** A folder the read tools may read for one skill in use: the person's own skill, read-only. */
export interface ReadOnlyRoot {
  /** How the tools name it: `~/.agents/skills/<name>`. */
  prefix: string;
  /** Its real path. */
  path: string;
}

/** What a contract holds a command to when it runs. */
export interface CommandLimits {
  skills: string[];
  timeoutMs: number;
  memoryMB: number;
  /** The script is a Node program: its heap is capped too (--max-old-space-size). */
  node: boolean;
}

export interface SkillSessionOptions {
  discover: DiscoverOptions;
  /** A skill was loaded (audited by the caller). */
  onLoad?: (skill: Skill, toolCallId: string) => void;
  /**
   * A replay: the skills as recorded when the turn ran, served instead of what the disk holds now
   * (each still checked, its scripts fingerprinted against the replay's files).
   */
  recorded?: Skill[];
}

const inside = (dir: string, p: string) => {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** `p` resolved from `cwd`, through symbolic links where it exists. */
function realOf(cwd: string, p: string): string {
  const abs = path.resolve(cwd, p);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

export class SkillSession {
  private readonly catalog: Skill[];
  private readonly active = new Map<string, Skill>();

  constructor(private readonly o: SkillSessionOptions) {
    this.catalog = o.recorded ?? discoverSkills(o.discover);
  }

  /** Every skill found (valid or not), for the list. */
  all(): readonly Skill[] {
    return this.catalog;
  }

  /** What the system prompt names: the skills that can be loaded (valid, not shadowed). */
  index(): { name: string; description: string }[] {
    return this.catalog.filter((s) => s.view.valid && !s.view.shadowedBy).map((s) => ({ name: s.view.name, description: s.view.description ?? '' }));
  }

  /** The loadable skill of that name (for use_skill's proposal), or undefined. */
  find(name: string): Skill | undefined {
    return this.catalog.find((s) => s.view.name === name && !s.view.shadowedBy && s.view.valid)
      ?? this.catalog.find((s) => s.view.name === name);
  }

  /**
   * Loads a skill for the rest of the turn: read again from its folder (it may have changed since
   * the turn started), and refused with its codes when it is not valid now.
   */
  use(name: string, toolCallId: string): Skill {
    const listed = this.find(name);
    if (!listed) {
      const names = this.index().map((s) => s.name);
      throw new ToolError(`there is no skill ${JSON.stringify(name)}${names.length ? `; the skills are: ${names.join(', ')}` : '; no skill is available in this workspace'}`);
    }
    const skill = this.o.recorded ? listed : rereadSkill(listed, this.o.discover) ?? listed;
    if (!skill.view.valid || skill.body === undefined) {
      throw new ToolError(`the skill ${name} is invalid and was not loaded: ${skill.view.problems.map((p) => `${p.code} (${p.field}): ${p.message}`).join('; ') || 'it could not be read'}`);
    }
    if (skill.view.shadowedBy) throw new ToolError(`the skill ${name} at ${skill.view.path} is shadowed by ${skill.view.shadowedBy}, which is the one used`);
    this.active.set(name, skill);
    this.o.onLoad?.(skill, toolCallId);
    return skill;
  }

  inUse(): Skill[] {
    return [...this.active.values()];
  }

  /** The loaded skills as the turn's checkpoint records them (replay serves these texts). */
  loaded(): SkillRecord[] {
    return this.inUse().map((s) => ({ name: s.view.name, scope: s.view.scope, path: s.view.path, sha256: s.view.sha256 ?? '', text: s.text ?? '' }));
  }

  /** The person's own skills in use: their folders are readable (read-only) while they are. */
  readOnlyRoots(): ReadOnlyRoot[] {
    return this.inUse().filter((s) => s.view.scope === 'user').map((s) => ({ prefix: s.displayDir, path: s.dir }));
  }

  /**
   * The tools to offer, from `offered`, while skills declaring allowed-tools are in use (their
   * union, and use_skill); undefined when none narrows. Never a tool that is not offered.
   */
  activeTools(offered: readonly string[]): string[] | undefined {
    const allowed = this.allowed();
    return allowed ? offered.filter((t) => t === USE_SKILL || allowed.has(t)) : undefined;
  }

  private allowed(): Set<string> | undefined {
    const narrowing = this.inUse().filter((s) => s.view.allowedTools !== null);
    return narrowing.length ? new Set(narrowing.flatMap((s) => s.view.allowedTools ?? [])) : undefined;
  }

  private contracts(): (Skill & { contract: Contract })[] {
    return this.inUse().filter((s): s is Skill & { contract: Contract } => s.contract !== undefined);
  }

  /**
   * Why this call is refused before the policy sees it, or undefined when the skills in use allow
   * it (the policy then decides). `network`: the policy's decision on network inside the workspace.
   */
  check(call: { tool: string; proposal: Proposal }, network: () => Decision): string | undefined {
    if (call.tool === USE_SKILL) return undefined;
    const allowed = this.allowed();
    const names = (list: Skill[]) => list.map((s) => s.view.name).join(', ');
    if (allowed && !allowed.has(call.tool)) {
      return `${call.tool} is not among the allowed-tools of the skill(s) in use (${names(this.inUse().filter((s) => s.view.allowedTools !== null))}): while they are in use, only ${[...allowed].sort().join(', ') || 'no tool'} and use_skill are offered`;
    }
    const p = call.proposal;
    if (p.kind === 'command') {
      // A contract skill's script never runs outside its contract.
      for (const s of this.catalog) {
        if (!s.contract || this.active.has(s.view.name) || s.view.shadowedBy) continue;
        if (p.argv.some((t) => inside(path.join(s.dir, 'scripts'), realOf(p.cwd.abs, t)))) {
          return `this command runs a script of the skill ${s.view.name}, which has a contract: call use_skill ${s.view.name} first, so that its contract applies`;
        }
      }
    }
    const contracts = this.contracts();
    if (!contracts.length) return undefined;
    const category = p.kind;
    // A skill in use reads its own files whatever it declares.
    if (p.kind === 'read' && this.inUse().some((s) => p.path === s.displayDir || p.path.startsWith(`${s.displayDir}/`))) return undefined;
    const cats = new Set(contracts.flatMap((s) => s.contract.categories));
    if (!cats.has(category)) {
      return `while the skill(s) ${names(contracts)} are in use, ${category === 'read' ? 'reading' : category === 'edit' ? 'editing' : 'running a command'} is outside their declared permissions (${[...cats].join(', ') || 'none'})`;
    }
    if (p.kind !== 'command') return undefined;
    const matched = contracts.filter((s) => s.contract.commands.some((prefix) => this.covers(s, prefix, p.argv, p.cwd.abs)));
    if (!matched.length) {
      const declared = contracts.flatMap((s) => s.contract.commands.map((c) => `[${c.join(' ')}]`));
      return `[${p.argv.join(' ')}] is not among the commands the skill(s) ${names(contracts)} declare (${declared.join(', ') || 'none'}): while they are in use, only those run`;
    }
    const changed = this.changedScript(matched, p.argv, p.cwd.abs);
    if (changed) return changed;
    if (matched.some((s) => s.contract.categories.includes('network')) && network() === 'deny') {
      return `the skill(s) ${names(matched.filter((s) => s.contract.categories.includes('network')))} declare network, and the policy denies network: a declared permission never widens the policy`;
    }
    return undefined;
  }

  /**
   * Just before a command runs: the limits of the contracts that cover it (none in use:
   * undefined), its scripts' fingerprints checked once more (a ToolError if one changed).
   */
  prepare(argv: readonly string[], cwd: string): CommandLimits | undefined {
    const contracts = this.contracts();
    if (!contracts.length) return undefined;
    const matched = contracts.filter((s) => s.contract.commands.some((prefix) => this.covers(s, prefix, argv, cwd)));
    if (!matched.length) throw new ToolError(`[${argv.join(' ')}] is not among the commands of the skills in use`);
    const changed = this.changedScript(matched, argv, cwd);
    if (changed) throw new ToolError(changed);
    const scripts = matched.flatMap((s) => s.contract.scripts.filter((sc) => this.covers(s, sc.run, argv, cwd)));
    return {
      skills: matched.map((s) => s.view.name),
      timeoutMs: Math.min(...matched.map((s) => s.contract.limits.maxSeconds)) * 1000,
      memoryMB: Math.min(...matched.map((s) => s.contract.limits.maxMemoryMB)),
      node: scripts.some((sc) => sc.runtime.name.toLowerCase() === 'node') || path.basename(argv[0] ?? '') === 'node',
    };
  }

  /**
   * Whether `argv` (run in `cwd`) starts with a contract prefix of `skill`: plain tokens equal, a
   * path-like token (with a `/`) the same file of the skill's folder however the argv names it.
   */
  private covers(skill: Skill, prefix: readonly string[], argv: readonly string[], cwd: string): boolean {
    if (prefix.length > argv.length) return false;
    return prefix.every((t, i) => {
      const a = argv[i]!;
      return t.includes('/') ? realOf(cwd, a) === realOf(skill.dir, normalizeToken(t)) : t === a;
    });
  }

  /** Why a script the command runs no longer matches its contract's sha256, if one does not. */
  private changedScript(skills: (Skill & { contract: Contract })[], argv: readonly string[], cwd: string): string | undefined {
    for (const s of skills) {
      for (const sc of s.contract.scripts) {
        const abs = path.join(s.dir, sc.path);
        if (!argv.some((t) => realOf(cwd, t) === realOf(s.dir, sc.path))) continue;
        let now: string;
        try {
          now = sha256File(abs);
        } catch {
          return `${sc.path} of the skill ${s.view.name} is gone since it was loaded`;
        }
        if (now !== sc.sha256) return `${sc.path} of the skill ${s.view.name} changed since it was loaded (its sha256 is now ${now}, the contract says ${sc.sha256}): it is not run`;
      }
    }
    return undefined;
  }
}
