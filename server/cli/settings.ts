// The CLI honours the torbit.* settings a person set in VS Code for this workspace
// (.vscode/settings.json): the model and the agent's limits. Like VS Code, it ignores
// settings only a person's own settings may set (machine or application scope): that file comes with the repository, so it may not decide where
// keys are sent (torbit.openaiCompatible.baseUrl), where Torbit's own records live (torbit.dataDir:
// a planted database could hold an approval nobody gave) or which environment's rules apply.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { AgentSettings, describeZodError, InstructionSettings } from '../protocol';

const WorkspaceSettings = z.object({
  'torbit.dataDir': z.string().optional(),
  'torbit.model': z.string().optional(),
  'torbit.agent.maxSteps': z.unknown().optional(),
  'torbit.agent.maxRetries': z.unknown().optional(),
  'torbit.command.timeoutSeconds': z.unknown().optional(),
  'torbit.command.maxOutputBytes': z.unknown().optional(),
  'torbit.budget.maxCostUsd': z.unknown().optional(),
  'torbit.budget.maxTokens': z.unknown().optional(),
  'torbit.prices': z.unknown().optional(),
  'torbit.policyHash': z.string().optional(),
  'torbit.checkpoints.maxFileSizeMB': z.number().positive().optional(),
  'torbit.review.maxBundleBytes': z.number().int().min(1024).optional(),
  'torbit.instructions.maxTokens': z.unknown().optional(),
  'torbit.instructions.claudeMd': z.unknown().optional(),
  'torbit.instructions.copilotInstructions': z.unknown().optional(),
  'torbit.instructions.clinerules': z.unknown().optional(),
}).passthrough();

/** Settings VS Code reads only from the person's own settings (machine or application scope), never a workspace's. */
export const USER_ONLY_SETTINGS = ['torbit.dataDir', 'torbit.openaiCompatible.baseUrl', 'torbit.environment'];

export interface CliSettings {
  /** Always empty: torbit.dataDir is a user setting (application scope), so only TORBIT_DATA_DIR sets it for the CLI. */
  dataDir: string;
  model?: string;
  agent: AgentSettings;
  /** Always empty: torbit.environment is machine-scoped, so only TORBIT_ENV sets it for the CLI. */
  environment: string;
  /** Machine-scoped settings the workspace's file holds, which the CLI did not honour. */
  ignored: string[];
  /** torbit.policyHash: the sha256 the policy must have, or empty. */
  policyHash: string;
  /** torbit.checkpoints.maxFileSizeMB, in bytes. */
  checkpointMaxFileBytes: number;
  /** torbit.review.maxBundleBytes, when set. */
  reviewMaxBundleBytes?: number;
  /** torbit.instructions.*: which instruction files turns read, and their budget. */
  instructions: InstructionSettings;
}

/** A mistake in how the CLI was called or configured (EXIT.usage). */
export class UsageError extends Error {}

function readFile(workspace: string): z.infer<typeof WorkspaceSettings> {
  const file = path.join(workspace, '.vscode', 'settings.json');
  if (!fs.existsSync(file)) return {};
  const errors: ParseError[] = [];
  const raw: unknown = parse(fs.readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  if (errors.length) throw new UsageError(`${file}: ${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset}`);
  const parsed = WorkspaceSettings.safeParse(raw ?? {});
  if (!parsed.success) throw new UsageError(`${file}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export function readWorkspaceSettings(workspace: string): CliSettings {
  const s = readFile(workspace);
  const agent = AgentSettings.safeParse({
    maxSteps: s['torbit.agent.maxSteps'], maxRetries: s['torbit.agent.maxRetries'],
    commandTimeoutSeconds: s['torbit.command.timeoutSeconds'], maxOutputBytes: s['torbit.command.maxOutputBytes'],
    budgetUsd: s['torbit.budget.maxCostUsd'], budgetTokens: s['torbit.budget.maxTokens'], prices: s['torbit.prices'],
  });
  if (!agent.success) throw new UsageError(`${path.join(workspace, '.vscode', 'settings.json')}: ${describeZodError(agent.error)}`);
  const instructions = InstructionSettings.safeParse({
    maxTokens: s['torbit.instructions.maxTokens'], claudeMd: s['torbit.instructions.claudeMd'],
    copilotInstructions: s['torbit.instructions.copilotInstructions'], clinerules: s['torbit.instructions.clinerules'],
  });
  if (!instructions.success) throw new UsageError(`${path.join(workspace, '.vscode', 'settings.json')}: torbit.instructions: ${describeZodError(instructions.error)}`);
  return {
    dataDir: '', model: s['torbit.model'], agent: agent.data,
    environment: '', ignored: USER_ONLY_SETTINGS.filter((k) => k in s), policyHash: s['torbit.policyHash'] ?? '',
    checkpointMaxFileBytes: Math.max(1024, Math.round((s['torbit.checkpoints.maxFileSizeMB'] ?? 10) * 1024 * 1024)),
    reviewMaxBundleBytes: s['torbit.review.maxBundleBytes'],
    instructions: instructions.data,
  };
}
