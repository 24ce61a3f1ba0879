import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { saveConfig } from '../recycling/recycling-support.js';
import { cases, checkPosition, goodConfig, position } from './support/broken-configs.js';

test('the same edits saved over a running server are refused with their position; it keeps its last known good configuration', async () => {
  const port = await freePort();
  const good = goodConfig(port);
  const poolhost = await startPoolhost({ config: good, files: { 'app/server.js': pidApp }, waitForPort: port }, after);
  const first = await httpRequest({ port, path: '/' });
  assert.equal(first.status, 200);
  const timings: string[] = [];
  for (const brokenCase of cases) {
    const errorsBefore = poolhost.logLines.filter((line) => line.configError !== undefined).length;
    const text = brokenCase.text(good).replaceAll('{{root}}', poolhost.root);
    const saved = Date.now();
    saveConfig(poolhost, text);
    await waitFor(`${brokenCase.name}: the refusal to be logged`, () => poolhost.logLines.filter((line) => line.configError !== undefined).length > errorsBefore, 15_000);
    timings.push(`${brokenCase.name}: ${Date.now() - saved} ms`);
    const line = poolhost.logLines.filter((entry) => entry.configError !== undefined).at(-1)!;
    assert.match(String(line.msg), /last known good/, brokenCase.name);
    const where = line.configError as { file: string; line: number; column: number };
    assert.equal(where.file, poolhost.configFile);
    checkPosition(brokenCase, text, where);
    assert.equal(position(String(line.msg), poolhost.configFile).line, where.line);
    const response = await httpRequest({ port, path: '/' });
    assert.equal(response.status, 200, `${brokenCase.name}: still serving`);
    assert.equal(response.text, first.text, `${brokenCase.name}: same worker, nothing recycled`);
  }
  console.log(`running server: ${timings.join('; ')}`);
  // A good edit after all that is applied as usual.
  saveConfig(poolhost, good.replace('<add name="A">', '<add name="A" queueLength="2000">'));
  await waitFor('the good edit to be applied', () => poolhost.logLines.some((line) => String(line.msg).startsWith('configuration change applied')), 10_000);
  assert.equal((await httpRequest({ port, path: '/' })).status, 200);
  assert.equal(poolhost.events(5002).length, 0);
});
