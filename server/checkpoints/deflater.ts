// zlib for a checkpoint's objects, on two cores. Compression is most of an incremental checkpoint's
// cost, and an object's id does not depend on it (git hashes the raw body): the objects are hashed
// as they are made and compressed together at the end, about half of them on a worker thread
// while this thread does the rest. Without a worker (it failed to start, or died), all of them
// are compressed here: slower, never wrong.
import { Worker } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';

export interface DeflateJob {
  body: Buffer;
  level: number;
}

/** Below this many bytes in all, the round trip to the worker costs more than it saves. */
const WORKER_MIN_BYTES = 48 * 1024;

// Plain JavaScript run with `eval`: nothing for the bundler to find or miss.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { deflateSync } = require('node:zlib');
parentPort.on('message', ({ id, all: input, sizes: inSizes, levels }) => {
  try {
    let from = 0;
    const outs = inSizes.map((n, i) => {
      const body = input.subarray(from, from + n);
      from += n;
      return deflateSync(body, { level: levels[i] });
    });
    // All results in one buffer, handed over (not copied).
    const all = new Uint8Array(outs.reduce((n, o) => n + o.length, 0));
    let at = 0;
    for (const o of outs) { all.set(o, at); at += o.length; }
    parentPort.postMessage({ id, all, sizes: outs.map((o) => o.length) }, [all.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Reply {
  id: number;
  all?: Uint8Array;
  sizes?: number[];
  error?: string;
}

const here = (j: DeflateJob) => deflateSync(j.body, { level: j.level });

export class Deflater {
  private worker: Worker | undefined;
  /** The worker failed (to start, or while working): from then on everything is compressed here. */
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { worker: Worker; resolve(out: Buffer[]): void; reject(err: Error): void }>();
  /** Bytes the worker compressed (what it saved this thread). */
  offloaded = 0;

  /** The compressed bodies, in the order of `jobs`. */
  async deflateAll(jobs: readonly DeflateJob[]): Promise<Buffer[]> {
    const total = jobs.reduce((n, j) => n + j.body.length, 0);
    const worker = total >= WORKER_MIN_BYTES ? this.start() : undefined;
    if (!worker) return jobs.map(here);
    // Largest first, each to the side with fewer bytes so far: two halves of about equal work.
    const order = jobs.map((_, i) => i).sort((a, b) => jobs[b]!.body.length - jobs[a]!.body.length);
    const mine: number[] = [];
    const theirs: number[] = [];
    let mineBytes = 0;
    let theirBytes = 0;
    for (const i of order) {
      if (theirBytes <= mineBytes) { theirs.push(i); theirBytes += jobs[i]!.body.length; }
      else { mine.push(i); mineBytes += jobs[i]!.body.length; }
    }
    const out: Buffer[] = new Array<Buffer>(jobs.length);
    const remote = this.send(worker, theirs.map((i) => jobs[i]!));
    for (const i of mine) out[i] = here(jobs[i]!);
    let done: Buffer[];
    try {
      done = await remote;
      this.offloaded += theirBytes;
    } catch {
      done = theirs.map((i) => here(jobs[i]!));
    }
    theirs.forEach((i, n) => { out[i] = done[n]!; });
    return out;
  }

  /** Stops the worker; work it had is done here instead, and a later call starts another. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private start(): Worker | undefined {
    if (this.worker || this.broken) return this.worker;
    let w: Worker;
    try {
      w = new Worker(WORKER_SOURCE, { eval: true });
    } catch {
      this.broken = true;
      return undefined;
    }
    w.unref(); // an idle worker never keeps the process alive
    w.on('message', (r: Reply) => this.settle(r));
    const gone = (err: Error) => {
      if (this.worker === w) {
        this.worker = undefined;
        this.broken = true; // not closed by us: it would likely fail again
      }
      for (const [id, p] of this.pending) {
        if (p.worker !== w) continue;
        this.pending.delete(id);
        p.reject(err);
      }
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`the compression worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  private send(worker: Worker, jobs: DeflateJob[]): Promise<Buffer[]> {
    const id = this.nextId++;
    return new Promise<Buffer[]>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      worker.ref(); // while it works for us
      // One buffer with every body, handed over: a Buffer is often a view of a larger (pooled)
      // ArrayBuffer, and cloning one copies all of that.
      const all = new Uint8Array(jobs.reduce((n, j) => n + j.body.length, 0));
      let at = 0;
      for (const j of jobs) { all.set(j.body, at); at += j.body.length; }
      worker.postMessage({ id, all, sizes: jobs.map((j) => j.body.length), levels: jobs.map((j) => j.level) }, [all.buffer]);
    });
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (![...this.pending.values()].some((q) => q.worker === p.worker)) p.worker.unref();
    if (r.error !== undefined) {
      p.reject(new Error(r.error));
      return;
    }
    let at = 0;
    p.resolve(r.sizes!.map((n) => { const b = Buffer.from(r.all!.buffer, r.all!.byteOffset + at, n); at += n; return b; }));
  }
}

/** The process's one compressor. */
export const deflater = new Deflater();
