// Typed access to Torbit's settings, and which of them need a backend restart.
import * as vscode from 'vscode';
import type { z } from 'zod';
import { AgentSettings, describeZodError, InitOptions, InstructionSettings, ShipParams } from '../server/protocol';
import { isString, userValue } from './userSetting';

export interface Config {
  dataDir: string;
  maxRestarts: number;
  restartWindowSeconds: number;
  model: string;
  models: string[];
  baseUrl: string;
  recordRelayTimings: boolean;
  environment: string;
  policyHash: string;
  /** torbit.checkpoints.maxFileSizeMB, in bytes. */
  checkpointMaxFileBytes: number;
  /** torbit.review.maxBundleBytes. */
  reviewMaxBundleBytes: number;
}

/**
 * torbit.openaiCompatible.baseUrl decides where OPENAI_COMPATIBLE_API_KEY is sent: only the
 * person's own user value counts, never the repository's workspace settings.
 */
export function readKeyDestination(c: vscode.WorkspaceConfiguration, warn: (msg: string) => void = () => undefined): string {
  const r = userValue(c.inspect<string>('openaiCompatible.baseUrl'), '', isString);
  if (r.ignored) warn(`Torbit: ignored torbit.openaiCompatible.baseUrl from the ${r.ignored.scope} settings (${JSON.stringify(r.ignored.value)}): where your API key is sent is set in your user settings only`);
  return r.value;
}

/**
 * torbit.dataDir decides where Torbit's own records (approvals, reviews, the audit chain) live: a
 * repository that chose it could point Torbit at a database it planted, so only the user's value counts.
 */
export function readDataDir(c: vscode.WorkspaceConfiguration, warn: (msg: string) => void = () => undefined): string {
  const r = userValue(c.inspect<string>('dataDir'), '', isString);
  if (r.ignored) warn(`Torbit: ignored torbit.dataDir from the ${r.ignored.scope} settings (${JSON.stringify(r.ignored.value)}): where Torbit keeps its records is set in your user settings only`);
  return r.value;
}

export function readConfig(warn?: (msg: string) => void): Config {
  const c = vscode.workspace.getConfiguration('torbit');
  return {
    dataDir: readDataDir(c, warn),
    maxRestarts: c.get<number>('backend.maxRestarts', 4),
    restartWindowSeconds: c.get<number>('backend.restartWindowSeconds', 180),
    model: c.get<string>('model', 'openai:gpt-4.1-mini'),
    models: c.get<string[]>('models', []),
    baseUrl: readKeyDestination(c, warn),
    recordRelayTimings: c.get<boolean>('diagnostics.recordRelayTimings', false),
    environment: c.get<string>('environment', ''),
    policyHash: c.get<string>('policyHash', ''),
    checkpointMaxFileBytes: Math.round(Math.max(0.001, c.get<number>('checkpoints.maxFileSizeMB', 10)) * 1024 * 1024),
    reviewMaxBundleBytes: Math.max(1024, Math.floor(c.get<number>('review.maxBundleBytes', 262144))),
  };
}

/** Ship's settings (torbit.ship.*), checked by the protocol's schema: a bad value is reported and its default used. */
export function readShipSettings(warn: (msg: string) => void): Pick<ShipParams, 'testCommand' | 'testTimeoutSeconds' | 'attempts' | 'healPaths' | 'remote'> {
  const c = vscode.workspace.getConfiguration('torbit.ship');
  const raw = {
    testCommand: c.get('testCommand'), testTimeoutSeconds: c.get('testTimeoutSeconds'), attempts: c.get('maxAttempts'),
    healPaths: c.get('healPaths'), remote: c.get('remote'),
  };
  const Settings = ShipParams.pick({ testCommand: true, testTimeoutSeconds: true, attempts: true, healPaths: true, remote: true });
  const parsed = Settings.safeParse(raw);
  if (parsed.success) return parsed.data;
  warn(`Torbit: some torbit.ship settings are invalid and were ignored (${describeZodError(parsed.error)})`);
  const shape: Record<string, z.ZodType> = Settings.shape;
  const keep = Object.fromEntries(Object.entries(raw).filter(([k, v]) => shape[k]?.safeParse(v).success));
  return Settings.parse(keep);
}

/** The agent's settings, checked: a bad value is reported and its default used instead. */
export function readAgentSettings(warn: (msg: string) => void): AgentSettings {
  const c = vscode.workspace.getConfiguration('torbit');
  const raw = {
    maxSteps: c.get('agent.maxSteps'),
    maxRetries: c.get('agent.maxRetries'),
    commandTimeoutSeconds: c.get('command.timeoutSeconds'),
    maxOutputBytes: c.get('command.maxOutputBytes'),
    approvalTimeoutSeconds: c.get('approval.timeoutSeconds'),
    budgetUsd: c.get('budget.maxCostUsd'),
    budgetTokens: c.get('budget.maxTokens'),
    prices: c.get('prices'),
  };
  const parsed = AgentSettings.safeParse(raw);
  if (parsed.success) return parsed.data;
  warn(`Torbit: some settings are invalid and were ignored (${describeZodError(parsed.error)})`);
  const fallback: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const one = AgentSettings.safeParse({ [k]: v });
    if (one.success) fallback[k] = v;
  }
  return AgentSettings.parse(fallback);
}

/** torbit.instructions.*: which instruction files turns read, and their budget (a bad value: its default, reported). */
export function readInstructionSettings(warn: (msg: string) => void): InstructionSettings {
  const c = vscode.workspace.getConfiguration('torbit.instructions');
  const raw: Record<string, unknown> = {
    maxTokens: c.get('maxTokens'), claudeMd: c.get('claudeMd'), copilotInstructions: c.get('copilotInstructions'), clinerules: c.get('clinerules'),
  };
  const keep = Object.fromEntries(Object.entries(raw).filter(([k, v]) => {
    if (v === undefined) return false;
    const ok = InstructionSettings.shape[k as keyof typeof InstructionSettings.shape].safeParse(v).success;
    if (!ok) warn(`Torbit: torbit.instructions.${k} is invalid (${JSON.stringify(v)}) and was ignored`);
    return ok;
  }));
  return InstructionSettings.parse(keep);
}

/** torbit.eas.*: background runs' polling, watchdog and retries (a bad value: its default, reported). */
export function readEasSettings(warn: (msg: string) => void): InitOptions['eas'] {
  const c = vscode.workspace.getConfiguration('torbit.eas');
  const raw: Record<string, unknown> = {
    pollSeconds: c.get('pollSeconds'), staleAfterSeconds: c.get('staleAfterSeconds'), maxAttempts: c.get('maxAttempts'), backoffSeconds: c.get('backoffSeconds'),
  };
  const schema = InitOptions.shape.eas.unwrap();
  const keep = Object.fromEntries(Object.entries(raw).filter(([k, v]) => {
    if (v === undefined) return false;
    const ok = schema.shape[k as keyof typeof schema.shape].safeParse(v).success;
    if (!ok) warn(`Torbit: torbit.eas.${k} is invalid (${JSON.stringify(v)}) and was ignored`);
    return ok;
  }));
  return schema.parse(keep);
}

/** Settings the backend reads at start: changing one restarts it. */
export const RESTART_SETTINGS = [
  'torbit.dataDir', 'torbit.environment', 'torbit.policyHash', 'torbit.backend.maxRestarts', 'torbit.backend.restartWindowSeconds',
  'torbit.agent', 'torbit.command', 'torbit.approval', 'torbit.budget', 'torbit.prices', 'torbit.checkpoints', 'torbit.instructions',
  'torbit.eas.pollSeconds', 'torbit.eas.staleAfterSeconds', 'torbit.eas.maxAttempts', 'torbit.eas.backoffSeconds',
] as const;
