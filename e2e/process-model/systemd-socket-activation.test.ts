// `poolhost start` as a socket-activated systemd service: the listening sockets come in as descriptors
// 3… with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID, and httpsys serves on them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { PoolhostInstance, startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest, tcpAccepts } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { servicePid } from '../reliability/support/orphans.js';

/** A listening socket, as systemd opens one for a .socket unit's ListenStream=. */
function listeningSocket(port: number): Promise<{ server: Server; fd: number; inode: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      resolve({ server, fd, inode: readlinkSync(`/proc/self/fd/${fd}`) });
    });
  });
}

/** Which of these processes hold the socket (`socket:[inode]`) among their descriptors. */
function holders(pids: number[], inode: string): number[] {
  return pids.filter((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === inode;
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}

test('socket-activated: systemd\'s socket serves the site, survives an httpsys kill, and reaches no other process; other bindings are opened by poolhost', async () => {
  const [activated, other] = [await freePort(), await freePort()];
  const socket = await listeningSocket(activated);
  // Closed below once poolhost holds its copy; if the test fails before that, a listening server left
  // open would keep this file's process (and the whole test run) alive.
  after(() => (socket.server.listening ? new Promise<void>((resolve) => socket.server.close(() => resolve())) : undefined));
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'A' }],
        sites: [
          { name: 'Activated', id: 1, bindings: [`127.0.0.1:${activated}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] },
          { name: 'Other', id: 2, bindings: [`127.0.0.1:${other}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] },
        ],
      }),
      files: { 'app/server.js': pidApp },
      systemdSockets: [{ fd: socket.fd, name: 'http' }],
      waitForPort: other,
    },
    after,
  );
  // systemd would keep its copy; this test gives poolhost the only one, so the stop below must close the port.
  await new Promise<void>((resolve) => socket.server.close(() => resolve()));

  assert.equal((await httpRequest({ port: activated })).status, 200);
  assert.equal((await httpRequest({ port: other })).status, 200);
  const messages = poolhost.logLines.map((line) => line.msg);
  assert.ok(messages.includes(`holding 127.0.0.1:${activated} from systemd (descriptor 3, http)`), 'poolhost took the socket in');
  assert.ok(messages.includes(`listening on 127.0.0.1:${activated} (socket held by poolhost, opened by systemd)`), 'httpsys listens on it');
  assert.ok(messages.includes(`opened 127.0.0.1:${other} for httpsys`), 'the binding systemd did not pass is opened by poolhost');

  // Only poolhost and httpsys hold the socket; no service or worker inherited it or the variables.
  const processes = poolhost.processes();
  const httpsys = servicePid(poolhost, 'httpsys')!;
  assert.deepEqual(holders(processes.map((info) => info.pid), socket.inode).sort(), [poolhost.pid!, httpsys].sort());
  // (poolhost's own /proc environ is what it was started with; its children's show what it passed on.)
  for (const info of processes.filter((candidate) => candidate.role !== 'poolhost')) {
    const environment = readFileSync(`/proc/${info.pid}/environ`, 'latin1').split('\0');
    assert.ok(!environment.some((variable) => /^LISTEN_(PID|FDS|FDNAMES)=/.test(variable)), `${info.role} ${info.pid} has no LISTEN_ variables`);
  }

  // The port stays open while httpsys is gone; the next httpsys takes the same socket.
  process.kill(httpsys, 'SIGKILL');
  await waitFor('httpsys to exit', () => servicePid(poolhost, 'httpsys') !== httpsys, 10_000);
  assert.equal(await tcpAccepts(activated), true, 'accepted while httpsys restarts');
  assert.equal((await httpRequest({ port: activated, timeoutMs: 30_000 })).status, 200);
  assert.deepEqual(holders([servicePid(poolhost, 'httpsys')!], socket.inode).length, 1, 'the new httpsys listens on systemd\'s socket');

  const { exitCode } = await poolhost.stop();
  assert.equal(exitCode, 0);
  assert.equal(await tcpAccepts(activated), false, 'the last copy closed with poolhost');
});

test('a descriptor systemd passed that is not a TCP socket is refused at start, with its number', async () => {
  const file = openSync('/etc/hostname', 'r');
  try {
    const refused = new PoolhostInstance({ config: applicationHostConfig({ pools: [{ name: 'A' }], sites: [] }), systemdSockets: [{ fd: file, name: 'hostname' }] });
    after(() => refused.cleanup());
    await refused.start();
    assert.equal(await refused.waitForExit(15_000), 1);
    assert.match(refused.stderr, /^poolhost: socket activation: descriptor 3 is not a TCP socket/);
    assert.deepEqual(refused.processes(), []);
  } finally {
    closeSync(file);
  }
});
