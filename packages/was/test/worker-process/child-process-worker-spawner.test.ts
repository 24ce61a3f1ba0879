import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { socketPath } from '@poolhost/protocol';
import { createChildProcessWorkerSpawner, fingerprints, preparedAheadUsable } from '../../src/worker-process/child-process-worker-spawner.js';
import { configWithPools } from '../support/config-fixture.js';

const silent = createLogger({ service: 'was', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

/** A run directory and a stand-in w3wp (POOLHOST_BIN_DIR) that writes a line on fd 3, its data connection, and waits. */
function fixture(): { folder: string; runDirectory: string; w3wp: string; env: NodeJS.ProcessEnv } {
  const folder = mkdtempSync(join(tmpdir(), 'spawner-test-'));
  const runDirectory = join(folder, 'run');
  const bin = join(folder, 'bin');
  mkdirSync(runDirectory, { mode: 0o700 });
  mkdirSync(bin);
  const w3wp = join(bin, 'w3wp.js');
  writeFileSync(
    w3wp,
    `const { Socket } = require('node:net');
new Socket({ fd: 3, readable: true, writable: true }).end('from fd 3 of ' + process.argv.slice(2).join(' ') + '\\n');
setTimeout(() => undefined, 60000);
`,
  );
  return { folder, runDirectory, w3wp, env: { ...process.env, POOLHOST_BIN_DIR: bin } };
}

function request(): Parameters<ReturnType<typeof createChildProcessWorkerSpawner>['spawn']>[0] {
  return { applicationPool: configWithPools([{ name: 'Spawned' }]).applicationPools[0]!, workerId: '1', handlers: {} };
}

/** The processes running `script` (from /proc). */
function processesRunning(script: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(script);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what: string, condition: () => boolean, timeLimitMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeLimitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the worker gets the data connection to httpsys as fd 3, handed to the spawn as soon as it is made', async () => {
  const { folder, runDirectory, env } = fixture();
  const received: string[] = [];
  const server = createServer((socket: Socket) => socket.on('data', (chunk) => received.push(String(chunk))));
  await new Promise<void>((resolve) => server.listen(socketPath(runDirectory, 'httpsys-data'), resolve));
  try {
    const spawner = createChildProcessWorkerSpawner({ configFile: join(folder, 'applicationHost.config'), runDirectory, logger: silent, write: () => undefined, env });
    const worker = await spawner.spawn(request());
    const exited = new Promise((resolve) => worker.onExit(resolve));
    await until('the worker to write on fd 3', () => received.join('').includes('\n'));
    assert.equal(received.join(''), 'from fd 3 of -ap Spawned\n');
    worker.kill('SIGKILL');
    await exited;
  } finally {
    server.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('without httpsys listening, the start fails with the connect error and the spawned process is ended', async () => {
  const { folder, runDirectory, w3wp, env } = fixture();
  try {
    const spawner = createChildProcessWorkerSpawner({ configFile: join(folder, 'applicationHost.config'), runDirectory, logger: silent, write: () => undefined, env });
    await assert.rejects(spawner.spawn(request()), (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
    await until('no process to run the stand-in w3wp', () => processesRunning(w3wp).length === 0);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("warmSpawnPath runs Node's spawn once and resolves when that process has exited", async () => {
  const { folder, runDirectory, env } = fixture();
  try {
    const spawner = createChildProcessWorkerSpawner({ configFile: join(folder, 'applicationHost.config'), runDirectory, logger: silent, write: () => undefined, env });
    await spawner.warmSpawnPath();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Spawns a worker of pool Spawned with `text` as its configuration; returns what the stand-in wrote on fd 3. */
async function startWith(spawner: ReturnType<typeof createChildProcessWorkerSpawner>, runDirectory: string, text: string): Promise<string> {
  const received: string[] = [];
  const server = createServer((socket: Socket) => socket.on('data', (chunk) => received.push(String(chunk))));
  await new Promise<void>((resolve) => server.listen(socketPath(runDirectory, 'httpsys-data'), resolve));
  try {
    const worker = await spawner.spawn({ ...request(), poolConfiguration: text });
    const exited = new Promise((resolve) => worker.onExit(resolve));
    await until('the worker to write on fd 3', () => received.join('').includes('\n'));
    worker.kill('SIGKILL');
    await exited;
    return received.join('');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a pool prepared ahead starts its worker with the folder and file written then, not again', async () => {
  const { folder, runDirectory, env } = fixture();
  try {
    const spawner = createChildProcessWorkerSpawner({ configFile: join(folder, 'applicationHost.config'), runDirectory, logger: silent, write: () => undefined, env });
    spawner.prepareAhead(request().applicationPool, '<configuration>ahead</configuration>');
    const file = join(`${runDirectory}-temp`, 'apppools', 'Spawned', 'Spawned.config');
    const written = lstatSync(file, { bigint: true });
    assert.equal(await startWith(spawner, runDirectory, '<configuration>ahead</configuration>'), `from fd 3 of -ap Spawned -h ${file}\n`);
    const used = lstatSync(file, { bigint: true });
    assert.deepEqual([used.ino, used.ctimeNs], [written.ino, written.ctimeNs]);
    assert.equal(readFileSync(file, 'utf8'), '<configuration>ahead</configuration>');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a start writes its file again when the text differs from what was prepared ahead, or the file was changed since', async () => {
  const { folder, runDirectory, env } = fixture();
  try {
    const spawner = createChildProcessWorkerSpawner({ configFile: join(folder, 'applicationHost.config'), runDirectory, logger: silent, write: () => undefined, env });
    const file = join(`${runDirectory}-temp`, 'apppools', 'Spawned', 'Spawned.config');
    spawner.prepareAhead(request().applicationPool, '<configuration>old</configuration>');
    await startWith(spawner, runDirectory, '<configuration>new</configuration>');
    assert.equal(readFileSync(file, 'utf8'), '<configuration>new</configuration>');

    spawner.prepareAhead(request().applicationPool, '<configuration>same</configuration>');
    writeFileSync(file, '<configuration>edited</configuration>');
    await startWith(spawner, runDirectory, '<configuration>same</configuration>');
    assert.equal(readFileSync(file, 'utf8'), '<configuration>same</configuration>');

    // A parent folder changed since (its mode here): the start makes sure of the folders again.
    spawner.prepareAhead(request().applicationPool, '<configuration>parent</configuration>');
    chmodSync(join(`${runDirectory}-temp`, 'apppools'), 0o755);
    await startWith(spawner, runDirectory, '<configuration>parent</configuration>');
    assert.equal(statSync(join(`${runDirectory}-temp`, 'apppools')).mode & 0o777, 0o711);

    spawner.prepareAhead(request().applicationPool, '<configuration>gone</configuration>');
    rmSync(join(`${runDirectory}-temp`), { recursive: true });
    await startWith(spawner, runDirectory, '<configuration>gone</configuration>');
    assert.equal(readFileSync(file, 'utf8'), '<configuration>gone</configuration>');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a prepared-ahead file edited to the same size within the timestamp granularity is not used: its bytes are compared', () => {
  const folder = mkdtempSync(join(tmpdir(), 'was-prepared-'));
  try {
    const file = join(folder, 'Pool.config');
    writeFileSync(file, '<configuration>same</configuration>');
    // An edit within one tick of a coarse filesystem clock: size, mtime and ctime stay what prepareAhead saw.
    // (This kernel stamps finely, so the fingerprint is taken after the edit to stand for that.)
    writeFileSync(file, '<configuration>SAME</configuration>');
    const prepared = { text: '<configuration>same</configuration>', bytes: Buffer.from('<configuration>same</configuration>'), tempDirectory: folder, file, paths: fingerprints([folder], file) };
    assert.equal(preparedAheadUsable(prepared, '<configuration>same</configuration>'), false);
    writeFileSync(file, '<configuration>same</configuration>');
    const restored = { ...prepared, paths: fingerprints([folder], file) };
    assert.equal(preparedAheadUsable(restored, '<configuration>same</configuration>'), true);
    assert.equal(preparedAheadUsable(restored, '<configuration>other</configuration>'), false);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
