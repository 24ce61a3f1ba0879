import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The parser poolhost itself uses (e2e has no package dependency on it).
import { loadApplicationHostConfig } from '../../packages/config/src/index.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { appcmd, appcmdBin } from '../appcmd/appcmd-process.js';
import { sleep } from '../support/wait.js';

test('16 appcmd processes editing at once: every edit lands, the file always parses; a SIGKILL mid-edit corrupts nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-e2e-edits-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'applicationHost.config');
  writeFileSync(file, applicationHostConfig({ pools: [{ name: 'Base' }], sites: [{ name: 'S', id: 1, bindings: ['127.0.0.1:8080:'], applications: [{ path: '/', pool: 'Base', physicalPath: folder }] }] }).replaceAll('{{root}}', folder));

  // A reader that parses the file continuously while the editors run: it must never see a broken file.
  let parses = 0;
  let broken: string | null = null;
  let reading = true;
  const reader = (async () => {
    while (reading) {
      try {
        loadApplicationHostConfig(file);
        parses++;
      } catch (error) {
        broken = String(error);
      }
      await sleep(2);
    }
  })();

  const editors = 16;
  const results = await Promise.all(
    Array.from({ length: editors }, (_, index) => appcmd(['add', 'apppool', `/name:Pool${index}`, `/apphostconfig:${file}`])),
  );
  // The same pools' attributes edited concurrently, too.
  const setResults = await Promise.all(
    Array.from({ length: editors }, (_, index) => appcmd(['set', 'apppool', `Pool${index}`, `/queueLength:${2000 + index}`, `/apphostconfig:${file}`])),
  );
  reading = false;
  await reader;

  for (const result of [...results, ...setResults]) assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(broken, null);
  assert.ok(parses > 0);
  const model = loadApplicationHostConfig(file);
  for (let index = 0; index < editors; index++) {
    const pool = model.applicationPools.find((candidate) => candidate.name === `Pool${index}`);
    assert.ok(pool, `Pool${index} was added`);
    assert.equal(pool.queueLength, 2000 + index, `Pool${index}'s edit landed`);
  }
  assert.equal(existsSync(`${file}.lock`), false, 'no lock left behind');

  // SIGKILL appcmd processes at random points of their edits: the file is the old or the new one.
  const before = readFileSync(file, 'utf8');
  for (let round = 0; round < 10; round++) {
    const child = spawn(process.execPath, [appcmdBin, 'add', 'apppool', `/name:Killed${round}`, `/apphostconfig:${file}`], { stdio: 'ignore' });
    // Listened for from the start: on a quick machine the edit may be done before the kill.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await sleep(40 + round * 12);
    child.kill('SIGKILL');
    await exited;
    loadApplicationHostConfig(file);
  }
  const after1 = readFileSync(file, 'utf8');
  assert.ok(after1.startsWith(before.slice(0, 200)));
  // A lock left by a killed editor does not block the next one.
  const next = await appcmd(['add', 'apppool', '/name:AfterKills', `/apphostconfig:${file}`]);
  assert.equal(next.code, 0, next.stdout + next.stderr);
  assert.ok(loadApplicationHostConfig(file).applicationPools.some((pool) => pool.name === 'AfterKills'));
});
