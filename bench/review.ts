// Review bundle benchmark (issue 6): a 50 MB diff is bundled in ≤ 5 s with Torbit's RSS growing
// ≤ 100 MB (the patch is streamed through a file, never held whole). Workload: a real repository
// whose range adds 330 files of 120 KiB and changes 100 files of 40 KiB at the baseline, plus a
// 4 MiB file (a big file split into packets). Measured as one bundle (a cap above the diff) and
// as packets (the default cap), against `git diff > file` over the same range (what the diff
// alone costs). RSS growth: the process's peak resident set (VmHWM, reset first) over its
// resident set before. Options: --mib N (the diff's size, default 50)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { currentRange } from '../server/review/baseline';
import { buildBundle } from '../server/review/bundle';
import { DEFAULT_MAX_BUNDLE_BYTES } from '../server/review/service';
import { rng } from '../test/support/rng';
import { cleanupTmp, gitRepo, tmpDir } from '../test/support/tmp';
import { report, runBench, type Row } from './stats';

const { values } = parseArgs({ options: { mib: { type: 'string' } } });
const MIB = Number(values.mib ?? 50);
const TARGET_S = 5;
const TARGET_RSS_MB = 100;

const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.invalid', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

function text(r: () => number, bytes: number, tag: string): string {
  const lines: string[] = [];
  for (let n = 0; n < bytes;) {
    const line = `${tag} ${Math.floor(r() * 1e9).toString(36)} const value${Math.floor(r() * 1000)} = compute(${Math.floor(r() * 1e6)}, "${tag}");`;
    lines.push(line);
    n += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

function generate(root: string): void {
  const r = rng(9);
  const scale = MIB / 50;
  const changed = Math.round(100 * scale);
  const added = Math.round(330 * scale);
  const put = (rel: string, data: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  for (let i = 0; i < changed; i++) put(`lib/m${i % 10}/f${i}.ts`, text(r, 40 * 1024, `base${i}`));
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'base');
  fs.mkdirSync(path.join(root, '.torbit'));
  fs.writeFileSync(path.join(root, '.torbit/LAST_REVIEWED_SHA'), `${git(root, 'rev-parse', 'HEAD')}\n`);
  for (let i = 0; i < changed; i++) {
    const file = path.join(root, `lib/m${i % 10}/f${i}.ts`);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let j = 0; j < lines.length; j += 3) lines[j] = `${lines[j]} // reviewed ${j}`;
    fs.writeFileSync(file, lines.join('\n'));
  }
  for (let i = 0; i < added; i++) put(`src/m${i % 20}/n${i}.ts`, text(r, 120 * 1024, `new${i}`));
  put('data.sql', text(r, 4 * 1024 * 1024, 'row'));
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'the change');
}

const rssKb = (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);

/** Time and RSS growth (MB) of `fn`. */
async function measure(fn: () => Promise<unknown>): Promise<{ s: number; rssMb: number }> {
  global.gc?.();
  try { fs.writeFileSync('/proc/self/clear_refs', '5'); } catch { /* not Linux: peak since start */ }
  const before = rssKb('VmRSS');
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  return { s, rssMb: (rssKb('VmHWM') - before) / 1024 };
}

async function main(): Promise<void> {
  const root = gitRepo();
  const t0 = performance.now();
  generate(root);
  const range = await currentRange(root, false);
  const out = tmpDir('torbit-bench-review-');
  const rawFile = path.join(out, 'raw.diff');
  const raw = performance.now();
  const fd = fs.openSync(rawFile, 'w');
  const g = spawnSync('git', ['diff', '-M', range.from!, range.to], { cwd: root, stdio: ['ignore', fd, 'inherit'] });
  fs.closeSync(fd);
  if (g.status !== 0) throw new Error('git diff failed');
  const rawS = (performance.now() - raw) / 1000;
  const diffMb = fs.statSync(rawFile).size / 1e6;
  console.log(`workspace: a range of ${diffMb.toFixed(1)} MB of diff (generated and committed in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const one = await measure(() => buildBundle({ root, range, maxBytes: 1 << 30, out: path.join(out, 'bundle') }));
  let packets = 0;
  const many = await measure(async () => { packets = (await buildBundle({ root, range, maxBytes: DEFAULT_MAX_BUNDLE_BYTES, out: path.join(out, 'packets') })).packets.length; });
  const rows: Row[] = [
    { metric: `${diffMb.toFixed(0)} MB diff as one bundle: time`, measured: one.s, unit: 's', baseline: TARGET_S, baselineName: 'target', limit: 'max' },
    { metric: `${diffMb.toFixed(0)} MB diff as one bundle: Torbit's RSS growth`, measured: one.rssMb, unit: 'MB', baseline: TARGET_RSS_MB, baselineName: 'target', limit: 'max' },
    { metric: `${diffMb.toFixed(0)} MB diff as ${packets} packets (default cap): time`, measured: many.s, unit: 's', baseline: TARGET_S, baselineName: 'target', limit: 'max' },
    { metric: `${diffMb.toFixed(0)} MB diff as packets: Torbit's RSS growth`, measured: many.rssMb, unit: 'MB', baseline: TARGET_RSS_MB, baselineName: 'target', limit: 'max' },
    { metric: 'one bundle, against git diff > file alone', measured: one.s, unit: 's', baseline: rawS, baselineName: 'git diff > file' },
  ];
  await report(`Torbit review bundles (${diffMb.toFixed(1)} MB of diff)`, 'review', rows);
}

runBench(main, cleanupTmp);
