// Settings that decide where credentials are sent (torbit.openaiCompatible.baseUrl: the server
// that receives OPENAI_COMPATIBLE_API_KEY) are read from the person's own settings only. A
// workspace value comes from the repository (.vscode/settings.json, a .code-workspace file) and is
// ignored, even where VS Code would honour it despite the setting's machine scope (older versions,
// a remote host). No vscode import: unit-tested with a fake inspect().

/** The parts of vscode's WorkspaceConfiguration.inspect() result this reads. */
export interface SettingInspection<T> {
  key: string;
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface UserValue<T> {
  value: T;
  /** Set when the workspace tried to choose a value: which scope, and the value ignored. */
  ignored?: { scope: 'workspace' | 'workspace folder'; value: unknown };
}

/**
 * The user's value, else the default, else `fallback`; a value of the wrong type counts as unset.
 * Workspace and folder values are never used.
 */
export function userValue<T>(inspection: SettingInspection<T> | undefined, fallback: T, isT: (v: unknown) => v is T): UserValue<T> {
  const pick = [inspection?.globalValue, inspection?.defaultValue].find((v) => isT(v));
  const value = pick === undefined ? fallback : pick;
  const fromWorkspace = inspection?.workspaceFolderValue !== undefined
    ? { scope: 'workspace folder' as const, value: inspection.workspaceFolderValue }
    : inspection?.workspaceValue !== undefined ? { scope: 'workspace' as const, value: inspection.workspaceValue } : undefined;
  return fromWorkspace && fromWorkspace.value !== value ? { value, ignored: fromWorkspace } : { value };
}

export const isString = (v: unknown): v is string => typeof v === 'string';
