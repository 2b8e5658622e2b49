// Custom slash commands: `.torbit/commands/<name>.md` in each workspace folder, a Markdown prompt
// with optional front matter (`description`, `argument-hint`) where `$ARGUMENTS` stands for what
// the person typed after the name. The files are the repository's: they are read through the
// tools' own path guard (a link out of the workspace, or into the data directory, is refused),
// capped in size, and what they say is only ever a prompt the person chose to send. Front matter
// keys other than these two (another tool's `allowed-tools`, `model`…) are ignored: a command can
// never choose its tools, its model or its permissions.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod';
import { parseFrontMatter } from '../../frontMatter';
import { BUILTIN_SLASH_COMMANDS, parseSlash, SlashName, type CommandProblem, type CustomCommandView } from '../../protocol';
import { ToolError, type Workspace } from '../workspace';

export const COMMANDS_DIR = '.torbit/commands';
/** A prompt, not a document: a bigger file is refused rather than cut. */
export const MAX_COMMAND_BYTES = 64 * 1024;

const Front = z.looseObject({
  description: z.string().max(500, 'description is longer than 500 characters').optional(),
  'argument-hint': z.string().max(200, 'argument-hint is longer than 200 characters').optional(),
});

export interface CustomCommand extends CustomCommandView {
  /** The prompt, front matter removed. */
  template: string;
}

export interface LoadedCommands {
  commands: CustomCommand[];
  problems: CommandProblem[];
}

const BUILTIN = new Set<string>(BUILTIN_SLASH_COMMANDS.map((c) => c.name));

/** Every folder's commands; a name taken by a built-in or an earlier folder is a problem, not a command. */
export async function loadCustomCommands(ws: Workspace): Promise<LoadedCommands> {
  const commands: CustomCommand[] = [];
  const problems: CommandProblem[] = [];
  for (const root of ws.roots) {
    const dirShown = ws.display(root, COMMANDS_DIR);
    let entries: string[];
    try {
      const dir = await ws.resolve(dirShown);
      entries = (await fs.readdir(dir.abs)).filter((f) => f.endsWith('.md')).sort();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ path: dirShown, error: (err as Error).message });
      continue;
    }
    for (const file of entries) {
      const shown = ws.display(root, `${COMMANDS_DIR}/${file}`);
      const read = await readCommand(ws, shown, path.basename(file, '.md'));
      if (!read.ok) { problems.push({ path: shown, error: read.error }); continue; }
      const c = read.command;
      if (BUILTIN.has(c.name)) { problems.push({ path: shown, error: `/${c.name} is a built-in command; rename the file` }); continue; }
      const earlier = commands.find((x) => x.name === c.name);
      if (earlier) { problems.push({ path: shown, error: `/${c.name} is already ${earlier.path}` }); continue; }
      commands.push(c);
    }
  }
  return { commands, problems };
}

async function readCommand(ws: Workspace, shown: string, name: string): Promise<{ ok: true; command: CustomCommand } | { ok: false; error: string }> {
  const n = SlashName.safeParse(name);
  if (!n.success) return { ok: false, error: n.error.issues[0]?.message ?? 'bad name' };
  let bytes: Buffer;
  try {
    const r = await ws.resolve(shown);
    const st = await fs.stat(r.abs);
    if (!st.isFile()) return { ok: false, error: 'not a file' };
    if (st.size > MAX_COMMAND_BYTES) return { ok: false, error: `it is ${st.size} bytes; a command is at most ${MAX_COMMAND_BYTES}` };
    bytes = await fs.readFile(r.abs);
  } catch (err) {
    return { ok: false, error: err instanceof ToolError ? err.message : (err as Error).message };
  }
  const fm = parseFrontMatter(bytes.toString('utf8'));
  if (!fm.ok) return { ok: false, error: fm.error };
  const front = Front.safeParse(fm.value.data);
  if (!front.success) return { ok: false, error: `front matter: ${front.error.issues.map((i) => i.message).join('; ')}` };
  const template = fm.value.body.trim();
  if (!template) return { ok: false, error: 'the prompt is empty' };
  return {
    ok: true,
    command: {
      name: n.data, path: shown, sha256: createHash('sha256').update(bytes).digest('hex'), template,
      ...(front.data.description ? { description: front.data.description } : {}),
      ...(front.data['argument-hint'] ? { argumentHint: front.data['argument-hint'] } : {}),
    },
  };
}

/** The prompt a command makes: `$ARGUMENTS` replaced, or the arguments after the prompt when it has none. */
export function expandCommand(c: Pick<CustomCommand, 'template'>, args: string): string {
  // split/join, not replaceAll: `$&` and `$'` in what the person typed are text, not patterns.
  if (c.template.includes('$ARGUMENTS')) return c.template.split('$ARGUMENTS').join(args);
  return args ? `${c.template}\n\n${args}` : c.template;
}

/** What a typed prompt asks the model: a custom command's prompt (read now, with its file's hash), or the text itself. */
export async function resolvePrompt(ws: Workspace | null, text: string): Promise<{ prompt: string; command?: Omit<CustomCommandView, 'description' | 'argumentHint'> }> {
  const slash = parseSlash(text);
  if (!slash || !ws || BUILTIN.has(slash.name)) return { prompt: text };
  const { commands } = await loadCustomCommands(ws);
  const c = commands.find((x) => x.name === slash.name);
  if (!c) return { prompt: text };
  return { prompt: expandCommand(c, slash.args), command: { name: c.name, path: c.path, sha256: c.sha256 } };
}
