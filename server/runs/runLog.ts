// A run's log file (<dataDir>/runs/<id>.log) and its product events: what the backend's
// torbit/runs/log answers and what `torbit ship log` prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProductEvent } from '../protocol';
import type { RunRepo } from './repo';

/** What is returned of a log: its end, since a long build's log can be large. */
export const MAX_LOG_BYTES = 200_000;

export function runLogFile(dataDir: string, id: string): string {
  return path.join(dataDir, 'runs', `${id}.log`);
}

/** The run's log so far (its last 200 kB; empty before its first line) and its product events. */
export async function readRunLog(repo: RunRepo, dataDir: string, id: string): Promise<{ text: string; events: ProductEvent[] }> {
  let text = '';
  try {
    text = await fs.promises.readFile(runLogFile(dataDir, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { text: text.length > MAX_LOG_BYTES ? text.slice(-MAX_LOG_BYTES) : text, events: await repo.events(id) };
}
