import { z } from 'zod';
import type { ProposedChange } from '../changes';
import { ToolError } from '../workspace';
import { defineTool, isBinary, readDisk, type FileReader, type ToolContext } from './spec';

const Input = z.object({ path: z.string(), oldText: z.string().min(1), newText: z.string() });

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

async function plan(i: z.output<typeof Input>, ctx: ToolContext, read: FileReader, toolCallId: string): Promise<ProposedChange & { line: number }> {
  const f = await ctx.workspace.resolve(i.path);
  const buf = await read(f.abs);
  if (!buf) throw new ToolError(`${f.display} does not exist; use write_file to create it`);
  if (isBinary(buf)) throw new ToolError(`${f.display} is a binary file`);
  const before = buf.toString('utf8');
  const n = count(before, i.oldText);
  if (n === 0) throw new ToolError(`oldText was not found in ${f.display}; read the file again and copy the text exactly, including whitespace`);
  if (n > 1) throw new ToolError(`oldText occurs ${n} times in ${f.display}; include more surrounding lines so it matches exactly once`);
  const at = before.indexOf(i.oldText);
  const after = before.slice(0, at) + i.newText + before.slice(at + i.oldText.length);
  return { target: f, before, after, tool: 'edit_file', toolCallId, line: before.slice(0, at).split('\n').length };
}

export const editFile = defineTool({
  name: 'edit_file',
  description: 'Replace one exact occurrence of oldText with newText in a file. oldText must appear exactly once: include enough surrounding lines to make it unique.',
  input: Input,
  effect: 'write',
  summarize: (i) => i.path,
  propose: async (i, ctx, read) => ({ kind: 'edit', change: await plan(i, ctx, read, '') }),
  async execute(i, ctx, run) {
    const change = await plan(i, ctx, readDisk, run.toolCallId);
    const applied = await ctx.changes.apply(change, ctx.scope, ctx.guard.gate, ctx.beforeChange);
    return { path: change.target.display, abs: change.target.abs, line: change.line, changeId: applied.id, ...(applied.note ? { note: applied.note } : {}) };
  },
  outcome: (o) => ({ result: `edited at line ${o.line}${o.note ? `; ${o.note}` : ''}`, changeId: o.changeId, openPath: o.abs }),
});
