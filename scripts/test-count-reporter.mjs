// A node:test reporter that writes one line of JSON with the stage's counts, so that scripts/test.mjs can
// close the log with one total over both stages (Node prints a summary per run).
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failedTests: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip || event.data.todo) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else {
      counts.failed++;
      counts.failedTests.push(`${event.data.file ?? ''}: ${event.data.name}`);
    }
  }
  yield `${JSON.stringify(counts)}\n`;
}
