import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { createTestUser, isRoot, removeTestUser, runNodeAs } from './support/test-users.js';

/** Inodes of the TCP sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Listening TCP ports (state 0A) per socket inode, from /proc/net/tcp and tcp6. */
function listeningTcp(): Map<string, number> {
  const listening = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'latin1').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') listening.set(fields[9]!, parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return listening;
}

test('run directory 0700, sockets 0600, nothing administrative on TCP, and another local user cannot reach any control socket', { skip: !isRoot && 'needs root to create a second user' }, async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'A' }],
        sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  assert.equal((await httpRequest({ port })).status, 200);
  const runDirectory = poolhost.runDirectory;
  assert.equal(statSync(runDirectory).mode & 0o777, 0o700, 'run directory mode');
  const sockets = readdirSync(runDirectory).filter((name) => name.endsWith('.sock'));
  assert.deepEqual(sockets.sort(), ['httpsys-data.sock', 'httpsys.sock', 'poolhost.sock', 'w3svc.sock', 'was.sock']);
  for (const name of sockets) assert.equal(statSync(join(runDirectory, name)).mode & 0o777, 0o600, `${name} mode`);

  // The only TCP socket any poolhost process listens on is the site binding.
  const listening = listeningTcp();
  const ports = new Set<number>();
  for (const info of poolhost.processes()) {
    for (const inode of socketInodes(info.pid)) if (listening.has(inode)) ports.add(listening.get(inode)!);
  }
  assert.deepEqual([...ports], [port]);

  // A second local user: no socket answers, whatever the mode of the folder above.
  const user = createTestUser('poolhost-e2e-intruder');
  after(() => removeTestUser(user.name));
  for (const name of sockets) {
    const attempt = runNodeAs(
      user,
      `require('node:net').connect(${JSON.stringify(join(runDirectory, name))}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`,
    );
    assert.equal(attempt.stdout.trim(), 'EACCES', `${name}: ${attempt.stdout}${attempt.stderr}`);
  }
  // Even with the run directory opened up (a careless chmod), the sockets' own 0600 holds.
  const { chmodSync } = await import('node:fs');
  chmodSync(runDirectory, 0o755);
  after(() => { try { chmodSync(runDirectory, 0o700); } catch { /* already removed */ } });
  const throughOpenFolder = runNodeAs(
    user,
    `require('node:net').connect(${JSON.stringify(join(runDirectory, 'was.sock'))}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`,
  );
  assert.equal(throughOpenFolder.stdout.trim(), 'EACCES');
});
