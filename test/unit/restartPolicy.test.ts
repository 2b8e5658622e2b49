import * as assert from 'node:assert/strict';
import { RestartPolicy } from '../../extension/restartPolicy';

describe('restart policy', () => {
  it('restarts up to max crashes within the window, then gives up with a reason', () => {
    let t = 0;
    const p = new RestartPolicy(3, 60_000, () => t);
    for (let i = 1; i <= 3; i++) { t += 1000; assert.deepEqual(p.onCrash(), { restart: true, attempt: i }); }
    t += 1000;
    const d = p.onCrash();
    assert.equal(d.restart, false);
    assert.match(!d.restart ? d.reason : '', /crashed 4 times in 1 minute.*Torbit: Restart Backend/);
  });

  it('forgets crashes older than the window', () => {
    let t = 0;
    const p = new RestartPolicy(1, 10_000, () => t);
    assert.equal(p.onCrash().restart, true);
    t += 10_001;
    assert.deepEqual(p.onCrash(), { restart: true, attempt: 1 });
    t += 1;
    assert.equal(p.onCrash().restart, false);
  });

  it('starts afresh after a deliberate restart, and never restarts with max 0', () => {
    const p = new RestartPolicy(1, 60_000, () => 0);
    p.onCrash();
    assert.equal(p.onCrash().restart, false);
    p.reset();
    assert.equal(p.onCrash().restart, true);
    assert.equal(new RestartPolicy(0, 60_000).onCrash().restart, false);
  });
});
