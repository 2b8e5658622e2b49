// Percentiles and the table `npm run bench` prints.
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Row {
  metric: string;
  measured: number;
  unit: string;
  /** The named baseline: the issue's target, or a reference measurement. */
  baseline?: number;
  baselineName?: string;
  /** The baseline is a target: 'max', the measured value must not exceed it; 'min', not fall below it. */
  limit?: 'max' | 'min';
}

export function table(title: string, rows: Row[]): string {
  const fmt = (n: number | undefined, unit = '') => (n === undefined || Number.isNaN(n) ? '—' : `${Number.isInteger(n) ? n : n.toFixed(2)}${unit ? ` ${unit}` : ''}`);
  const cells = rows.map((r) => [
    r.metric, fmt(r.measured, r.unit), r.baseline === undefined ? '—' : `${fmt(r.baseline, r.unit)} (${r.baselineName})`,
    r.baseline === undefined ? '—' : r.baseline === 0 ? (r.measured === 0 ? '1.00×' : '∞') : `${(r.measured / r.baseline).toFixed(2)}×`,
    r.limit ? (meets(r) ? 'met' : 'MISSED') : '',
  ]);
  const head = ['metric', 'measured', 'baseline', 'ratio', 'target'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`;
  return [`\n${title}`, line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

function meets(r: Row): boolean {
  if (r.baseline === undefined) return true;
  return r.limit === 'min' ? r.measured >= r.baseline : r.measured <= r.baseline;
}

export function missed(rows: Row[]): Row[] {
  return rows.filter((r) => r.limit && !meets(r));
}

/** Resident set size of a process, in MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number | undefined> {
  const fs = await import('node:fs/promises');
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : undefined;
}

/** Prints the table, saves it as artifacts/bench/<name>.txt, and fails the run when a target is missed. */
export async function report(title: string, name: string, rows: Row[]): Promise<void> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const out = table(title, rows);
  console.log(out);
  const dir = path.resolve(__dirname, '..', 'artifacts', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.txt`), `${out}\n`);
  const bad = missed(rows);
  if (bad.length) {
    console.log(`\nMISSED: ${bad.map((r) => r.metric).join(', ')}`);
    process.exitCode = 1;
  }
}

/** Runs a benchmark's main, reporting a crash as a failure, then cleans up. */
export function runBench(main: () => Promise<void>, cleanup: () => void): void {
  main().catch((err: Error) => {
    console.error(`bench: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  }).finally(cleanup);
}
