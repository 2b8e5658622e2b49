// The person's acceptances of repository policies that loosen the default: which exact file
// (sha256) they accepted for which workspace folder. Kept in the user's own configuration
// directory, never in the workspace or the data directory: a repository can write both of those
// (the data directory can be chosen by its .vscode/settings.json), so it could plant an
// acceptance there. One file serves VS Code and the CLI alike, so accepting in one holds in the
// other for the same folder and file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as z from 'zod';
import { describeZodError } from '../protocol';

const Acceptance = z.object({
  /** The workspace folder, its real path. */
  folder: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
  /** What the person was shown it loosens. */
  loosens: z.array(z.string()),
}).strict();
export type Acceptance = z.infer<typeof Acceptance>;

const AcceptanceFile = z.object({ version: z.literal(1), accepted: z.array(Acceptance) }).strict();

/**
 * Where acceptances live: `$XDG_CONFIG_HOME/torbit/accepted-policies.json` (else
 * `~/.config/…`; on Windows `%APPDATA%\torbit\…`). The user's environment, not the repository's.
 */
export function acceptancesFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME?.trim()
    || (process.platform === 'win32' && env.APPDATA?.trim())
    || path.join(env.HOME?.trim() || os.homedir(), '.config');
  return path.join(path.resolve(base), 'torbit', 'accepted-policies.json');
}

/** A folder as acceptances name it: its real path, so a symlinked checkout is the same folder. */
export function folderKey(folder: string): string {
  try { return fs.realpathSync(folder); } catch { return path.resolve(folder); }
}

export class PolicyAcceptances {
  constructor(readonly file: string) {}

  static forUser(env: NodeJS.ProcessEnv): PolicyAcceptances {
    return new PolicyAcceptances(acceptancesFile(env));
  }

  /** Changes whenever the file does (for the policy cache). */
  version(): string {
    const st = fs.statSync(this.file, { throwIfNoEntry: false });
    return st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'none';
  }

  /** Whether the person accepted this exact file for this folder. A damaged store accepts nothing. */
  has(folder: string, sha256: string): boolean {
    const r = this.read();
    if (!r.ok) return false;
    const key = folderKey(folder);
    return r.accepted.some((a) => a.folder === key && a.sha256 === sha256);
  }

  /** Why the store cannot take an acceptance (damaged or unreadable), if it cannot. */
  problem(): string | undefined {
    const r = this.read();
    return r.ok ? undefined : r.error;
  }

  /** Records an acceptance. A damaged store is an error (it is never overwritten). */
  add(a: Omit<Acceptance, 'folder'> & { folder: string }): Acceptance {
    const r = this.read();
    if (!r.ok) throw new Error(r.error);
    const entry: Acceptance = { ...a, folder: folderKey(a.folder) };
    const accepted = [...r.accepted.filter((x) => !(x.folder === entry.folder && x.sha256 === entry.sha256)), entry];
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, accepted }, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    return entry;
  }

  private read(): { ok: true; accepted: Acceptance[] } | { ok: false; error: string } {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, accepted: [] };
      return { ok: false, error: `${this.file} cannot be read: ${(err as Error).message}` };
    }
    let raw: unknown;
    try { raw = JSON.parse(text); } catch (err) { return { ok: false, error: `${this.file} is not valid JSON (${(err as Error).message}); fix or remove it` }; }
    const parsed = AcceptanceFile.safeParse(raw);
    return parsed.success ? { ok: true, accepted: parsed.data.accepted } : { ok: false, error: `${this.file} is invalid: ${describeZodError(parsed.error)}; fix or remove it` };
  }
}
