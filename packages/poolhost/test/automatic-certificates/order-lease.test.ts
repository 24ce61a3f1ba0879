import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORDER_LEASE_MS, takeOrderLease } from '../../src/automatic-certificates/order-lease.js';

test('a second taker is told who holds the lease', () => {
  const acme = mkdtempSync(join(tmpdir(), 'poolhost-acme-lease-'));
  const first = takeOrderLease(acme, 'www.contoso.test', 443, 1_000, { hostName: 'host1', pid: 11 });
  assert.equal(first.taken, true);
  assert.equal(statSync(join(acme, 'www.contoso.test-443.order-lease')).mode & 0o777, 0o600);
  assert.deepEqual(takeOrderLease(acme, 'www.contoso.test', 443, 1_500, { hostName: 'host2', pid: 22 }), { taken: false, holder: { hostName: 'host1', pid: 11, startedAt: 1_000 } });
  assert.equal(takeOrderLease(acme, 'api.contoso.test', 443, 1_500, { hostName: 'host2', pid: 22 }).taken, true, 'one lease per name');
  if (first.taken) first.release();
  assert.equal(takeOrderLease(acme, 'www.contoso.test', 443, 2_000, { hostName: 'host2', pid: 22 }).taken, true, 'released: free again');
});

test('a lease being written (empty) is left to its writer', () => {
  const acme = mkdtempSync(join(tmpdir(), 'poolhost-acme-lease-'));
  writeFileSync(join(acme, 'www.contoso.test-443.order-lease'), '');
  assert.equal(takeOrderLease(acme, 'www.contoso.test', 443, Date.now(), { hostName: 'host2', pid: 22 }).taken, false);
});

test('a lease left by a process of this host that is gone, or older than any order, is taken over', async () => {
  const acme = mkdtempSync(join(tmpdir(), 'poolhost-acme-lease-'));
  const lease = join(acme, 'www.contoso.test-443.order-lease');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  writeFileSync(lease, JSON.stringify({ hostName: 'this-host', pid: dead, startedAt: 1_000 }));
  const taken = takeOrderLease(acme, 'www.contoso.test', 443, 2_000, { hostName: 'this-host', pid: process.pid });
  assert.equal(taken.taken, true, 'its holder died');
  const held = takeOrderLease(acme, 'www.contoso.test', 443, 3_000, { hostName: 'other-host', pid: 7 });
  assert.deepEqual(held, { taken: false, holder: { hostName: 'this-host', pid: process.pid, startedAt: 2_000 } });
  const later = takeOrderLease(acme, 'www.contoso.test', 443, 2_000 + ORDER_LEASE_MS + 1, { hostName: 'other-host', pid: 7 });
  assert.equal(later.taken, true, 'a lease older than ORDER_LEASE_MS is stale on any host');
  if (taken.taken) taken.release();
  assert.match(readFileSync(lease, 'utf8'), /"hostName":"other-host"/, 'releasing a lease taken over leaves the new holder\'s');
  if (later.taken) later.release();
  assert.throws(() => statSync(lease), /ENOENT/);
});
