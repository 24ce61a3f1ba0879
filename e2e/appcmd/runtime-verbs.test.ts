// appcmd's runtime verbs against a real poolhost: state in lists, start/stop/recycle of pools and
// sites, list wp, and the documented `list requests /xml | list apppools /in /xml | recycle apppools /in` pipe.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from './appcmd-process.js';

test('appcmd drives a running poolhost like IIS', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'DefaultAppPool' }, { name: 'SlowPool' }],
        sites: [
          {
            name: 'Default Web Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', physicalPath: '{{root}}/app' },
              { path: '/slow', pool: 'SlowPool', physicalPath: '{{root}}/app' },
            ],
          },
        ],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  const run = (...args: string[]) => appcmd(args, { env });

  assert.equal((await run('list', 'sites')).stdout, `SITE "Default Web Site" (id:1,bindings:http/127.0.0.1:${port}:,state:Started)\n`);
  assert.equal(
    (await run('list', 'apppools')).stdout,
    'APPPOOL "DefaultAppPool" (MgdVersion:,MgdMode:Integrated,state:Started)\nAPPPOOL "SlowPool" (MgdVersion:,MgdMode:Integrated,state:Started)\n',
  );
  assert.equal((await run('list', 'wps')).stdout, '', 'OnDemand pools have no worker before the first request');

  const first = await httpRequest({ port, path: '/' });
  const pid = first.text;
  assert.equal((await run('list', 'wps', '/apppool.name:DefaultAppPool')).stdout, `WP "${pid}" (applicationPool:DefaultAppPool)\n`);
  const detail = (await run('list', 'wp', pid, '/text:*')).stdout;
  assert.match(detail, new RegExp(`^WP\\n {2}WP.NAME: ${pid}\\n {2}APPPOOL.NAME: DefaultAppPool\\n`));
  assert.match(detail, /\n {2}requestsServed: [1-9]\d*\n/);
  assert.match(detail, /\n {2}memory: \d+ KB\n/);
  assert.match(detail, /\n {2}state: Running\n {2}role: active\n/, 'poolhost adds the role after the state');

  // A slow request in SlowPool, then the documented pipe recycles the pool that owns it.
  // Long enough to still be in flight after four appcmd runs on a loaded machine; the recycle below lets it finish.
  const slow = httpRequest({ port, path: '/slow/wait?delay=20000', timeoutMs: 60_000 });
  await waitFor('the slow request to be listed', async () => (await run('list', 'requests', '/elapsed:1000')).stdout.startsWith('REQUEST "'), 15_000);
  const requests = await run('list', 'requests', '/elapsed:1000', '/xml');
  assert.match(requests.stdout, /<REQUEST REQUEST.NAME="[0-9a-f]{16}" WP.NAME="\d+" APPPOOL.NAME="SlowPool"/);
  assert.equal((await appcmd(['list', 'apps', '/in'], { env, stdin: requests.stdout })).stdout, 'APP "Default Web Site/slow" (applicationPool:SlowPool)\n');
  const pools = await appcmd(['list', 'apppools', '/in', '/xml'], { env, stdin: requests.stdout });
  assert.match(pools.stdout, /<APPPOOL APPPOOL.NAME="SlowPool" PipelineMode="Integrated" RuntimeVersion="" state="Started" \/>/);
  assert.deepEqual(await appcmd(['recycle', 'apppools', '/in'], { env, stdin: pools.stdout }).then((r) => [r.code, r.stdout]), [0, '"SlowPool" successfully recycled\n']);
  assert.equal((await slow).status, 200, 'an overlapped recycle lets the slow request finish');

  assert.deepEqual(await run('stop', 'apppool', '/apppool.name:SlowPool').then((r) => [r.code, r.stdout]), [0, '"SlowPool" successfully stopped.\n']);
  // Each probe is an appcmd run (a Node CLI start: seconds on a loaded 2-core machine).
  await waitFor('SlowPool to be Stopped', async () => (await run('list', 'apppools', '/state:Stopped')).stdout.includes('"SlowPool"'), 30_000);
  assert.equal((await httpRequest({ port, path: '/slow/x' })).status, 503);
  assert.equal((await run('stop', 'apppool', 'SlowPool')).stdout, 'ERROR ( hresult:80070426, message:Command execution failed.\nThe service has not been started.\n )\n');
  assert.deepEqual(await run('start', 'apppool', 'SlowPool').then((r) => [r.code, r.stdout]), [0, '"SlowPool" successfully started.\n']);
  // The restarted pool's first worker is demand-started (a Node process start).
  await waitFor('SlowPool to serve again', async () => (await httpRequest({ port, path: '/slow/x' })).status === 200, 30_000);

  const history = (await run('list', 'apppool', 'SlowPool', '/text:*')).stdout;
  assert.match(history, /\n {2}\[workerProcessHistory\]\n {4}\[workerProcess\]\n {6}pid:"\d+"\n/);

  assert.deepEqual(await run('stop', 'site', 'Default Web Site').then((r) => [r.code, r.stdout]), [0, '"Default Web Site" successfully stopped.\n']);
  await waitFor('the site to answer 404', async () => (await httpRequest({ port, path: '/' })).status === 404, 15_000);
  assert.equal((await run('list', 'sites', '/state:Stopped')).stdout, `SITE "Default Web Site" (id:1,bindings:http/127.0.0.1:${port}:,state:Stopped)\n`);
  assert.deepEqual(await run('start', 'site', 'Default Web Site').then((r) => [r.code, r.stdout]), [0, '"Default Web Site" successfully started.\n']);
  await waitFor('the site to serve again', async () => (await httpRequest({ port, path: '/' })).status === 200, 15_000);
});
