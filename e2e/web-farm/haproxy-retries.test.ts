// The retry lines of the documented farm configuration (docs/web-farm.md, "A farm of three"), with a real
// HAProxy in front of two poolhost hosts: a worker killed while it holds a request makes poolhost answer
// 502; HAProxy sends a GET again (it reaches a worker that answers) but never a POST, whose client gets the
// 502 and whose body reached one application once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { haproxyFarmFrontend, startHaproxy } from '../support/haproxy.js';

test('HAProxy with the documented retry-on: a GET broken by a worker crash is sent again and answered, a POST is not (one arrival, the client gets 502)', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-farm-retries-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const arrivals = join(folder, 'arrivals.log');
  writeFileSync(arrivals, '');
  // Every arrival is written down (method, path, pid); the first arrival of a /hold path is never answered.
  const app = `const { appendFileSync, readFileSync } = require('node:fs');
module.exports = (req, res) => {
  const seen = readFileSync(${JSON.stringify(arrivals)}, 'utf8').split('\\n').filter((line) => line.split(' ')[1] === req.url).length;
  appendFileSync(${JSON.stringify(arrivals)}, req.method + ' ' + req.url + ' ' + process.pid + '\\n');
  req.resume();
  if (req.url.startsWith('/hold') && seen === 0) return;
  req.on('end', () => res.end(String(process.pid)));
};`;
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const [frontPort, ...hostPorts] = ports as [number, number, number];
  for (const port of hostPorts) {
    await startPoolhost(
      {
        config: applicationHostConfig({
          pools: [{ name: 'Shop', failure: { rapidFailProtection: 'false' } }],
          sites: [{ name: 'Shop', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Shop', physicalPath: '{{root}}/app' }] }],
        }),
        files: { 'app/server.js': app },
        waitForPort: port,
      },
      after,
    );
  }
  await startHaproxy(
    `${haproxyFarmFrontend(frontPort).replace('defaults\n', 'defaults\n  retries 3\n  option redispatch 1\n  retry-on conn-failure empty-response response-timeout 502 503 504\n')}
backend shop
  balance roundrobin
  http-request disable-l7-retry unless METH_GET or METH_HEAD or METH_OPTIONS
${hostPorts.map((port, index) => `  server host${index + 1} 127.0.0.1:${port}`).join('\n')}
`,
    after,
  );
  const arrivalsOf = (path: string): Array<{ method: string; pid: number }> =>
    readFileSync(arrivals, 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields[1] === path)
      .map(([method, , pid]) => ({ method: method!, pid: Number(pid) }));
  /** Sends the request through HAProxy, kills the worker that holds it, and returns the client's answer. */
  const crashWhileHeld = async (method: 'GET' | 'POST', path: string) => {
    const answer = httpRequest({ port: frontPort, path, method, timeoutMs: 30_000, ...(method === 'POST' ? { body: 'order=1' } : {}) });
    await waitFor(`the ${method} to reach a worker`, () => arrivalsOf(path).length === 1, 30_000);
    process.kill(arrivalsOf(path)[0]!.pid, 'SIGKILL');
    return answer;
  };

  const get = await crashWhileHeld('GET', '/hold/get');
  assert.equal(get.status, 200, 'the GET was sent again and answered');
  const getArrivals = arrivalsOf('/hold/get');
  assert.equal(getArrivals.length, 2);
  assert.equal(Number(get.text), getArrivals[1]!.pid, 'answered by the second worker it reached');
  assert.notEqual(getArrivals[1]!.pid, getArrivals[0]!.pid);

  const post = await crashWhileHeld('POST', '/hold/post');
  assert.equal(post.status, 502, 'the POST is not sent again: its client gets the 502');
  assert.deepEqual(arrivalsOf('/hold/post').map((arrival) => arrival.method), ['POST'], 'its body reached one application once');
});
