// All commands, as one record of factories; main.ts registers them in a single loop.
import type { Ctx } from '../ctx';
import { approvalCommands } from './approvals';
import { backendCommands } from './backend';
import { chatCommands } from './chat';
import { checkpointCommands } from './checkpoints';
import { reviewCommands } from './review';
import { shipCommands } from './ship';
import { easCommands } from './eas';
import { easRunCommands } from './easRuns';
import { policyCommands } from '../trust/policyAcceptance';
import type { CommandId } from './ids';

export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

export const COMMANDS: Record<CommandId, CommandFactory> = {
  ...backendCommands,
  ...chatCommands,
  ...approvalCommands,
  ...checkpointCommands,
  ...reviewCommands,
  ...shipCommands,
  ...easCommands,
  ...easRunCommands,
  ...policyCommands,
};
