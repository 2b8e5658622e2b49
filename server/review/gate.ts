// The review-gated push: a pre-push hook that refuses commits no approved, real review covers.
// It goes where git looks for hooks (core.hooksPath included), runs a hook that was there before
// it (never overwritten), and has no variable to skip it. `git push --no-verify` stays the
// person's explicit choice: the remote-tracking refs' reflogs show such pushes, and the next start
// records them in the audit log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfinementError, confinedPath } from '../confine';
import type { AuditLog } from '../audit/log';
import { git } from '../git';
import type { StoredVerdict } from '../protocol/review';
import type { Db } from '../store/sqlite';
import { BASELINE_FILE, repoRoot, ReviewError } from './baseline';
import { unseenFiles } from './coverage';
import { ReviewRepo } from './store';

const MARK = 'torbit-push-gate v1';
export const CHAINED = 'pre-push.torbit-chained';
const ZERO = /^0{40}$/;

/** Where git runs hooks for `root` (core.hooksPath, else .git/hooks), absolute. */
export async function hooksDir(root: string): Promise<string> {
  return path.resolve(root, await git(root, ['rev-parse', '--git-path', 'hooks']));
}

/**
 * A core.hooksPath in the repository's own config (local or worktree scope) comes with the
 * repository, and may point anywhere: Torbit writes its hook there only when that is inside the
 * repository (its work tree or git directory). The person's own (global or system) setting is theirs.
 */
async function refusePlantedHooksPath(root: string, dir: string): Promise<void> {
  const scoped = await git(root, ['config', '--show-scope', '--get', 'core.hooksPath']).catch(() => '');
  const scope = scoped.split('\t')[0];
  if (scope !== 'local' && scope !== 'worktree') return;
  const gitDir = path.resolve(root, await git(root, ['rev-parse', '--git-common-dir']));
  try {
    confinedPath([root, gitDir], path.join(dir, 'pre-push'));
  } catch (err) {
    if (!(err instanceof ConfinementError)) throw err;
    throw new ReviewError(`this repository's own config points core.hooksPath at ${dir}, outside the repository: Torbit will not write a hook there (set core.hooksPath in your global config, or unset it, then install again)`);
  }
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function hookScript(o: { node: string; cli: string; dataDir: string }): string {
  return [
    '#!/bin/sh',
    `# ${MARK}: installed by "Torbit: Install Push Gate". It refuses a push whose commits no approved,`,
    '# real (not simulated) Torbit review covers. Nothing skips it but git push --no-verify, which',
    '# Torbit notices and records in its audit log.',
    'hooks_dir=$(dirname "$0")',
    'input=$(cat)',
    `if [ -x "$hooks_dir/${CHAINED}" ]; then`,
    `  printf '%s\\n' "$input" | "$hooks_dir/${CHAINED}" "$@" || exit $?`,
    'fi',
    `printf '%s\\n' "$input" | TORBIT_DATA_DIR=${sq(o.dataDir)} ELECTRON_RUN_AS_NODE=1 ${sq(o.node)} ${sq(o.cli)} review gate "$@"`,
    '',
  ].join('\n');
}

export interface Installed {
  hook: string;
  /** The hook that was there before, now run first by the gate. */
  chained: string | null;
}

/** Installs (or refreshes) the gate in `folder`'s repository; audited (pushes are watched from then on). */
export async function installGate(d: { audit: AuditLog }, folder: string, o: { node: string; cli: string; dataDir: string }): Promise<Installed> {
  const root = await repoRoot(folder);
  const dir = await hooksDir(root);
  await refusePlantedHooksPath(root, dir);
  fs.mkdirSync(dir, { recursive: true });
  const hook = path.join(dir, 'pre-push');
  const chained = path.join(dir, CHAINED);
  const current = fs.existsSync(hook) ? fs.readFileSync(hook, 'utf8') : null;
  if (current !== null && !current.includes(MARK)) {
    if (fs.existsSync(chained)) throw new ReviewError(`${hook} is not Torbit's, and ${chained} already exists: merge them by hand, then install again`);
    fs.renameSync(hook, chained);
  }
  fs.writeFileSync(`${hook}.tmp`, hookScript(o), { mode: 0o755 });
  fs.renameSync(`${hook}.tmp`, hook);
  const result = { hook, chained: fs.existsSync(chained) ? chained : null };
  await d.audit.append({ kind: 'review', actor: 'user', data: { action: 'gate-installed', repo: root, ...result } });
  return result;
}

export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

export function parsePushInput(text: string): PushedRef[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [localRef, localSha, remoteRef, remoteSha] = l.split(/\s+/);
    if (!localRef || !localSha || !remoteRef || !remoteSha) throw new ReviewError(`a pre-push line git did not write: ${l}`);
    return { localRef, localSha, remoteRef, remoteSha };
  });
}

const lines = (s: string) => s.split('\n').filter(Boolean);

/**
 * Whether pushing `ref` is covered: no new commit, or an approved, real review of them (its id)
 * that showed its reviewer every file of its range that is not a secret.
 */
async function coverage(root: string, remote: string, ref: PushedRef, approved: StoredVerdict[]): Promise<{ ok: boolean; reviewId: number | null }> {
  const tip = ref.localSha;
  const known = !ZERO.test(ref.remoteSha) && await git(root, ['cat-file', '-e', `${ref.remoteSha}^{commit}`]).then(() => true, () => false);
  const pushed = lines(await git(root, ['rev-list', tip, ...(known ? [`^${ref.remoteSha}`] : ['--not', `--remotes=${remote}`])]));
  if (!pushed.length) return { ok: true, reviewId: null };
  for (const r of approved) {
    const { from, to } = r.verdict.meta.range;
    // The reviewed commit, or it plus commits that only record the baseline (review finish).
    if (to !== tip) {
      const ancestor = await git(root, ['merge-base', '--is-ancestor', to, tip]).then(() => true, () => false);
      if (!ancestor) continue;
      const changed = lines(await git(root, ['diff', '--name-only', to, tip]));
      if (changed.some((f) => f !== BASELINE_FILE)) continue;
    }
    // Every pushed commit is in the reviewed range.
    const inRange = new Set(lines(await git(root, ['rev-list', tip, ...(from ? [`^${from}`] : [])])));
    if (!pushed.every((c) => inRange.has(c))) continue;
    if ((await unseenFiles(root, r.verdict)).length) continue;
    return { ok: true, reviewId: r.id };
  }
  return { ok: false, reviewId: null };
}

export interface GateDecision {
  allowed: boolean;
  lines: string[];
}

/** What the hook decides for a push of `refs` to `remote`; every decision is audited. */
export async function gatePush(d: { db: Db; audit: AuditLog }, folder: string, remote: string, refs: PushedRef[]): Promise<GateDecision> {
  const root = await repoRoot(folder);
  const approved = (await new ReviewRepo(d.db).list(root, 500)).filter((r) => r.verdict.verdict === 'APPROVED' && !r.verdict.meta.simulated && !r.verdict.meta.range.worktree);
  const out: string[] = [];
  let allowed = true;
  for (const ref of refs) {
    if (ZERO.test(ref.localSha)) continue; // a deletion pushes no commit
    const { ok, reviewId } = await coverage(root, remote, ref, approved);
    allowed &&= ok;
    out.push(ok
      ? `torbit: ${ref.remoteRef} at ${ref.localSha.slice(0, 12)}: covered${reviewId ? ` by review ${reviewId}` : ' (no new commits)'}`
      : `torbit: push refused: the commits of ${ref.localRef} (${ref.localSha.slice(0, 12)}) for ${ref.remoteRef} are not covered by an approved review. Run "Torbit: Review Changes" and "Torbit: Finish Review" (or torbit review finish), then push again.`);
    await d.audit.append({
      kind: 'review', actor: 'system',
      data: { action: 'gate', repo: root, remote, ref: ref.remoteRef, sha: ref.localSha, allowed: ok, reviewId },
    });
  }
  if (!allowed) out.push('torbit: git push --no-verify skips this check; Torbit records such pushes in its audit log.');
  return { allowed, lines: out };
}

/**
 * Pushes the gate did not see since it was first installed here (made with --no-verify, or while
 * it was removed): the remote-tracking refs' reflog entries "update by push" whose commit no gate
 * decision allowed. Each is recorded once.
 */
export async function noticeUngatedPushes(d: { audit: AuditLog }, folder: string): Promise<{ ref: string; sha: string }[]> {
  const root = await repoRoot(folder);
  const records = (await d.audit.records({ kind: 'review' })).map((r) => JSON.parse(r.body) as { ts: string; data: Record<string, unknown> }).filter((r) => r.data.repo === root);
  const installed = records.find((r) => r.data.action === 'gate-installed');
  if (!installed) return [];
  const since = Date.parse(installed.ts);
  const gated = new Set(records.filter((r) => r.data.action === 'gate' && r.data.allowed === true).map((r) => r.data.sha));
  const noticed = new Set(records.filter((r) => r.data.action === 'ungated-push').map((r) => `${String(r.data.ref)} ${String(r.data.sha)}`));
  const found: { ref: string; sha: string }[] = [];
  for (const ref of lines(await git(root, ['for-each-ref', '--format=%(refname)', 'refs/remotes']))) {
    // %gd with --date=unix: refs/remotes/origin/main@{<when the ref moved>}.
    const log = await git(root, ['reflog', 'show', '--date=unix', '--format=%H %gd %gs', ref]).catch(() => '');
    for (const entry of lines(log)) {
      const [sha, selector, ...what] = entry.split(' ');
      const when = Number(/@\{(\d+)\}$/.exec(selector ?? '')?.[1] ?? NaN);
      // Reflog times are in seconds: a push in the second the gate was installed counts.
      if (what.join(' ') !== 'update by push' || !sha || !(when >= Math.floor(since / 1000))) continue;
      const key = `${ref} ${sha}`;
      if (gated.has(sha) || noticed.has(key)) continue;
      noticed.add(key);
      found.push({ ref, sha });
      await d.audit.append({ kind: 'review', actor: 'user', data: { action: 'ungated-push', repo: root, ref, sha, note: 'pushed without the review gate (git push --no-verify)' } });
    }
  }
  return found;
}
