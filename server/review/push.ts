// Ship's last step: push HEAD where the branch pushes (its upstream), or to a named remote's
// branch of the same name. git runs with the user's hooks, so the review gate judges this push too.
import { spawn } from 'node:child_process';
import { git } from '../git';
import { stopTree } from '../killTree';
import { ReviewError } from './baseline';

export interface PushTarget {
  branch: string;
  remote: string;
  /** The remote branch, e.g. refs/heads/main. */
  ref: string;
}

/** Where HEAD goes: the upstream, else `<remote>/<branch>`; a clear refusal when there is none. */
export async function pushTarget(root: string, remoteSetting: string): Promise<PushTarget> {
  const branch = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '');
  if (!branch) throw new ReviewError('HEAD is detached: check out the branch to ship');
  const cfg = (key: string) => git(root, ['config', '--get', key]).catch(() => '');
  const [upRemote, upRef] = await Promise.all([cfg(`branch.${branch}.remote`), cfg(`branch.${branch}.merge`)]);
  const remotes = (await git(root, ['remote'])).split('\n').filter(Boolean);
  // A remote of "." is the repository itself: not a place to ship to.
  if (upRemote && upRemote !== '.' && upRef && !remoteSetting) return { branch, remote: upRemote, ref: upRef };
  const remote = remoteSetting || 'origin';
  if (!remotes.includes(remote)) {
    throw new ReviewError(remotes.length
      ? `there is no remote "${remote}" (this repository has ${remotes.join(', ')}): set torbit.ship.remote, or an upstream for ${branch}`
      : 'this repository has no remote to push to: add one (git remote add origin URL)');
  }
  return { branch, remote, ref: upRemote === remote && upRef ? upRef : `refs/heads/${branch}` };
}

/** Pushes HEAD to the target. Never prompts: a push that needs a password fails and says so. */
export function pushHead(root: string, t: PushTarget, o: { env: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number; output?(chunk: string): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['push', '--porcelain', t.remote, `HEAD:${t.ref}`], {
      cwd: root, env: { ...o.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
    });
    let text = '';
    const onData = (d: Buffer) => {
      const s = d.toString('utf8');
      text = (text + s).slice(-8000);
      o.output?.(s);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let why = '';
    const timer = setTimeout(() => { why = 'timed out'; stopTree(child.pid); }, o.timeoutMs ?? 300_000);
    const onAbort = () => { why = 'stopped'; stopTree(child.pid); };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => { clearTimeout(timer); reject(new ReviewError(`git push could not start: ${err.message}`)); });
    child.once('close', (code) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (code === 0) { resolve(); return; }
      // The lines that say why: the gate's refusal, a rejected ref, an authentication failure.
      const reason = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^(To |Done$)/.test(l)).slice(-4).join(' | ');
      reject(new ReviewError(`git push to ${t.remote} ${why ? why : `failed (exit ${code})`}${reason ? `: ${reason}` : ''}`));
    });
  });
}
