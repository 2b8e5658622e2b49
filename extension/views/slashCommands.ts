// The chat's slash commands, on the extension's side: the list the input completes (built-ins,
// then the workspace's .torbit/commands/*.md as the backend reads them), and the built-ins, which
// run here as the same commands the palette has and never reach the model.
import * as vscode from 'vscode';
import { BUILTIN_SLASH_COMMANDS, rpc, type BuiltinSlashCommand, type SlashCommandView } from '../../server/protocol';
import type { Ctx } from '../ctx';

export async function slashCommands(ctx: Ctx): Promise<SlashCommandView[]> {
  const builtins = BUILTIN_SLASH_COMMANDS.map((c): SlashCommandView => ({ name: c.name, description: c.description, builtin: true }));
  if (ctx.backend.state !== 'ready') return builtins;
  try {
    const { commands, problems } = await ctx.request(rpc.commandsList, {});
    for (const p of problems) ctx.log.warn(`custom command ${p.path}: ${p.error}`);
    return [...builtins, ...commands.map((c): SlashCommandView => ({
      name: c.name, builtin: false, ...(c.description ? { description: c.description } : {}), ...(c.argumentHint ? { argumentHint: c.argumentHint } : {}),
    }))];
  } catch (err) {
    ctx.log.warn(`listing custom commands: ${(err as Error).message}`);
    return builtins;
  }
}

export async function runBuiltin(name: BuiltinSlashCommand): Promise<void> {
  await vscode.commands.executeCommand(BUILTIN_SLASH_COMMANDS.find((c) => c.name === name)!.command);
}
