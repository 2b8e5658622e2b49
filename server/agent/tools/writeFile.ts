import * as fs from 'node:fs/promises';
import { z } from 'zod';
import { ToolError } from '../workspace';
import { defineTool, isBinary } from './spec';

export const writeFile = defineTool({
  name: 'write_file',
  description: 'Create a file, or replace the whole content of an existing one. Prefer edit_file for changes to existing files.',
  input: z.object({ path: z.string(), content: z.string() }),
  effect: 'write',
  summarize: (i) => i.path,
  async execute(i, ctx, run) {
    const f = await ctx.workspace.resolve(i.path);
    const stat = await fs.stat(f.abs).catch(() => undefined);
    if (stat?.isDirectory()) throw new ToolError(`${f.display} is a directory`);
    let before: string | null = null;
    if (stat) {
      const buf = await fs.readFile(f.abs);
      if (isBinary(buf)) throw new ToolError(`${f.display} is a binary file; write_file only writes text`);
      before = buf.toString('utf8');
    }
    const applied = await ctx.changes.apply({ target: f, before, after: i.content, tool: 'write_file', toolCallId: run.toolCallId }, ctx.scope);
    return { path: f.display, abs: f.abs, created: applied.kind === 'create', bytes: Buffer.byteLength(i.content), changeId: applied.id };
  },
  outcome: (o) => ({ result: `${o.created ? 'created' : 'rewrote'} (${o.bytes} bytes)`, changeId: o.changeId, openPath: o.abs }),
});
