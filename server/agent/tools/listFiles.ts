import { minimatch } from 'minimatch';
import { z } from 'zod';
import { listWorkspace } from './listing';
import { defineTool } from './spec';

export const listFiles = defineTool({
  name: 'list_files',
  description: 'List workspace files matching a glob (default: all), respecting .gitignore.',
  input: z.object({
    glob: z.string().min(1).default('**').describe('e.g. "src/**/*.ts"'),
    limit: z.number().int().min(1).max(5000).optional(),
  }),
  effect: 'read',
  propose: () => Promise.resolve({ kind: 'read', path: '.' }),
  summarize: (i) => i.glob,
  async execute(i, ctx) {
    const all = await listWorkspace(ctx.workspace);
    const matched = all.filter((f) => minimatch(f.display, i.glob, { dot: true, matchBase: !i.glob.includes('/') }));
    const limit = Math.min(i.limit ?? ctx.limits.maxListedFiles, ctx.limits.maxListedFiles);
    return { files: matched.slice(0, limit).map((f) => f.display), total: matched.length, truncated: matched.length > limit };
  },
  outcome: (o) => ({ result: `${o.total} file(s)${o.truncated ? `, first ${o.files.length} shown` : ''}` }),
});
