// A Checkpoints service over a real SQLite store and real git, for the checkpoint tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuditLog } from '../../server/audit/log';
import { ChangeFeed } from '../../server/checkpoints/feed';
import { Checkpoints } from '../../server/checkpoints/service';
import { silentLogger } from '../../server/logger';
import { ChatRepo } from '../../server/store/chatRepo';
import { openStore } from '../../server/store/open';
import type { Db } from '../../server/store/sqlite';
import { tmpDir } from './tmp';

export interface Harness {
  cps: Checkpoints;
  db: Db;
  audit: AuditLog;
  chat: ChatRepo;
  feed: ChangeFeed;
  dataDir: string;
  /** A finished turn, as the chat records one: before-turn checkpoint, `change`, after-turn checkpoint. */
  turn(sessionId: string, text: string, change: () => void, opts?: { touched?: string[] }): Promise<string>;
  close(): Promise<void>;
}

export async function harness(folders: string[], opts: { maxFileBytes?: number; dataDir?: string; watching?: boolean } = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? tmpDir('torbit-data-');
  fs.mkdirSync(dataDir, { recursive: true });
  const { db } = await openStore(path.join(dataDir, 'torbit.db'), { mode: 'migrate' });
  const audit = new AuditLog(db);
  const feed = new ChangeFeed(folders);
  if (opts.watching) feed.setWatching(true);
  const cps = await Checkpoints.open({ db, audit, folders, dataDir, log: silentLogger, maxFileBytes: () => opts.maxFileBytes ?? 1024 * 1024, feed });
  const chat = new ChatRepo(db);
  return {
    cps, db, audit, chat, feed, dataDir,
    async turn(sessionId, text, change, o = {}) {
      const turnId = await chat.startTurn(sessionId, text, 'test:model');
      await cps.beforeChange(sessionId, turnId);
      change();
      if (o.touched) feed.touched(o.touched);
      await chat.appendMessages(sessionId, turnId, [{ role: 'user', content: text } as never, { role: 'assistant', content: `done: ${text}` } as never]);
      await chat.endTurn(turnId, 'done');
      await cps.afterTurn(sessionId, turnId);
      return turnId;
    },
    close: () => db.close(),
  };
}
