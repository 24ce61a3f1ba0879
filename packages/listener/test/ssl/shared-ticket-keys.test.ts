// The farm's ticket keys on real files with a fake clock: one secret made by the first host, the same keys
// on every host, rotation by window and by a new secret, last good keys when the file breaks or the share
// goes away, and the local copy a restarted host starts on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SharedTicketKeys } from '../../src/ssl/shared-ticket-keys.js';
import { SHARED_TICKET_KEY_CACHE_FILE, SHARED_TICKET_KEY_FILE } from '../../src/ssl/shared-ticket-key-file.js';

const root = mkdtempSync(join(tmpdir(), 'poolhost-ticket-keys-'));
after(() => rmSync(root, { recursive: true, force: true }));
let farms = 0;

function farm() {
  const folder = join(root, `farm-${++farms}`);
  const shared = join(folder, 'share');
  mkdirSync(shared, { recursive: true });
  let now = Date.UTC(2026, 11, 2, 12, 0, 0);
  const host = (name: string) => {
    const local = join(folder, name);
    mkdirSync(join(local, 'run'), { recursive: true });
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (messages.push(JSON.parse(chunk.toString()).msg), done()) }));
    const start = () => new SharedTicketKeys({ sharedFolder: shared, cacheFolder: local, pollingPeriodMs: 5_000, runDirectory: join(local, 'run'), logger, now: () => now });
    return { local, messages, start, keys: start() };
  };
  return { shared, keyFile: join(shared, SHARED_TICKET_KEY_FILE), host, advance: (ms: number) => (now += ms), now: () => now };
}

const secretText = (fill: number, rotationSeconds = 3600) => `${JSON.stringify({ secret: Buffer.alloc(32, fill).toString('base64'), rotationSeconds })}\n`;

test('the first host makes the secret (0600), every host derives the same keys and keeps a 0600 copy', () => {
  const { keyFile, host } = farm();
  const a = host('a');
  const b = host('b');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.ok(a.messages.some((message) => message === `${keyFile} created: a new secret for the farm's TLS session ticket keys`));
  assert.ok(!b.messages.some((message) => message.includes('created')), 'the second host reads the first one\'s secret');
  assert.deepEqual(a.keys.current, b.keys.current);
  assert.equal(a.keys.source, 'shared');
  for (const entry of [a, b]) {
    const copy = join(entry.local, SHARED_TICKET_KEY_CACHE_FILE);
    assert.equal(readFileSync(copy, 'utf8'), readFileSync(keyFile, 'utf8'));
    assert.equal(statSync(copy).mode & 0o777, 0o600);
  }
});

test('rotation: a new window changes the keys of every host at once; a new secret is read within the polling period', () => {
  const { keyFile, host, advance } = farm();
  writeFileSync(keyFile, secretText(1), { mode: 0o600 });
  const a = host('a');
  const b = host('b');
  const first = a.keys.current;
  advance(1_000);
  assert.equal(a.keys.rotateIfDue(), false, 'same window, same keys');
  advance(3600_000);
  assert.equal(a.keys.rotateIfDue(), true);
  assert.equal(b.keys.rotateIfDue(), true);
  assert.deepEqual(a.keys.current, b.keys.current);
  assert.notDeepEqual(a.keys.current, first);
  // A new secret with the same size and (at second resolution) time could escape the stat check: the poll reads it.
  const before = a.keys.current;
  writeFileSync(keyFile, secretText(2));
  advance(5_000);
  assert.equal(a.keys.rotateIfDue(), true);
  assert.equal(b.keys.rotateIfDue(), true);
  assert.deepEqual(a.keys.current, b.keys.current);
  assert.notDeepEqual(a.keys.current, before);
  assert.ok(a.messages.includes(`${keyFile} changed: the farm's TLS session ticket keys are replaced`));
});

test('a broken or exposed secret keeps the last good keys, logged once with the file and the reason', () => {
  const { keyFile, host, advance } = farm();
  writeFileSync(keyFile, secretText(1), { mode: 0o600 });
  const a = host('a');
  const good = a.keys.current;
  writeFileSync(keyFile, '{"secret": "c2hvcnQ="}\n');
  advance(5_000);
  assert.equal(a.keys.rotateIfDue(), false);
  assert.deepEqual(a.keys.current, good);
  advance(5_000);
  a.keys.rotateIfDue();
  const broken = a.messages.filter((message) => message.startsWith(`${keyFile} cannot be used: "secret" holds 5 bytes; at least 32 are needed; the keys read before stay in force (last good)`));
  assert.equal(broken.length, 1, 'logged once, not at every poll');
  writeFileSync(keyFile, secretText(3));
  chmodSync(keyFile, 0o640);
  advance(5_000);
  assert.equal(a.keys.rotateIfDue(), false);
  assert.ok(a.messages.some((message) => message.startsWith(`${keyFile} cannot be used: readable by group or others (mode 640); chmod 600 it`)));
  assert.equal(readFileSync(join(a.local, SHARED_TICKET_KEY_CACHE_FILE), 'utf8'), secretText(1), 'the copy keeps the last good secret');
  chmodSync(keyFile, 0o600);
  advance(5_000);
  assert.equal(a.keys.rotateIfDue(), true, 'fixed: the new secret applies');
  assert.ok(a.messages.includes(`${keyFile} is in force: TLS session tickets resume on every host of the farm`));
});

test('the share away: keys stay; a host restarted then starts on its copy; without a copy, on its own keys', () => {
  const { shared, keyFile, host, advance } = farm();
  writeFileSync(keyFile, secretText(4), { mode: 0o600 });
  const a = host('a');
  const good = a.keys.current;
  renameSync(shared, `${shared}.away`);
  advance(5_000);
  assert.equal(a.keys.rotateIfDue(), false);
  assert.ok(a.messages.some((message) => message.startsWith(`${keyFile} cannot be used: no such file (the shared folder is gone, renamed or not mounted)`)));
  const restarted = a.start();
  assert.equal(restarted.source, 'cached');
  assert.deepEqual(restarted.current, good, 'the restarted host derives the same keys from its copy');
  assert.ok(!readFileSync(join(a.local, SHARED_TICKET_KEY_CACHE_FILE), 'utf8').includes('\0'));
  const newcomer = host('c');
  assert.equal(newcomer.keys.source, 'local', 'no share, no copy: this host\'s own keys');
  assert.ok(newcomer.messages.some((message) => message.includes('this host uses its own keys, tickets resume on this host only')));
  renameSync(`${shared}.away`, shared);
  advance(5_000);
  assert.equal(newcomer.keys.rotateIfDue(), true, 'the share back: the farm\'s keys');
  assert.deepEqual(newcomer.keys.current, restarted.current);
  assert.equal(newcomer.keys.source, 'shared');
});
