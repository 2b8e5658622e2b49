import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunSpec } from '../../server/protocol';
import { RunRepo } from '../../server/runs/repo';
import { openStore } from '../../server/store/open';
import type { Db } from '../../server/store/sqlite';
import { tmpDir } from '../support/tmp';

describe('background run storage', () => {
  let db: Db;
  let repo: RunRepo;
  beforeEach(async () => {
    ({ db } = await openStore(path.join(tmpDir(), 'torbit.db'), { mode: 'migrate' }));
    repo = new RunRepo(db);
  });
  afterEach(() => db.close());

  const spec = RunSpec.parse({ kind: 'build', platform: 'ios' });

  it('a step and its product events are written together', async () => {
    const run = await repo.create('/app', spec, 3);
    const next = await repo.update(run.id, { state: 'running', attempt: 1 }, [{ name: 'background_run.started', data: { attempt: 1 } }]);
    assert.equal(next.state, 'running');
    const events = await repo.events(run.id);
    assert.deepEqual(events.map((e) => [e.name, e.data]), [['background_run.started', { attempt: 1 }]]);
  });

  it('when an event cannot be written, the step is not written either (a crash between them leaves neither)', async () => {
    const run = await repo.create('/app', spec, 3);
    await db.exec("CREATE TEMP TRIGGER no_events BEFORE INSERT ON product_events BEGIN SELECT RAISE(ABORT, 'disk is full'); END");
    await assert.rejects(repo.update(run.id, { state: 'running', attempt: 1 }, [{ name: 'background_run.started', data: { attempt: 1 } }]), /disk is full/);
    const after = await repo.get(run.id);
    assert.equal(after!.state, 'queued');
    assert.equal(after!.attempt, 0);
    assert.deepEqual(await repo.events(run.id), []);
  });
});
