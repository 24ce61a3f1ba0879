import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { sleep, waitFor } from '../support/wait.js';
import { recorderApp } from './support/reliability-apps.js';
import { rawLoad, statusSummary } from './support/load.js';
import { readHttpErr } from './support/raw-client.js';

test('SIGKILL of a web-garden worker under POST load: only its in-flight requests fail, each once with 502, none hangs', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Garden', processModel: { maxProcesses: '3' }, environmentVariables: { RECORD_FILE: '{{root}}/received.log' } }],
        sites: [{ name: 'Garden', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Garden', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': recorderApp },
      waitForPort: port,
    },
    after,
  );
  const body = 'x'.repeat(2_000);
  const load = rawLoad(port, 12, (client, sequence) => {
    const path = `/post/${client}-${sequence}?delay=150`;
    return {
      path,
      bytes: Buffer.from(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
    };
  }, 10_000);
  after(() => load.stop().then(() => undefined));
  await waitFor('a garden of three under load', () => poolhost.workers('Garden').length === 3, 15_000);
  await sleep(500);
  // The victim is a worker that is serving right now: the one that recorded the latest request.
  const recorded = readFileSync(join(poolhost.root, 'received.log'), 'utf8').trim().split('\n');
  const victim = Number(recorded[recorded.length - 1]!.split(' ')[2]);
  process.kill(victim, 'SIGKILL');
  await waitFor('the victim to be gone', () => !poolhost.workers('Garden').some((info) => info.pid === victim), 10_000);
  await sleep(1_500);
  const result = await load.stop();

  // Which requests did the killed worker receive? The recorder wrote each one before answering.
  const receivedByVictim = new Set(
    readFileSync(join(poolhost.root, 'received.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields[2] === String(victim))
      .map((fields) => fields[1]!),
  );
  const failedPaths = result.failures.map((failure) => failure.path);
  assert.ok(failedPaths.length > 0, 'the killed worker had POSTs in flight');
  assert.deepEqual(result.hung, [], 'no request hung');
  assert.deepEqual(result.answeredTwice, [], 'no request was answered twice');
  for (const failure of result.failures) assert.equal(failure.status, 502, `${failure.path}: ${failure.status} ${failure.error ?? ''}`);
  // The failures are exactly the requests httpsys had handed to the killed worker: each has one HTTPERR
  // line Connection_Abandoned_By_ReqQueue (some never reached the application before it died).
  let abandoned: string[] = [];
  await waitFor('HTTPERR lines for the abandoned requests', () => {
    abandoned = readHttpErr(join(poolhost.root, 'logs', 'HTTPERR'))
      .filter((entry) => entry.reason === 'Connection_Abandoned_By_ReqQueue')
      .map((entry) => entry.uri);
    return abandoned.length >= failedPaths.length;
  }, 5_000, 100);
  assert.deepEqual([...abandoned].sort(), [...failedPaths].sort());
  // Every request the victim's application had and did not finish is one of them: nothing vanished.
  const unfinished = [...receivedByVictim].filter((path) => !result.successes.has(path));
  for (const path of unfinished) assert.ok(failedPaths.includes(path), `${path} was received by the victim and never answered`);
  assert.ok(result.successes.size > 100, `load went on (${statusSummary(result)})`);
  assert.ok(failedPaths.length <= 12, `at most one in-flight request per client failed (${failedPaths.length})`);
});
