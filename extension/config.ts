// Typed access to Torbit's settings, and which of them need a backend restart.
import * as vscode from 'vscode';

export interface Config {
  dataDir: string;
  maxRestarts: number;
  restartWindowSeconds: number;
}

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration('torbit');
  return {
    dataDir: c.get<string>('dataDir', ''),
    maxRestarts: c.get<number>('backend.maxRestarts', 4),
    restartWindowSeconds: c.get<number>('backend.restartWindowSeconds', 180),
  };
}

/** Settings the backend reads at start: changing one restarts it. */
export const RESTART_SETTINGS = ['torbit.dataDir', 'torbit.backend.maxRestarts', 'torbit.backend.restartWindowSeconds'] as const;
