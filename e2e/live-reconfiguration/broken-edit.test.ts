import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { saveConfig, singlePoolConfig } from '../recycling/recycling-support.js';

test('a broken edit is logged with its file:line:column and the server keeps answering as before', async () => {
  const port = await freePort();
  const good = singlePoolConfig(port, { name: 'Steady' });
  const poolhost = await startPoolhost({ config: good, files: { 'app/server.js': pidApp }, waitForPort: port }, after);
  const pid = (await httpRequest({ port })).text;
  const broken = good.replace('<add name="Steady"', '<add name="Steady" queueLength="lots"');
  saveConfig(poolhost, broken);
  // A configuration reload: 15 s leaves room for a loaded 2-core machine.
  await waitFor('the error to be logged', () => poolhost.logLines.some((line) => line.configError !== undefined), 15_000);
  const line = poolhost.logLines.find((entry) => entry.configError !== undefined)!;
  const position = line.configError as { file: string; line: number; column: number };
  assert.equal(position.file, poolhost.configFile);
  const lineText = broken.split('\n')[position.line - 1]!;
  assert.equal(lineText.slice(position.column - 1).startsWith('queueLength="lots"'), true, `line ${position.line} column ${position.column} points at the bad attribute: ${lineText}`);
  assert.match(String(line.msg), /last known good/);
  assert.match(String(line.msg), /applicationHost\.config:\d+:\d+: /);
  const after1 = await httpRequest({ port });
  assert.equal(after1.status, 200);
  assert.equal(after1.text, pid, 'same worker, nothing recycled');
});
