// Slash commands in the chat input: the built-in ones (run by the extension, never sent to the
// model) and the repository's custom commands (.torbit/commands/<name>.md: a Markdown prompt the
// backend expands, with `$ARGUMENTS` standing for what follows the name).
import * as z from 'zod';
import { request } from './define';

/**
 * Built-in commands, in the order the completion list shows them, and the VS Code command each
 * runs (the same the palette has); a custom command cannot take these names.
 */
export const BUILTIN_SLASH_COMMANDS = [
  { name: 'new', description: 'Start a new chat session', command: 'torbit.newSession' },
  { name: 'checkpoint', description: 'Take a checkpoint of the workspace now', command: 'torbit.checkpoint.create' },
  { name: 'review', description: 'Review the changes since the last review', command: 'torbit.review.run' },
  { name: 'ship', description: 'Test, review, heal and push (the Ship loop)', command: 'torbit.review.ship' },
  { name: 'skills', description: 'List the Agent Skills this workspace has', command: 'torbit.skills.list' },
] as const;
export type BuiltinSlashCommand = (typeof BUILTIN_SLASH_COMMANDS)[number]['name'];

/** A command's name: what follows the `/`. */
export const SlashName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a command name is lowercase letters, digits, - and _, at most 64 characters');

/** `/name rest…` at the start of a prompt, or undefined when the prompt is not a command. */
export function parseSlash(text: string): { name: string; args: string } | undefined {
  const m = /^\/([a-z0-9][a-z0-9_-]{0,63})(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: m[1]!, args: (m[2] ?? '').trim() } : undefined;
}

export const CustomCommandView = z.object({
  name: SlashName,
  description: z.string().optional(),
  /** What to type after the name, e.g. `<issue number>`. */
  argumentHint: z.string().optional(),
  /** Where it is, as the workspace writes paths (`.torbit/commands/fix.md`, or `app/.torbit/…` in multi-root). */
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type CustomCommandView = z.infer<typeof CustomCommandView>;

/** A command file that could not be used, and why. */
export const CommandProblem = z.object({ path: z.string(), error: z.string() });
export type CommandProblem = z.infer<typeof CommandProblem>;

/** extension → server: the workspace's custom commands (read fresh from disk). */
export const commandsList = request('torbit/commands/list', 'extension', 'any', z.object({}).strict(),
  z.object({ commands: z.array(CustomCommandView), problems: z.array(CommandProblem) }));
