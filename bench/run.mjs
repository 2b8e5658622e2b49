// `npm run bench [audit] [relay] [checkpoints] [review]`: runs the benchmarks (all by default) and fails if any missed a target.
import { spawnSync } from 'node:child_process';
const all = ['audit', 'relay', 'checkpoints', 'review'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const b of wanted) {
  if (!all.includes(b)) { console.error(`unknown benchmark ${b} (known: ${all.join(', ')})`); process.exit(2); }
  const r = spawnSync('npx', ['tsx', `bench/${b}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
