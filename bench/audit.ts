// Audit benchmarks (issue 4): chain verification of 100,000 records (target ≥ 100,000 records/s),
// and export plus offline verification of a 10,000-record bundle (target ≤ 2 s).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Backend } from '../server/backend';
import { GENESIS, sealRecord, verifyChain, type AuditBody } from '../server/audit/record';
import { loadOrCreateSigningKey, keyIdOf } from '../server/audit/keys';
import { verifyBundle } from '../server/audit/verify';
import { exportBundle } from '../server/audit/export';
import { silentLogger } from '../server/logger';
import { cleanupTmp, tmpDir } from '../test/support/tmp';
import { report, runBench, type Row } from './stats';

/** Fills the log the fast way (one transaction); what is measured is reading and verifying it. */
async function seed(db: ReturnType<Backend['requireDb']>, n: number): Promise<void> {
  let prev = GENESIS;
  await db.transaction(async () => {
    for (let seq = 1; seq <= n; seq++) {
      const body: AuditBody = {
        seq, ts: new Date(1_700_000_000_000 + seq * 1000).toISOString(), kind: seq % 4 === 0 ? 'change' : 'tool-call', actor: 'model',
        sessionId: `s${seq % 10}`, turnId: `t${seq % 100}`,
        data: seq % 4 === 0 ? { path: `src/file${seq % 50}.ts`, change: 'modify', shaBefore: 'a'.repeat(64), shaAfter: seq.toString(16).padStart(64, '0') }
          : { tool: 'read_file', summary: `src/file${seq % 50}.ts:1-40`, status: 'ok', result: '40 of 120 lines' },
      };
      const r = sealRecord(body, prev);
      await db.run('INSERT INTO audit (seq, ts, kind, actor, session_id, turn_id, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [r.seq, body.ts, body.kind, body.actor, body.sessionId, body.turnId, r.body, r.prev, r.hash]);
      prev = r.hash;
    }
  });
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  // 1. Chain verification, 100,000 records.
  const big = await Backend.open({ workspace: tmpDir(), dataDirSetting: '', env: {}, log: silentLogger, mode: 'migrate' });
  try {
    await seed(big.requireDb(), 100_000);
    const t0 = performance.now();
    const records = await big.audit().records();
    const t1 = performance.now();
    const c = verifyChain(records);
    const t2 = performance.now();
    if (!c.ok || c.count !== 100_000) throw new Error(`the seeded chain did not verify: ${JSON.stringify(c)}`);
    rows.push(
      { metric: 'chain verification (hashing only), records/s', measured: Math.round(100_000 / ((t2 - t1) / 1000)), unit: '/s', baseline: 100_000, baselineName: 'target (at least)', limit: 'min' },
      { metric: 'torbit audit verify incl. reading SQLite, records/s', measured: Math.round(100_000 / ((t2 - t0) / 1000)), unit: '/s', baseline: 100_000, baselineName: 'target (at least)', limit: 'min' },
    );
  } finally {
    await big.close();
  }
  // 2. Export + verify, 10,000 records.
  const mid = await Backend.open({ workspace: tmpDir(), dataDirSetting: '', env: {}, log: silentLogger, mode: 'migrate' });
  try {
    await seed(mid.requireDb(), 10_000);
    const out = path.join(tmpDir(), 'bundle.json');
    const env = { TORBIT_AUDIT_SIGNING_SECRET: 'bench-secret' };
    const t0 = performance.now();
    const e = await exportBundle(mid, env, { out });
    const t1 = performance.now();
    const key = loadOrCreateSigningKey(mid.dataDir.dir).publicKey;
    const v = verifyBundle(fs.readFileSync(out, 'utf8'), { ed25519: new Map([[keyIdOf(key), key]]), hmac: new Map([['torbit-default', Buffer.from('bench-secret')]]) });
    const t2 = performance.now();
    if (!v.ok || v.records !== e.records) throw new Error(`the exported bundle did not verify: ${JSON.stringify(v)}`);
    rows.push(
      { metric: 'export 10,000 records (signed bundle)', measured: t1 - t0, unit: 'ms' },
      { metric: 'verify that bundle (2 signatures, subjects, chain)', measured: t2 - t1, unit: 'ms' },
      { metric: 'export + verify, 10,000 records', measured: t2 - t0, unit: 'ms', baseline: 2000, baselineName: 'target', limit: 'max' },
      { metric: 'bundle size', measured: fs.statSync(out).size / 1024 / 1024, unit: 'MiB' },
    );
  } finally {
    await mid.close();
  }
  await report('Torbit audit', 'audit', rows);
}

runBench(main, cleanupTmp);
