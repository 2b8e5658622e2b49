// Progressive disclosure of Agent Skills: the system prompt names each skill; this tool loads one
// (its SKILL.md body, its files, its contract) for the rest of the turn. Loading is a read of
// SKILL.md, judged by the policy like any read, and audited with the file's sha256.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ToolError } from '../workspace';
import { defineTool } from './spec';

const MAX_LISTED = 200;

/** The skill's files (relative, POSIX), SKILL.md aside, as far as MAX_LISTED. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_LISTED) return;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && r !== 'SKILL.md') out.push(r);
    }
  };
  walk('');
  return out;
}

export const useSkill = defineTool({
  name: 'use_skill',
  description: 'Load an Agent Skill by name (the skills the system prompt lists): returns its instructions (the SKILL.md body), its files and its contract. '
    + 'Then read its files with read_file and run its scripts with run_command, as the result says.',
  input: z.object({ name: z.string().min(1).max(64).describe('the skill\'s name, e.g. "pdf-report"') }),
  effect: 'read',
  summarize: (i) => i.name,
  propose: (i, ctx) => {
    const s = ctx.skills?.find(i.name);
    if (!s) throw new ToolError(`there is no skill ${JSON.stringify(i.name)}`);
    return Promise.resolve({ kind: 'read', path: s.view.path });
  },
  execute(i, ctx, run) {
    if (!ctx.skills) throw new ToolError('no skills are available in this run');
    const s = ctx.skills.use(i.name, run.toolCallId);
    const user = s.view.scope === 'user';
    const c = s.view.contract;
    return Promise.resolve({
      name: s.view.name,
      path: s.view.path,
      sha256: s.view.sha256 ?? '',
      instructions: s.body ?? '',
      folder: s.displayDir,
      files: filesOf(s.dir),
      howToUse: [
        `Read its files with read_file at ${s.displayDir}/<file>.`,
        user
          ? `Its scripts are in your own skills folder: run them with run_command from the workspace, naming them by absolute path (${path.join(s.dir, 'scripts')}/…); the working directory stays in the workspace.`
          : `Run its scripts with run_command, naming them from the workspace root (${s.displayDir}/scripts/…).`,
        c ? `It has a contract: until this turn ends, only its declared commands run (${c.permissions.commands.map((x) => `[${x.join(' ')}]`).join(', ') || 'none'}), `
          + `only ${c.permissions.categories.join(', ') || 'no'} actions are allowed, and each command is stopped after ${c.limits.maxSeconds} s and held to ${c.limits.maxMemoryMB} MB. The policy still decides each one.` : '',
      ].filter(Boolean).join(' '),
      contract: c,
      allowedTools: s.view.allowedTools,
    });
  },
  outcome: (o) => ({ result: `loaded ${o.name} (sha256 ${o.sha256.slice(0, 12)}…)${o.contract ? ', under its contract' : ''}` }),
});
