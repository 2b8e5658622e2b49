import * as fs from 'node:fs/promises';
import { z } from 'zod';
import { ToolError } from '../workspace';
import { defineTool, isBinary } from './spec';

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

export const editFile = defineTool({
  name: 'edit_file',
  description: 'Replace one exact occurrence of oldText with newText in a file. oldText must appear exactly once: include enough surrounding lines to make it unique.',
  input: z.object({ path: z.string(), oldText: z.string().min(1), newText: z.string() }),
  effect: 'write',
  summarize: (i) => i.path,
  async execute(i, ctx, run) {
    const f = await ctx.workspace.resolve(i.path);
    const buf = await fs.readFile(f.abs).catch(() => undefined);
    if (!buf) throw new ToolError(`${f.display} does not exist; use write_file to create it`);
    if (isBinary(buf)) throw new ToolError(`${f.display} is a binary file`);
    const before = buf.toString('utf8');
    const n = count(before, i.oldText);
    if (n === 0) throw new ToolError(`oldText was not found in ${f.display}; read the file again and copy the text exactly, including whitespace`);
    if (n > 1) throw new ToolError(`oldText occurs ${n} times in ${f.display}; include more surrounding lines so it matches exactly once`);
    const at = before.indexOf(i.oldText);
    const after = before.slice(0, at) + i.newText + before.slice(at + i.oldText.length);
    const applied = await ctx.changes.apply({ target: f, before, after, tool: 'edit_file', toolCallId: run.toolCallId }, ctx.scope);
    const line = before.slice(0, at).split('\n').length;
    return { path: f.display, abs: f.abs, line, changeId: applied.id };
  },
  outcome: (o) => ({ result: `edited at line ${o.line}`, changeId: o.changeId, openPath: o.abs }),
});
