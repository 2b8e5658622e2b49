import * as fs from 'node:fs/promises';
import { z } from 'zod';
import type { ProposedChange } from '../changes';
import { ToolError } from '../workspace';
import { defineTool, isBinary, readDisk, type FileReader, type ToolContext } from './spec';

const Input = z.object({ path: z.string(), content: z.string() });

async function plan(i: z.output<typeof Input>, ctx: ToolContext, read: FileReader, toolCallId: string): Promise<ProposedChange> {
  const f = await ctx.workspace.resolve(i.path);
  if ((await fs.stat(f.abs).catch(() => undefined))?.isDirectory()) throw new ToolError(`${f.display} is a directory`);
  const buf = await read(f.abs);
  if (buf && isBinary(buf)) throw new ToolError(`${f.display} is a binary file; write_file only writes text`);
  return { target: f, before: buf ? buf.toString('utf8') : null, after: i.content, tool: 'write_file', toolCallId };
}

export const writeFile = defineTool({
  name: 'write_file',
  description: 'Create a file, or replace the whole content of an existing one. Prefer edit_file for changes to existing files.',
  input: Input,
  effect: 'write',
  summarize: (i) => i.path,
  propose: async (i, ctx, read) => ({ kind: 'edit', change: await plan(i, ctx, read, '') }),
  async execute(i, ctx, run) {
    const change = await plan(i, ctx, readDisk, run.toolCallId);
    const applied = await ctx.changes.apply(change, ctx.scope, ctx.guard.gate, ctx.beforeChange);
    return {
      path: change.target.display, abs: change.target.abs, created: applied.kind === 'create', bytes: Buffer.byteLength(applied.content),
      changeId: applied.id, ...(applied.note ? { note: applied.note } : {}),
    };
  },
  outcome: (o) => ({ result: `${o.created ? 'created' : 'rewrote'} (${o.bytes} bytes)${o.note ? `; ${o.note}` : ''}`, changeId: o.changeId, openPath: o.abs }),
});
