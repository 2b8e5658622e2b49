// Where skills come from and how each is read: `.agents/skills/`, `.claude/skills/`,
// `.github/skills/` and `.torbit/skills/` in each workspace folder, and the person's own
// `~/.agents/skills/`. Every file is read through confinement: a skill folder or SKILL.md that a
// symbolic link takes out of its source folder is refused, listed with its error, never read.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfinementError, realInside } from '../confine';
import type { SkillProblem, SkillView } from '../protocol';
import { checkContract, type Contract } from './contract';
import { allowedToolsOf, parseSkillFile, schemaProblem, type FrontMatter } from './frontMatter';

export const WORKSPACE_SOURCES = ['.agents/skills', '.claude/skills', '.github/skills', '.torbit/skills'] as const;
/** How the person's own folder is shown (and how the model names its files). */
export const USER_SOURCE = '~/.agents/skills';

const MAX_SKILL_BYTES = 256 * 1024;
const MAX_SKILLS_PER_SOURCE = 200;

/** The person's own skills folder. */
export function userSkillsDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.HOME || env.USERPROFILE || os.homedir(), '.agents', 'skills');
}

/** A workspace folder, as the tools name it (server/agent/workspace.ts Root). */
export interface SkillRoot {
  name: string;
  path: string;
}

/** Workspace folders named as the tools name them (server/agent/workspace.ts Workspace.open). */
export function namedRoots(folders: readonly string[]): SkillRoot[] {
  const taken = new Set<string>();
  return folders.map((f) => {
    let name = path.basename(f) || 'root';
    for (let i = 2; taken.has(name); i++) name = `${path.basename(f)}-${i}`;
    taken.add(name);
    return { name, path: f };
  });
}

export interface DiscoverOptions {
  roots: readonly SkillRoot[];
  /** The person's own folder (userSkillsDir), or null to leave it out. */
  userDir: string | null;
  /** False in restricted mode: the repository's skills are not loaded. */
  includeWorkspace: boolean;
  /** The tools Torbit has (allowed-tools names only these). */
  knownTools: readonly string[];
}

/** A skill as found: its view for the surfaces, and what loading it needs. */
export interface Skill {
  view: SkillView;
  /** The skill's folder (real path). */
  dir: string;
  /** How the tools name that folder: `.agents/skills/pdf`, `app/.agents/skills/pdf`, `~/.agents/skills/pdf`. */
  displayDir: string;
  /** SKILL.md's text and body, when it was read and is valid. */
  text?: string;
  body?: string;
  frontMatter?: FrontMatter;
  contract?: Contract;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

interface Place {
  scope: 'workspace' | 'user';
  source: string;
  folder: string | null;
  /** The source folder (not resolved). */
  base: string;
  /** What the source folder must stay inside once resolved. */
  confine: string;
  /** Display prefix of the source folder. */
  display: string;
}

/** Reads and checks one skill folder (`name` under `place`). */
function readSkill(place: Place, name: string, knownTools: readonly string[]): Skill {
  const displayDir = `${place.display}/${name}`;
  const view: SkillView = {
    name, description: null, scope: place.scope, source: place.source, folder: place.folder, path: `${displayDir}/SKILL.md`,
    sha256: null, valid: false, problems: [], contract: null, allowedTools: null, shadowedBy: null,
  };
  const invalid = (problems: SkillProblem[], dir = path.join(place.base, name)): Skill => ({ view: { ...view, problems }, dir, displayDir });
  let dir: string;
  let file: string;
  try {
    dir = realInside(place.confine, path.join(place.base, name));
    if (!fs.statSync(dir).isDirectory()) return invalid([schemaProblem('SKILL.md', `${displayDir} is not a folder: a skill is a folder holding SKILL.md`)]);
    if (!fs.existsSync(path.join(dir, 'SKILL.md'))) return invalid([schemaProblem('SKILL.md', `${displayDir} has no SKILL.md: write one, with name: ${name} and a description: in its front matter`)], dir);
    file = realInside(dir, path.join(dir, 'SKILL.md'));
  } catch (err) {
    if (!(err instanceof ConfinementError)) throw err;
    return invalid([schemaProblem('SKILL.md', `${displayDir} leads outside ${place.scope === 'user' ? 'your skills folder' : 'the workspace folder'} through a symbolic link (${err.reason}): it is not read; put the skill itself there`)]);
  }
  const st = fs.statSync(file);
  if (!st.isFile()) return invalid([schemaProblem('SKILL.md', `${view.path} is not a file`)], dir);
  if (st.size > MAX_SKILL_BYTES) return invalid([schemaProblem('SKILL.md', `${view.path} is ${st.size} bytes, over ${MAX_SKILL_BYTES}: move detail into references/`)], dir);
  return evaluateSkill(view, dir, displayDir, fs.readFileSync(file), knownTools);
}

/** Checks SKILL.md's bytes for the skill folder `dir` (real path): front matter, then contract. */
export function evaluateSkill(base: SkillView, dir: string, displayDir: string, bytes: Buffer, knownTools: readonly string[]): Skill {
  const view: SkillView = { ...base, sha256: sha256(bytes), problems: [] };
  const text = bytes.toString('utf8');
  const parsed = parseSkillFile(text, view.name);
  if (!parsed.ok) return { view: { ...view, problems: parsed.problems }, dir, displayDir };
  const fm = parsed.parsed.frontMatter;
  view.description = fm.description;
  view.allowedTools = allowedToolsOf(fm, knownTools);
  const raw = fm.metadata?.torbit;
  const checked = raw === undefined ? { problems: [] } : checkContract(raw, dir);
  if (checked.problems.length) return { view: { ...view, problems: checked.problems }, dir, displayDir, frontMatter: fm };
  const c = checked.contract;
  if (c) {
    view.contract = {
      version: c.version, permissions: { categories: c.categories, commands: c.commands }, sideEffects: c.sideEffects, limits: c.limits,
      scripts: c.scripts.map((s) => ({ path: s.path, sha256: s.sha256, runtime: `${s.runtime.name} ${s.runtime.version}`, run: s.run })),
    };
  }
  view.valid = true;
  return { view, dir, displayDir, text, body: parsed.parsed.body, frontMatter: fm, ...(c ? { contract: c } : {}) };
}

function places(o: DiscoverOptions): Place[] {
  const out: Place[] = [];
  // The person's own first: a repository cannot replace one of their skills by naming its own alike.
  // Their skill folders may be links to wherever they keep them (their choice); each SKILL.md must
  // still be in its folder, and the tools read only inside that folder.
  if (o.userDir) out.push({ scope: 'user', source: USER_SOURCE, folder: null, base: o.userDir, confine: path.parse(path.resolve(o.userDir)).root, display: USER_SOURCE });
  if (o.includeWorkspace) {
    for (const r of o.roots) {
      for (const s of WORKSPACE_SOURCES) {
        out.push({ scope: 'workspace', source: s, folder: r.path, base: path.join(r.path, s), confine: r.path, display: o.roots.length > 1 ? `${r.name}/${s}` : s });
      }
    }
  }
  return out;
}

/** Every skill of every source, in precedence order; a later valid skill of a taken name is shadowed. */
export function discoverSkills(o: DiscoverOptions): Skill[] {
  const all: Skill[] = [];
  for (const p of places(o)) {
    if (!fs.lstatSync(p.base, { throwIfNoEntry: false })) continue;
    let real: string;
    try {
      real = realInside(p.confine, p.base);
    } catch (err) {
      if (!(err instanceof ConfinementError)) throw err;
      all.push({
        view: {
          name: path.basename(p.display), description: null, scope: p.scope, source: p.source, folder: p.folder, path: p.display, sha256: null, valid: false,
          problems: [schemaProblem('SKILL.md', `${p.display} leads outside the workspace folder through a symbolic link (${err.reason}): none of its skills is read`)],
          contract: null, allowedTools: null, shadowedBy: null,
        },
        dir: p.base, displayDir: p.display,
      });
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(real, { withFileTypes: true }).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort();
    } catch {
      continue;
    }
    for (const n of names.slice(0, MAX_SKILLS_PER_SOURCE)) {
      try {
        all.push(readSkill(p, n, o.knownTools));
      } catch (err) {
        // An unreadable folder (permissions, a race with a delete) is listed, not fatal to the others.
        all.push({
          view: {
            name: n, description: null, scope: p.scope, source: p.source, folder: p.folder, path: `${p.display}/${n}/SKILL.md`, sha256: null, valid: false,
            problems: [schemaProblem('SKILL.md', `${p.display}/${n} could not be read (${(err as Error).message}): check its permissions`)], contract: null, allowedTools: null, shadowedBy: null,
          },
          dir: path.join(p.base, n), displayDir: `${p.display}/${n}`,
        });
      }
    }
  }
  const taken = new Map<string, Skill>();
  for (const s of all) {
    if (!s.view.valid) continue;
    const first = taken.get(s.view.name);
    if (first) s.view.shadowedBy = first.view.path;
    else taken.set(s.view.name, s);
  }
  return all;
}

/**
 * A skill folder named by path (`torbit skills check PATH`), or every skill folder in a folder
 * of skills: read and checked as discovery would, each confined to the folder it is in.
 */
export function skillsAt(p: string, knownTools: readonly string[]): Skill[] {
  let abs = path.resolve(p);
  if (path.basename(abs) === 'SKILL.md') abs = path.dirname(abs);
  const parent = path.dirname(abs);
  const place = (base: string): Place => ({ scope: 'workspace', source: base, folder: null, base, confine: base, display: base });
  if (fs.existsSync(path.join(abs, 'SKILL.md')) || !fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) return [readSkill(place(parent), path.basename(abs), knownTools)];
  return fs.readdirSync(abs, { withFileTypes: true }).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort()
    .slice(0, MAX_SKILLS_PER_SOURCE).map((n) => readSkill(place(abs), n, knownTools));
}

/** One skill read again from its folder, as discovery would find it now (use_skill reads it fresh). */
export function rereadSkill(found: Skill, o: DiscoverOptions): Skill | undefined {
  return discoverSkills(o).find((s) => s.view.path === found.view.path);
}
