import { simpleGit } from 'simple-git';
import { z } from 'zod';
import { ToolError } from '../workspace';
import { capText, defineTool, type ToolContext } from './spec';

async function repoAt(ctx: ToolContext, p: string) {
  const dir = await ctx.workspace.resolve(p);
  const git = simpleGit({ baseDir: dir.abs, config: ['core.quotepath=false'] });
  if (!(await git.checkIsRepo().catch(() => false))) throw new ToolError(`${dir.display} is not inside a git repository`);
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
    const s = await git.status();
    return {
      branch: s.current, tracking: s.tracking, ahead: s.ahead, behind: s.behind,
      staged: s.staged, modified: s.modified, deleted: s.deleted, created: s.created, untracked: s.not_added,
      renamed: s.renamed.map((r) => `${r.from} -> ${r.to}`), conflicted: s.conflicted, clean: s.isClean(),
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
    const args = ['--no-color', '--no-ext-diff', ...(i.staged ? ['--staged'] : []), '--', dir.abs];
    const diff = await git.diff(args);
    const capped = capText(ctx.redact.text(diff), ctx.limits.maxOutputBytes);
    return { diff: capped.text, truncated: capped.truncated, files: (diff.match(/^diff --git /gm) ?? []).length };
  },
  outcome: (o) => ({ result: o.files ? `${o.files} file(s) changed${o.truncated ? ' (capped)' : ''}` : 'no changes' }),
});
