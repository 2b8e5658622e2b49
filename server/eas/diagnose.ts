// Can this folder ship with EAS? Every check the status bar's tooltip lists, each saying what it
// found and, when it is not fine, exactly what to set and where.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { CheckState, Diagnostics, PipelineCheck } from '../protocol';
import { EXPO_TOKEN_ENV } from '../secrets';
import { androidCheck, iosCheck } from './credentials';
import { easVersionFromFiles, findEas, locateEas, type EasCli } from './easCli';
import { EAS_JSON, EasJsonError, readEasJson, type EasJson } from './easJson';

const PackageJson = z.object({
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
}).passthrough();

const APP_CONFIGS = ['app.config.ts', 'app.config.js', 'app.config.mjs', 'app.config.cjs', 'app.config.json'];

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether `root` is an Expo app (app.json with expo, or app.config.*, and expo in package.json). */
export function expoProject(root: string): { check: PipelineCheck; deps: Record<string, string> } {
  const title = 'Expo project';
  const pkg = PackageJson.safeParse(readJson(path.join(root, 'package.json')));
  const deps = pkg.success ? { ...pkg.data.dependencies, ...pkg.data.devDependencies } : {};
  const appJson = readJson(path.join(root, 'app.json'));
  const config = APP_CONFIGS.find((f) => fs.existsSync(path.join(root, f)))
    ?? (appJson && typeof appJson === 'object' && 'expo' in appJson ? 'app.json' : undefined);
  const problems: string[] = [];
  if (!config) problems.push('no app.json with an "expo" key, and no app.config.*');
  if (!pkg.success) problems.push('no readable package.json');
  else if (!deps.expo) problems.push('package.json does not depend on expo');
  if (problems.length) {
    return { deps, check: { id: 'expo-project', title, state: 'fail', detail: problems.join('; '), fix: 'Open the folder of an Expo app (npx create-expo-app makes one).' } };
  }
  return { deps, check: { id: 'expo-project', title, state: 'ok', detail: `${config}, expo ${deps.expo}`, fix: null } };
}

function easJsonCheck(root: string): { check: PipelineCheck; eas: EasJson | null } {
  const title = EAS_JSON;
  const create = 'Run "Torbit: Pipeline Diagnostics" and choose "Create eas.json" (the defaults are shown as a diff to approve).';
  let read;
  try {
    read = readEasJson(root);
  } catch (err) {
    if (!(err instanceof EasJsonError)) throw err;
    return { eas: null, check: { id: 'eas-json', title, state: 'fail', detail: err.message, fix: `Fix ${EAS_JSON} at the project's top.` } };
  }
  if (!read) return { eas: null, check: { id: 'eas-json', title, state: 'fail', detail: 'missing', fix: create } };
  const missing = [
    ...['development', 'preview', 'production'].filter((p) => !read.json.build?.[p]).map((p) => `build.${p}`),
    ...(read.json.submit?.production ? [] : ['submit.production']),
  ];
  if (missing.length) {
    return { eas: read.json, check: { id: 'eas-json', title, state: 'warn', detail: `no ${missing.join(', ')} profile`, fix: `Add ${missing.length === 1 ? 'it' : 'them'}: ${create.replace('Create eas.json', 'Add the missing profiles')}` } };
  }
  return { eas: read.json, check: { id: 'eas-json', title, state: 'ok', detail: `build profiles ${Object.keys(read.json.build ?? {}).join(', ')}; submit profiles ${Object.keys(read.json.submit ?? {}).join(', ')}`, fix: null } };
}

/** Whether diagnostics may run programs: in an untrusted workspace they only read files. */
export interface DiagnoseOptions {
  /** The workspace is trusted: `eas --version` may run (the project's own binary included). */
  trusted: boolean;
}

async function easCliCheck(root: string, env: NodeJS.ProcessEnv, deps: Record<string, string>, o: DiagnoseOptions): Promise<{ check: PipelineCheck; cli: EasCli | null }> {
  const title = 'eas-cli';
  const install = 'Add it to the project: npm install --save-dev eas-cli (or install it globally: npm install -g eas-cli).';
  const notFound = (): { check: PipelineCheck; cli: null } => {
    const declared = deps['eas-cli'] ? ` (package.json lists eas-cli ${deps['eas-cli']}, but it is not installed: run npm install)` : '';
    return { cli: null, check: { id: 'eas-cli', title, state: 'fail', detail: `not found in node_modules/.bin or on PATH${declared}`, fix: install } };
  };
  const where = (cli: { source: 'project' | 'global'; path: string }) => (cli.source === 'project' ? 'the project\'s devDependency' : `global: ${cli.path}`);
  if (!o.trusted) {
    // The project's node_modules/.bin/eas is the repository's code: found and read, never run.
    const at = locateEas(root, env);
    if (!at) return notFound();
    const version = easVersionFromFiles(at.path, root);
    const notRun = 'not run: the workspace is untrusted';
    if (!version) {
      return { cli: null, check: { id: 'eas-cli', title, state: 'warn', detail: `found (${where(at)}), version unknown (${notRun}, and no eas-cli package.json is next to it)`, fix: 'Trust the workspace to check the eas-cli it would run.' } };
    }
    return { cli: { ...at, version }, check: { id: 'eas-cli', title, state: 'ok', detail: `${version} (${where(at)}; read from its package.json, ${notRun})`, fix: null } };
  }
  let cli: EasCli | null;
  try {
    cli = await findEas(root, env);
  } catch (err) {
    return { cli: null, check: { id: 'eas-cli', title, state: 'fail', detail: (err as Error).message, fix: install } };
  }
  if (!cli) return notFound();
  return { cli, check: { id: 'eas-cli', title, state: 'ok', detail: `${cli.version} (${where(cli)})`, fix: null } };
}

function tokenCheck(env: NodeJS.ProcessEnv): PipelineCheck {
  const title = EXPO_TOKEN_ENV;
  const token = env[EXPO_TOKEN_ENV]?.trim();
  if (!token) {
    return {
      id: 'expo-token', title, state: 'fail', detail: 'not set: eas-cli cannot log in without prompting',
      fix: `Run "Torbit: Set Expo Token" (kept in VS Code's secret storage), or set ${EXPO_TOKEN_ENV} in the environment VS Code starts from. Create a token at expo.dev → Account settings → Access tokens.`,
    };
  }
  if (/\s/.test(token)) return { id: 'expo-token', title, state: 'fail', detail: 'set, but it contains spaces', fix: `Set ${EXPO_TOKEN_ENV} again to the token exactly as expo.dev shows it.` };
  const where = env.TORBIT_EXPO_TOKEN_SOURCE === 'secret-storage' ? 'Torbit\'s secret storage' : 'the environment';
  return { id: 'expo-token', title, state: 'ok', detail: `set (from ${where})`, fix: null };
}

const RANK: Record<CheckState, number> = { ok: 0, warn: 1, fail: 2 };

/** Untrusted unless the caller says otherwise: diagnostics then run nothing from the workspace. */
export async function diagnose(root: string, env: NodeJS.ProcessEnv, o: DiagnoseOptions = { trusted: false }): Promise<Diagnostics> {
  const time = new Date().toISOString();
  const project = expoProject(root);
  if (project.check.state !== 'ok') return { root, expo: false, state: 'fail', checks: [project.check], easCli: null, time };
  const eas = easJsonCheck(root);
  const cli = await easCliCheck(root, env, project.deps, o);
  const checks = [project.check, eas.check, cli.check, tokenCheck(env), iosCheck(env, root, eas.eas), androidCheck(env, root, eas.eas)];
  const state = checks.reduce<CheckState>((w, c) => (RANK[c.state] > RANK[w] ? c.state : w), 'ok');
  return { root, expo: true, state, checks, easCli: cli.cli, time };
}
