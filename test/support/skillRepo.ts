// A workspace with Agent Skills for tests: the fixture contract skill, skills written on the spot
// (their scripts fingerprinted), and a home folder of the person's own skills. Nothing of the real
// home is read: HOME points at the temporary one.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitRepo, tmpDir } from './tmp';

export const SKILL_FIXTURES = path.join(__dirname, '../fixtures/skills');

export interface SkillRepo {
  ws: string;
  home: string;
  /** The person's own skills folder (home/.agents/skills). */
  userSkills: string;
  /** The data directory (outside the workspace). */
  data: string;
  env: NodeJS.ProcessEnv;
}

export function skillRepo(): SkillRepo {
  const ws = gitRepo();
  const home = tmpDir('torbit-home-');
  const data = tmpDir('torbit-data-');
  fs.writeFileSync(path.join(ws, 'README.md'), 'hello\nworld\n');
  fs.cpSync(path.join(SKILL_FIXTURES, 'contracts/good-count'), path.join(ws, '.agents/skills/good-count'), { recursive: true });
  const userSkills = path.join(home, '.agents/skills');
  fs.mkdirSync(userSkills, { recursive: true });
  return { ws, home, userSkills, data, env: { HOME: home, TORBIT_DATA_DIR: data } };
}

export interface ContractSpec {
  description?: string;
  body?: string;
  /** scripts/<name> → content; each is run as [node, scripts/<name>]. */
  scripts: Record<string, string>;
  categories: string[];
  sideEffects?: string[];
  maxSeconds: number;
  maxMemoryMB: number;
}

/** Writes a skill with a Torbit contract whose scripts are Node programs, fingerprinted. */
export function contractSkill(base: string, name: string, c: ContractSpec): string {
  const dir = path.join(base, name);
  fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  const entries: string[] = [];
  const commands: string[] = [];
  for (const [file, content] of Object.entries(c.scripts)) {
    fs.writeFileSync(path.join(dir, 'scripts', file), content);
    const sha = createHash('sha256').update(content).digest('hex');
    entries.push(`      - { path: scripts/${file}, sha256: "${sha}", runtime: { name: node, version: "22.11" }, run: [node, scripts/${file}], sideEffects: [${(c.sideEffects ?? []).join(', ')}] }`);
    commands.push(`[node, scripts/${file}]`);
  }
  fs.writeFileSync(path.join(dir, 'SKILL.md'), [
    '---', `name: ${name}`, `description: ${c.description ?? `The ${name} skill.`}`, 'metadata:', '  torbit:', '    contract: 1',
    `    permissions: { categories: [${c.categories.join(', ')}], commands: [${commands.join(', ')}] }`,
    `    sideEffects: [${(c.sideEffects ?? []).join(', ')}]`, '    scripts:', ...entries,
    `    limits: { maxSeconds: ${c.maxSeconds}, maxMemoryMB: ${c.maxMemoryMB} }`, '---',
    c.body ?? `# ${name}\n\nRun its scripts with node.\n`,
  ].join('\n'));
  return dir;
}

/** Writes a skill without a contract, with other files beside SKILL.md. */
export function plainSkill(base: string, name: string, description: string, body: string, files: Record<string, string> = {}): string {
  const dir = path.join(base, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'SKILL.md'), `---\nname: ${name}\ndescription: ${description}\n---\n${body}`);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}
