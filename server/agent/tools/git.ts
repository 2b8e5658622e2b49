// git_status and git_diff: read-only git (server/git.ts), so a repository's fsmonitor, filter,
// diff or textconv drivers never run because the model asked what changed.
import { z } from 'zod';
import { gitRaw } from '../../git';
import { ToolError } from '../workspace';
import { parseStatus } from './gitStatus';
import { capText, defineTool, type ToolContext } from './spec';

async function repoAt(ctx: ToolContext, p: string) {
  const dir = await ctx.workspace.resolve(p);
  const inside = await gitRaw(dir.abs, ['rev-parse', '--is-inside-work-tree']).then((o) => o.trim() === 'true', () => false);
  if (!inside) throw new ToolError(`${dir.display} is not inside a git repository`);
  const git = (args: string[]) => gitRaw(dir.abs, ['-c', 'core.quotePath=false', ...args]);
  return { dir, git };
}

export const gitStatus = defineTool({
  name: 'git_status',
  description: 'The git status of the repository containing a workspace folder: branch, and staged, modified, deleted and untracked files.',
  input: z.object({ path: z.string().default('.').describe('a folder inside the repository') }),
  effect: 'read',
  propose: async (i, ctx) => ({ kind: 'read', path: (await ctx.workspace.resolve(i.path)).display }),
  summarize: (i) => i.path,
  async execute(i, ctx) {
    const { git } = await repoAt(ctx, i.path);
    const s = parseStatus(await git(['status', '--porcelain=v1', '--branch', '--untracked-files=all', '-z']));
    return {
      branch: s.current, tracking: s.tracking, ahead: s.ahead, behind: s.behind,
      staged: s.staged, modified: s.modified, deleted: s.deleted, created: s.created, untracked: s.not_added,
      renamed: s.renamed.map((r) => `${r.from} -> ${r.to}`), conflicted: s.conflicted, clean: s.clean,
    };
  },
  outcome: (o) => ({ result: o.clean ? `clean on ${o.branch ?? 'detached HEAD'}` : `${o.branch ?? 'detached'}: ${o.staged.length} staged, ${o.modified.length} modified, ${o.untracked.length} untracked` }),
});

export const gitDiff = defineTool({
  name: 'git_diff',
  description: 'The git diff of the working tree (or of the staged changes), optionally for one path.',
  input: z.object({
    path: z.string().default('.'),
    staged: z.boolean().default(false),
  }),
  effect: 'read',
  propose: async (i, ctx) => ({ kind: 'read', path: (await ctx.workspace.resolve(i.path)).display }),
  summarize: (i) => `${i.staged ? '--staged ' : ''}${i.path}`,
  async execute(i, ctx) {
    const { dir, git } = await repoAt(ctx, i.path);
    const diff = await git(['diff', '--no-color', '--no-ext-diff', '--no-textconv', ...(i.staged ? ['--staged'] : []), '--', dir.abs]);
    const capped = capText(ctx.redact.text(diff), ctx.limits.maxOutputBytes);
    return { diff: capped.text, truncated: capped.truncated, files: (diff.match(/^diff --git /gm) ?? []).length };
  },
  outcome: (o) => ({ result: o.files ? `${o.files} file(s) changed${o.truncated ? ' (capped)' : ''}` : 'no changes' }),
});
