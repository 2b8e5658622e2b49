import * as fs from 'node:fs/promises';
import { z } from 'zod';
import { ToolError } from '../workspace';
import { defineTool, isBinary } from './spec';

export const readFile = defineTool({
  name: 'read_file',
  description: 'Read a text file of the workspace (or of a skill in use, as use_skill names its files), optionally only lines startLine..endLine (1-based, inclusive).',
  input: z.object({
    path: z.string().describe('workspace-relative path'),
    startLine: z.number().int().min(1).optional(),
    endLine: z.number().int().min(1).optional(),
  }).refine((i) => i.startLine === undefined || i.endLine === undefined || i.endLine >= i.startLine, 'endLine is before startLine'),
  effect: 'read',
  propose: async (i, ctx) => ({ kind: 'read', path: (await ctx.workspace.resolveReadable(i.path)).display }),
  summarize: (i) => `${i.path}${i.startLine || i.endLine ? `:${i.startLine ?? 1}-${i.endLine ?? ''}` : ''}`,
  async execute(i, ctx) {
    const f = await ctx.workspace.resolveReadable(i.path);
    const stat = await fs.stat(f.abs).catch(() => undefined);
    if (!stat) throw new ToolError(`${f.display} does not exist`);
    if (stat.isDirectory()) throw new ToolError(`${f.display} is a directory; use list_files`);
    const buf = await fs.readFile(f.abs);
    if (isBinary(buf)) throw new ToolError(`${f.display} is a binary file (${buf.length} bytes)`);
    const lines = buf.toString('utf8').split('\n');
    const start = i.startLine ?? 1;
    const end = Math.min(i.endLine ?? lines.length, lines.length);
    if (start > lines.length) throw new ToolError(`${f.display} has ${lines.length} lines; startLine ${start} is past the end`);
    let content = lines.slice(start - 1, end).join('\n');
    let truncated = false;
    if (Buffer.byteLength(content) > ctx.limits.maxReadBytes) {
      content = Buffer.from(content).subarray(0, ctx.limits.maxReadBytes).toString('utf8');
      truncated = true;
    }
    return { path: f.display, abs: f.abs, startLine: start, endLine: end, totalLines: lines.length, truncated, content };
  },
  outcome: (o) => ({ result: `${o.endLine - o.startLine + 1} of ${o.totalLines} lines${o.truncated ? ' (truncated: read a smaller range)' : ''}`, openPath: o.abs }),
});
