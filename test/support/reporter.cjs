// Mocha reporter: the usual spec output, plus a stats file for test/run.mjs to add up
// (path in TORBIT_TEST_STATS). Pending tests are listed by title: a skip is never a pass.
const Mocha = require('mocha');
const fs = require('node:fs');

class TorbitReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const skipped = [];
    const failed = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (t) => skipped.push({ title: t.fullTitle(), reason: t.skipReason || 'marked pending' }));
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (t, err) => failed.push({ title: t.fullTitle(), error: String(err && err.message).split('\n')[0] }));
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.TORBIT_TEST_STATS;
      if (!file) return;
      const s = runner.stats;
      fs.writeFileSync(file, JSON.stringify({ passes: s.passes, failures: s.failures, pending: s.pending, skipped, failed }));
    });
  }
}
module.exports = TorbitReporter;
