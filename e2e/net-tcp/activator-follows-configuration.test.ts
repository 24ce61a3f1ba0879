// The net.tcp activator follows the running configuration: the first net.tcp binding added with appcmd
// starts it without a poolhost restart, removing the last one stops it. The pool whose application gains
// (or loses) its net.tcp face gets new workers that attach to the activator (or no longer do); HTTP service
// is untouched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { lineApp, tcpConnect, tcpRefusal } from './support/tcp-client.js';
import { waitForNetTcpEndpoints } from './support/net-tcp-instance.js';

/** The Lines application's two faces: HTTP answers the pid, net.tcp speaks the line protocol. */
const linesApp = `
require('node:http').createServer((req, res) => res.end(String(process.pid))).listen(process.env.PORT);
${lineApp}`;

test('appcmd adds the first net.tcp binding: the activator starts and serves it; removing the last one stops it; no poolhost restart', async () => {
  const [httpPort, linesHttpPort, tcpPort] = [await freePort(), await freePort(), await freePort()];
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'WebPool' }, { name: 'LinePool' }],
        sites: [
          { name: 'Web', id: 1, bindings: [`127.0.0.1:${httpPort}:`], applications: [{ path: '/', pool: 'WebPool', physicalPath: '{{root}}/web' }] },
          {
            name: 'Lines',
            id: 2,
            bindings: [`127.0.0.1:${linesHttpPort}:`],
            applications: [{ path: '/', pool: 'LinePool', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'http,net.tcp' } }],
          },
        ],
      }),
      files: { 'web/server.js': pidApp, 'lines/server.js': linesApp },
      waitForPort: [httpPort, linesHttpPort],
    },
    after,
  );
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  const activators = () => poolhost.processes().filter((info) => info.role === 'nettcpactivator');
  assert.deepEqual(activators(), [], 'an http-only configuration runs no activator');
  const poolhostPid = poolhost.processes().find((info) => info.role === 'poolhost')?.pid;

  // LinePool runs a worker for HTTP alone: it has no net.tcp attachment.
  const httpWorker = Number((await httpRequest({ port: linesHttpPort, path: '/' })).text);
  assert.deepEqual(poolhost.workers('LinePool').map((info) => info.pid), [httpWorker]);

  const binding = `[protocol='net.tcp',bindingInformation='${tcpPort}:127.0.0.1']`;
  const added = await appcmd(['set', 'site', 'Lines', `/+bindings.${binding}`], { env });
  assert.equal(added.code, 0, added.stderr);
  await waitFor('the activator to start', () => activators().length === 1, 30_000);
  await waitForNetTcpEndpoints(poolhost, 1);
  const client = await tcpConnect(tcpPort);
  client.write('hello\n');
  assert.equal(await client.line(), 'HELLO', 'the new binding is served by its pool');
  client.write('PID\n');
  const tcpWorker = Number(await client.line());
  assert.notEqual(tcpWorker, httpWorker, 'a new worker, attached to the activator, replaced the HTTP-only one');
  assert.equal((await httpRequest({ port: linesHttpPort, path: '/' })).text, String(tcpWorker), 'it serves both faces');
  client.write('QUIT\n');
  assert.equal(await client.line(), 'BYE');
  await client.closed;
  const status = await poolhost.cli('status');
  assert.match(status.stdout, /nettcpactivator\s+\d+\s+Running\s+0\b/, status.stdout);

  const removed = await appcmd(['set', 'site', 'Lines', `/-bindings.${binding}`], { env });
  assert.equal(removed.code, 0, removed.stderr);
  await waitFor('the activator to stop', () => activators().length === 0, 30_000);
  assert.equal(await tcpRefusal(tcpPort), 'ECONNREFUSED', 'nothing listens on the removed binding');
  assert.doesNotMatch((await poolhost.cli('status')).stdout, /nettcpactivator/);
  assert.equal((await httpRequest({ port: httpPort, path: '/' })).status, 200, 'HTTP is served throughout');
  await waitFor('LinePool to run a worker without net.tcp', async () => (await httpRequest({ port: linesHttpPort, path: '/' })).text !== String(tcpWorker), 30_000);
  assert.deepEqual(poolhost.logLines.filter((line) => [5002, 5009, 5011, 5012].includes(line.eventId ?? 0)), [], 'no worker crashed or failed to start');
  assert.equal(poolhost.processes().find((info) => info.role === 'poolhost')?.pid, poolhostPid, 'poolhost was not restarted');
});
