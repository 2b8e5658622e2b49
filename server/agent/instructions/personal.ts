// Where the person's own AGENTS.md lives: Torbit's global storage (the extension's), else the
// cross-tool ~/.agents/AGENTS.md (the CLI has no global storage). Pure: the extension uses it too,
// to open the file from the chat.
import * as os from 'node:os';
import * as path from 'node:path';

/** Candidates, first wins: `<global storage>/AGENTS.md`, then `~/.agents/AGENTS.md`. */
export function personalInstructionFiles(globalStorageDir: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  return [...(globalStorageDir ? [path.join(globalStorageDir, 'AGENTS.md')] : []), path.join(home, '.agents', 'AGENTS.md')];
}

/** How the chat names a file of the person's: `~/…` under their home, else its path. */
export function personalDisplay(abs: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  const rel = path.relative(home, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `~/${rel.split(path.sep).join('/')}` : abs;
}
