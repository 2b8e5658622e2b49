// Ship's last step: push HEAD where the branch pushes (its upstream), or to a named remote's
// branch of the same name. git runs with the user's hooks, so the review gate judges this push too.
import { git } from '../git';
import { runProcess } from '../runProcess';
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
export async function pushHead(root: string, t: PushTarget, o: { env: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number; output?: (chunk: string) => void }): Promise<void> {
  const r = await runProcess({
    command: 'git', args: ['push', '--porcelain', t.remote, `HEAD:${t.ref}`], cwd: root, env: { ...o.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    timeoutMs: o.timeoutMs ?? 300_000, signal: o.signal, tailBytes: 8000, output: o.output,
  });
  if (r.exitCode === 0) return;
  if (r.exitCode === null && !r.signal && !r.timedOut && !r.canceled) throw new ReviewError(`git push could not start: ${r.tail.trim()}`);
  // The lines that say why: the gate's refusal, a rejected ref, an authentication failure.
  const reason = r.tail.split('\n').map((l) => l.trim()).filter((l) => l && !/^(To |Done$)/.test(l)).slice(-4).join(' | ');
  const why = r.timedOut ? 'timed out' : r.canceled ? 'stopped' : `failed (exit ${r.exitCode})`;
  throw new ReviewError(`git push to ${t.remote} ${why}${reason ? `: ${reason}` : ''}`);
}
