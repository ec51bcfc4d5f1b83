// Mocha takes one reporter: this one prints like `spec` and also writes the counts (and each test's
// outcome) as JSON to $PICTOR_SUMMARY_FILE, which is how test/run-all.mjs adds up the layers.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class PictorReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tests = [];
    runner.on(EVENT_TEST_PASS, (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    // Also receives failing hooks: a broken `before` counts as a failure, not as fewer tests.
    runner.on(EVENT_TEST_FAIL, (t, err) => tests.push({ title: t.fullTitle(), state: 'failed', error: String(err && (err.stack || err.message) || err) }));
    runner.on(EVENT_TEST_PENDING, (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.PICTOR_SUMMARY_FILE;
      if (!file) return;
      const s = runner.stats || {};
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes || 0, failed: s.failures || 0, pending: s.pending || 0, tests }, null, 2));
    });
  }
}

module.exports = PictorReporter;
