// Commands of the chat surface.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { CommandFactory } from './index';

export const chatCommands = {
  'torbit.openChat': (_ctx: Ctx) => () => vscode.commands.executeCommand('torbit.chat.focus'),
} satisfies Record<string, CommandFactory>;
