// A node:test reporter that keeps the stage's counts as one line of JSON in POOLHOST_TEST_COUNTS_FILE, so
// that scripts/test.mjs can close the log with one total over both stages (Node prints a summary per run).
// The file is rewritten synchronously after every test: --test-force-exit ends the runner without waiting
// for a reporter's last write.
import { writeFileSync } from 'node:fs';

export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failedTests: [] };
  const file = process.env.POOLHOST_TEST_COUNTS_FILE;
  if (file) writeFileSync(file, JSON.stringify(counts));
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip || event.data.todo) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else {
      counts.failed++;
      counts.failedTests.push(`${event.data.file ?? ''}: ${event.data.name}`);
    }
    if (file) writeFileSync(file, JSON.stringify(counts));
  }
}
