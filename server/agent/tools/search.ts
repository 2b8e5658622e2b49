import * as fs from 'node:fs/promises';
import { minimatch } from 'minimatch';
import { z } from 'zod';
import { ToolError } from '../workspace';
import { listWorkspace } from './listing';
import { defineTool, isBinary } from './spec';

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_LINE_CHARS = 400;

export const search = defineTool({
  name: 'search',
  description: 'Search the text of workspace files for a string (or a regular expression), returning matching lines.',
  input: z.object({
    query: z.string().min(1),
    regex: z.boolean().default(false),
    caseSensitive: z.boolean().default(false),
    glob: z.string().min(1).optional().describe('only files matching this glob'),
    maxResults: z.number().int().min(1).max(1000).optional(),
  }),
  effect: 'read',
  propose: () => Promise.resolve({ kind: 'read', path: '.' }),
  summarize: (i) => `${i.regex ? `/${i.query}/` : JSON.stringify(i.query)}${i.glob ? ` in ${i.glob}` : ''}`,
  async execute(i, ctx, run) {
    let re: RegExp;
    try {
      re = new RegExp(i.regex ? i.query : i.query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), i.caseSensitive ? '' : 'i');
    } catch (err) {
      throw new ToolError(`invalid regular expression: ${(err as Error).message}`);
    }
    const cap = Math.min(i.maxResults ?? ctx.limits.maxSearchResults, ctx.limits.maxSearchResults);
    const matches: { path: string; line: number; text: string }[] = [];
    let filesSearched = 0;
    let protectedSkipped = 0;
    let truncated = false;
    const isProtected = ctx.guard.protectedMatcher();
    for (const f of await listWorkspace(ctx.workspace)) {
      if (run.signal.aborted) break;
      if (i.glob && !minimatch(f.display, i.glob, { dot: true, matchBase: !i.glob.includes('/') })) continue;
      // A protected file (.env, keys) is read only with a person's approval, not by a search.
      if (isProtected(f.display)) { protectedSkipped++; continue; }
      const stat = await fs.stat(f.abs).catch(() => undefined);
      if (!stat?.isFile() || stat.size > MAX_FILE_BYTES) continue;
      const buf = await fs.readFile(f.abs);
      if (isBinary(buf)) continue;
      filesSearched++;
      const lines = buf.toString('utf8').split('\n');
      for (let n = 0; n < lines.length; n++) {
        const line = lines[n]!.slice(0, MAX_LINE_CHARS * 4);
        if (!re.test(line)) continue;
        if (matches.length >= cap) { truncated = true; break; }
        matches.push({ path: f.display, line: n + 1, text: line.slice(0, MAX_LINE_CHARS) });
      }
      if (truncated) break;
    }
    return { matches, filesSearched, truncated, ...(protectedSkipped ? { protectedSkipped, note: `${protectedSkipped} protected file(s) were not searched; read_file asks for them` } : {}) };
  },
  outcome: (o) => ({ result: `${o.matches.length} match(es) in ${o.filesSearched} file(s) searched${o.truncated ? ' (capped)' : ''}${o.protectedSkipped ? `, ${o.protectedSkipped} protected skipped` : ''}` }),
});
