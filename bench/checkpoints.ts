// Checkpoint benchmarks (issue 5). Workload: a generated workspace of 20,000 files
// and 200 MB (a real git repository, committed, with a .gitignore), in which k files change.
// Baseline: what peers do, a shadow repository with `git add -A && git commit` at every checkpoint.
// Targets: incremental checkpoint ≤ 150 ms median for k ≤ 20, and at least 10× faster than the
// baseline; rollback touches only the changed files and takes ≤ 500 ms; storage growth ≤ 1.5× the
// compressed size of the changed content. Torbit's full-scan checkpoint is shown too (no target).
// Options: --k 1,5,20,100 (k above 20: informative rows) --reps N (at least 7, default 21: this machine is noisy, and the first reps of a run are slower) --files N
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { harness } from '../test/support/checkpointHarness';
import { cleanupTmp, gitRepo, tmpDir } from '../test/support/tmp';
import { percentile, report, runBench, type Row } from './stats';
import { rng } from '../test/support/rng';

const { values } = parseArgs({ options: { k: { type: 'string' }, reps: { type: 'string' }, files: { type: 'string' } } });
const KS = (values.k ?? '1,5,20,100').split(',').map(Number);
const REPS = Math.max(7, Number(values.reps ?? 21));
const FILES = Number(values.files ?? 20_000);
const TARGET_MS = 150;
const TARGET_SPEEDUP = 10;
const TARGET_ROLLBACK_MS = 500;
const TARGET_STORAGE = 1.5;
const ROLLBACK_K = 20;
const ROLLBACK_REPS = 5;
const BASELINE = 'git add -A && git commit';

const WORDS = ('user session turn folder file path change record audit policy model token stream chunk message event handler request response '
  + 'config value state cache index entry commit tree blob store query result error status action plan write read open close start stop '
  + 'build deploy review push branch remote origin local target source output input buffer offset length count total limit batch queue '
  + 'worker task job runner timer clock date time zone locale format parse render view panel chat tool call args options params').split(' ');
const TYPES = ['string', 'number', 'boolean', 'void', 'unknown', 'Entry', 'Record<string, number>', 'Promise<void>', 'string[]', 'Map<string, Entry>'];

/** About 10 KB of source-like text, different for every file, that compresses like code. */
function sourceText(seed: number, bytes = 10_240): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const id = () => { const a = pick(WORDS); const b = pick(WORDS); return `${a}${b[0]!.toUpperCase()}${b.slice(1)}${r() < 0.2 ? Math.floor(r() * 100) : ''}`; };
  const lines: string[] = [`// Generated module ${seed}: ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}.`];
  for (let i = 0; i < 4; i++) lines.push(`import { ${id()}, ${id()} } from '../${pick(WORDS)}/${id()}';`);
  let size = lines.join('\n').length;
  while (size < bytes) {
    const block = [
      '',
      `/** ${pick(WORDS)} the ${pick(WORDS)} of a ${pick(WORDS)} when its ${pick(WORDS)} ${pick(WORDS)}s. */`,
      `export function ${id()}(${id()}: ${pick(TYPES)}, ${id()}: ${pick(TYPES)}): ${pick(TYPES)} {`,
      `  const ${id()} = ${id()}.${id()}(${Math.floor(r() * 1000)}, '${pick(WORDS)}-${pick(WORDS)}');`,
      `  if (${id()} ${pick(['===', '!==', '<', '>='])} ${Math.floor(r() * 64)}) return ${id()};`,
      `  for (const ${id()} of ${id()}.${pick(WORDS)}s) ${id()}.push(${id()});`,
      `  // ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`,
      `  return ${id()}(${id()}, { ${pick(WORDS)}: ${id()}, ${pick(WORDS)}: ${r() < 0.5 ? 'true' : 'false'} });`,
      '}',
    ];
    lines.push(...block);
    size += block.join('\n').length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** src/m<i>/d<j>/f<n>.ts: 20 modules of 20 folders of 50 files (for 20,000 files). */
function relOf(i: number): string {
  return `src/m${Math.floor(i / 1000) % 20}/d${Math.floor(i / 50) % 20}/f${i % 50}${i >= 20_000 ? `-${Math.floor(i / 20_000)}` : ''}.ts`;
}

function generate(ws: string, n: number): { rels: string[]; bytes: number } {
  const rels: string[] = [];
  let bytes = 0;
  fs.writeFileSync(path.join(ws, '.gitignore'), 'dist/\nnode_modules/\n*.log\n');
  fs.writeFileSync(path.join(ws, 'package.json'), '{ "name": "bench-workspace", "version": "1.0.0" }\n');
  fs.mkdirSync(path.join(ws, 'dist'));
  fs.writeFileSync(path.join(ws, 'dist', 'bundle.js'), sourceText(-1, 200_000)); // ignored: in no snapshot
  for (let i = 0; i < n; i++) {
    const rel = relOf(i);
    const text = sourceText(i);
    fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    fs.writeFileSync(path.join(ws, rel), text);
    rels.push(rel);
    bytes += text.length;
  }
  return { rels, bytes };
}

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };
const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

/** The peers' way: a bare shadow repository whose work tree is the workspace. */
class Baseline {
  constructor(private readonly gitDir: string, private readonly ws: string) {
    git(['init', '-q', '--bare', gitDir], ws);
    // As Torbit's shadow repository: no automatic gc (it would pack the 20,000 loose objects mid-run).
    git(['--git-dir', gitDir, 'config', 'gc.auto', '0'], ws);
  }

  /** Both commands, as a peer runs them at every checkpoint. */
  checkpoint(): void {
    const base = ['--git-dir', this.gitDir, '--work-tree', this.ws];
    git([...base, 'add', '-A'], this.ws);
    git([...base, 'commit', '-q', '--allow-empty', '-m', 'x'], this.ws);
  }

  get objects(): string {
    return path.join(this.gitDir, 'objects');
  }
}

/** Bytes in the files under `dir`. */
function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) n += fs.lstatSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

function torbitObjects(dataDir: string): number {
  const root = path.join(dataDir, 'checkpoints');
  return fs.readdirSync(root).filter((d) => d.endsWith('.git')).reduce((n, d) => n + bytesUnder(path.join(root, d, 'objects')), 0);
}

/** k different files, chosen by `r`. */
function choose(rels: readonly string[], k: number, r: () => number): string[] {
  const out = new Set<string>();
  while (out.size < Math.min(k, rels.length)) out.add(rels[Math.floor(r() * rels.length)]!);
  return [...out];
}

/** What an edit does to a file: one more line at its end. Returns the absolute paths. */
function edit(ws: string, rels: readonly string[], tag: string): string[] {
  return rels.map((rel) => {
    const abs = path.join(ws, rel);
    fs.appendFileSync(abs, `export const edited${tag.replace(/\W/g, '_')} = '${tag} ${rel}';\n`);
    return abs;
  });
}

/** mtime, inode and size of every file: what a write (or a rename over it) changes. */
function statAll(ws: string, rels: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const rel of rels) {
    const st = fs.statSync(path.join(ws, rel));
    m.set(rel, `${st.mtimeMs}:${st.ino}:${st.size}`);
  }
  return m;
}

/**
 * Watches the processes the product starts (it spawns git through child_process.spawn and
 * execFile): how many a checkpoint runs, and for how long at least one of them is running.
 */
function watchProcesses(): { start(): void; stop(): { count: number; busyMs: number } } {
  const cp = createRequire(__filename)('node:child_process') as Record<'spawn' | 'execFile', (...a: unknown[]) => ChildProcess>;
  let spans: [number, number][] | undefined;
  for (const name of ['spawn', 'execFile'] as const) {
    const orig = cp[name];
    cp[name] = (...a: unknown[]) => {
      const child = orig(...a);
      const list = spans;
      const t = performance.now();
      if (list) child.once('close', () => list.push([t, performance.now()]));
      return child;
    };
  }
  return {
    start: () => { spans = []; },
    stop: () => {
      const list = (spans ?? []).sort((a, b) => a[0] - b[0]);
      spans = undefined;
      let busyMs = 0;
      let end = -Infinity;
      for (const [s, e] of list) {
        if (e > end) busyMs += e - Math.max(s, end);
        end = Math.max(end, e);
      }
      return { count: list.length, busyMs };
    },
  };
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const p90 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 90);
const time = async (fn: () => unknown): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

async function main(): Promise<void> {
  const rows: Row[] = [];
  const t0 = performance.now();
  const ws = gitRepo();
  const { rels, bytes } = generate(ws, FILES);
  git(['add', '-A'], ws);
  git(['commit', '-q', '-m', 'workspace'], ws);
  const baseline = new Baseline(path.join(tmpDir('torbit-bench-base-'), 'base.git'), ws);
  baseline.checkpoint();
  console.log(`workspace: ${rels.length} files, ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${new Set(rels.map((r) => path.posix.dirname(r))).size} folders (generated and committed, and the baseline's first commit, in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`method: Torbit's checkpoints are incremental, fed by the file watcher (the paths it reports go to ChangeFeed.touched, as workspace/didChangeWatchedFiles does), `
    + `against a bare shadow repository running \`${BASELINE}\` over the whole work tree at every checkpoint; both see the same k edited files, ${REPS} times per k.`);

  const h = await harness([ws], { dataDir: tmpDir('torbit-bench-data-'), watching: true });
  try {
    const { cps, feed, chat } = h;
    const sessionId = await chat.createSession('bench', 'test:model');
    const afterTurn = async () => {
      const turnId = await chat.startTurn(sessionId, 'bench', 'test:model');
      return { turnId, take: () => cps.create({ kind: 'after-turn', sessionId, turnId }) };
    };
    // The first checkpoint of a process always scans (and here hashes all files: the store is new).
    const first = await time(() => cps.create({ label: 'first' }));
    // It wrote 20,000 loose objects, which git then packs in the background: a one-time job, done
    // before the timed checkpoints (it would compete with them for this machine's two cores).
    const rollup = await time(() => cps.idle());

    // 1. Incremental checkpoints, k files changed, against the baseline.
    const procs = watchProcesses();
    const r = rng(42);
    const storage: { torbit: number; base: number; content: number }[] = [];
    for (const k of KS) {
      const torbit: number[] = [];
      const base: number[] = [];
      const spawned: { count: number; busyMs: number }[] = [];
      for (let rep = 0; rep < REPS; rep++) {
        const { take } = await afterTurn();
        const changed = choose(rels, k, r);
        const abs = edit(ws, changed, `k${k}r${rep}`);
        feed.touched(abs); // what the watcher reports
        const measureStorage = k === ROLLBACK_K;
        const before = measureStorage ? torbitObjects(h.dataDir) : 0;
        let view: Awaited<ReturnType<typeof take>> | undefined;
        procs.start();
        torbit.push(await time(async () => { view = await take(); }));
        spawned.push(procs.stop());
        if (view!.files !== rels.length + 2) throw new Error(`checkpoint holds ${view!.files} files, expected ${rels.length + 2}`);
        const grew = measureStorage ? torbitObjects(h.dataDir) - before : 0;
        const baseBefore = measureStorage ? bytesUnder(baseline.objects) : 0;
        base.push(await time(() => baseline.checkpoint()));
        if (measureStorage) {
          const content = abs.reduce((n, f) => n + deflateSync(fs.readFileSync(f)).length, 0);
          storage.push({ torbit: grew, base: bytesUnder(baseline.objects) - baseBefore, content });
        }
      }
      const tm = median(torbit);
      const bm = median(base);
      const targeted = k <= 20;
      rows.push(
        { metric: `checkpoint, k=${k}: Torbit median`, measured: tm, unit: 'ms', ...(targeted ? { baseline: TARGET_MS, baselineName: 'target', limit: 'max' as const } : {}) },
        { metric: `checkpoint, k=${k}: Torbit p90`, measured: p90(torbit), unit: 'ms' },
        { metric: `checkpoint, k=${k}: of which git processes run (${median(spawned.map((x) => x.count))} per checkpoint)`, measured: median(spawned.map((x) => x.busyMs)), unit: 'ms', baseline: tm, baselineName: 'Torbit median' },
        { metric: `checkpoint, k=${k}: ${BASELINE} median`, measured: bm, unit: 'ms' },
        { metric: `checkpoint, k=${k}: Torbit speed-up over ${BASELINE}`, measured: bm / tm, unit: '× faster', ...(targeted ? { baseline: TARGET_SPEEDUP, baselineName: 'target (at least)', limit: 'min' as const } : {}) },
      );
    }

    // 2. Full scans (a manual checkpoint, or no watcher): the fallback's cost.
    const full: number[] = [];
    for (let i = 0; i < 3; i++) full.push(await time(() => cps.create({ label: `full ${i}` })));
    rows.push(
      { metric: 'first checkpoint of a process, new store (full scan, hashes every file)', measured: first, unit: 'ms' },
      { metric: 'then, in the background: its loose objects packed (git repack, once)', measured: rollup, unit: 'ms' },
      { metric: 'full-scan checkpoint (manual), median of 3', measured: median(full), unit: 'ms' },
    );

    // 3. Rollback: k=20 files changed outside a turn since a checkpoint; restore its files.
    const rollback: number[] = [];
    let strayTouched = 0;
    let restored = 0;
    for (let rep = 0; rep < ROLLBACK_REPS; rep++) {
      const target = await (await afterTurn()).take();
      const changed = choose(rels, ROLLBACK_K, r);
      const then = new Map(changed.map((rel) => [rel, fs.readFileSync(path.join(ws, rel))]));
      feed.touched(edit(ws, changed, `rollback${rep}`));
      const preview = await cps.preview(target.id, 'files');
      const confirmUserWork = preview.userWork.map((u) => path.join(u.folder, u.path));
      const before = statAll(ws, rels);
      let result: Awaited<ReturnType<typeof cps.restore>> | undefined;
      rollback.push(await time(async () => { result = await cps.restore({ checkpointId: target.id, mode: 'files', confirmUserWork }); }));
      const after = statAll(ws, rels);
      const differ = rels.filter((rel) => before.get(rel) !== after.get(rel));
      const want = new Set(changed);
      strayTouched += differ.filter((rel) => !want.has(rel)).length;
      restored += changed.filter((rel) => differ.includes(rel) && fs.readFileSync(path.join(ws, rel)).equals(then.get(rel)!)).length;
      if (result!.written !== ROLLBACK_K || result!.removed !== 0) throw new Error(`the restore wrote ${result!.written} and removed ${result!.removed} files, expected ${ROLLBACK_K} and 0`);
    }
    rows.push(
      { metric: `rollback, k=${ROLLBACK_K}: restore (median of ${ROLLBACK_REPS})`, measured: median(rollback), unit: 'ms', baseline: TARGET_ROLLBACK_MS, baselineName: 'target', limit: 'max' },
      { metric: `rollback, k=${ROLLBACK_K}: restore (slowest)`, measured: Math.max(...rollback), unit: 'ms' },
      { metric: `rollback: changed files back to the checkpoint's content`, measured: restored, unit: 'files', baseline: ROLLBACK_K * ROLLBACK_REPS, baselineName: 'all of them', limit: 'min' },
      { metric: `rollback: other files touched (mtime, inode or size changed)`, measured: strayTouched, unit: 'files', baseline: 0, baselineName: 'target', limit: 'max' },
    );

    // 4. Storage growth of one incremental checkpoint, k=20 (measured in 1).
    if (storage.length) {
      const sm = (f: (s: (typeof storage)[number]) => number) => median(storage.map(f));
      const ratio = median(storage.map((s) => s.torbit / s.content));
      rows.push(
        { metric: `storage growth, k=${ROLLBACK_K}: Torbit shadow repository objects (median)`, measured: sm((s) => s.torbit) / 1024, unit: 'KiB', baseline: sm((s) => s.base) / 1024, baselineName: BASELINE },
        { metric: `storage growth, k=${ROLLBACK_K}: changed content (each file whole), zlib-deflated`, measured: sm((s) => s.content) / 1024, unit: 'KiB' },
        { metric: `storage growth, k=${ROLLBACK_K}: Torbit ÷ compressed changed content`, measured: ratio, unit: '×', baseline: TARGET_STORAGE, baselineName: 'target', limit: 'max' },
        { metric: `storage growth, k=${ROLLBACK_K}: ${BASELINE} ÷ compressed changed content`, measured: median(storage.map((s) => s.base / s.content)), unit: '×' },
      );
    }
  } finally {
    await h.close();
  }
  await report(`Torbit checkpoints (${rels.length} files, ${(bytes / 1024 / 1024).toFixed(0)} MiB)`, 'checkpoints', rows);
}

runBench(main, cleanupTmp);
