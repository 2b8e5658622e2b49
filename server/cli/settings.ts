// The CLI honours the torbit.* settings a person set in VS Code for this workspace
// (.vscode/settings.json): the data directory, the model and the agent's limits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { AgentSettings, describeZodError } from '../protocol';

const WorkspaceSettings = z.object({
  'torbit.dataDir': z.string().optional(),
  'torbit.model': z.string().optional(),
  'torbit.openaiCompatible.baseUrl': z.string().optional(),
  'torbit.agent.maxSteps': z.unknown().optional(),
  'torbit.agent.maxRetries': z.unknown().optional(),
  'torbit.command.timeoutSeconds': z.unknown().optional(),
  'torbit.command.maxOutputBytes': z.unknown().optional(),
  'torbit.budget.maxCostUsd': z.unknown().optional(),
  'torbit.budget.maxTokens': z.unknown().optional(),
  'torbit.prices': z.unknown().optional(),
  'torbit.environment': z.string().optional(),
  'torbit.policyHash': z.string().optional(),
  'torbit.checkpoints.maxFileSizeMB': z.number().positive().optional(),
  'torbit.review.maxBundleBytes': z.number().int().min(1024).optional(),
}).passthrough();

export interface CliSettings {
  dataDir: string;
  model?: string;
  /**
   * torbit.openaiCompatible.baseUrl as the workspace's file sets it: never used, since it decides
   * where OPENAI_COMPATIBLE_API_KEY is sent and the file is the repository's (VS Code reads it
   * from user settings only). Kept to tell the person it was ignored; --base-url chooses.
   */
  ignoredBaseUrl?: string;
  agent: AgentSettings;
  /** torbit.environment (TORBIT_ENV wins). */
  environment: string;
  /** torbit.policyHash: the sha256 the policy must have, or empty. */
  policyHash: string;
  /** torbit.checkpoints.maxFileSizeMB, in bytes. */
  checkpointMaxFileBytes: number;
  /** torbit.review.maxBundleBytes, when set. */
  reviewMaxBundleBytes?: number;
}

/** A mistake in how the CLI was called or configured (exit code 2). */
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
  return {
    dataDir: s['torbit.dataDir'] ?? '', model: s['torbit.model'], ignoredBaseUrl: s['torbit.openaiCompatible.baseUrl'], agent: agent.data,
    environment: s['torbit.environment'] ?? '', policyHash: s['torbit.policyHash'] ?? '',
    checkpointMaxFileBytes: Math.max(1024, Math.round((s['torbit.checkpoints.maxFileSizeMB'] ?? 10) * 1024 * 1024)),
    reviewMaxBundleBytes: s['torbit.review.maxBundleBytes'],
  };
}
