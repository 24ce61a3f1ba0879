// freePort's reservations: no other live test process is given a reserved port, none comes from the kernel's
// ephemeral range (where listen(0) servers would take it before poolhost binds it), and a process's
// reservations go when it exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.js';

const reservations = join(tmpdir(), 'poolhost-e2e-ports');

test('freePort: reserved machine-wide while its process lives, never from the ephemeral range', async () => {
  // Another test process: reserves 40 ports, prints them, and lives until its stdin closes.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `
      const { freePort } = await import(${JSON.stringify(join(import.meta.dirname, 'free-port.ts'))});
      const ports = [];
      for (let i = 0; i < 40; i++) ports.push(await freePort());
      console.log(ports.join(' '));
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the child exited with ${code} before reserving`)));
    });
    const theirs = line.split(' ').map(Number);
    assert.equal(new Set(theirs).size, 40);
    for (const port of theirs) assert.equal(readFileSync(join(reservations, String(port)), 'utf8'), String(child.pid), `${port} is reserved by the child`);

    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
    const ours: number[] = [];
    for (let i = 0; i < 40; i++) ours.push(await freePort());
    for (const port of [...theirs, ...ours]) assert.ok(port < low || port > high, `${port} is outside the ephemeral range ${low}-${high}`);
    assert.deepEqual(ours.filter((port) => theirs.includes(port)), [], 'no port of a live process is handed out again');
    for (const port of ours) assert.equal(readFileSync(join(reservations, String(port)), 'utf8'), String(process.pid));

    child.stdin!.end();
    await exited;
    assert.deepEqual(theirs.filter((port) => existsSync(join(reservations, String(port)))), [], 'the child\'s reservations went with it');
  } finally {
    child.kill();
    await exited;
  }
});
