// One order per name in a web farm (docs/web-farm.md, "Automatic certificates"): every host of a farm runs
// the ACME client on the same shared configuration, so without a lease every host would order the same
// certificate at the same renewal time (N orders against the CA's rate limits, N keys, the last one
// written winning). Before an order a host creates `<host>-<port>.order-lease` in the certificate folder
// (on the share by default, beside the account key) with O_EXCL — exclusive on local disks and on NFSv3+ —
// and removes it when the order ends; a host that finds another host's lease leaves the name alone and
// sees the new certificate in the shared store at its next check.
//
// A lease outlives its holder only when the holder died: one left by a process of this host that is gone
// is taken over at once; any lease older than ORDER_LEASE_MS is taken over by any host (no ACME order
// runs that long: acme-client polls with back-off, the DNS script has its own timeout).
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, parseJsonText } from '@poolhost/common';

export const ORDER_LEASE_MS = 15 * 60_000;
/** A lease file with no holder in it yet is left alone this long (its writer is between create and write). */
const HALF_WRITTEN_GRACE_MS = 60_000;

export interface OrderLeaseHolder {
  hostName: string;
  pid: number;
  /** ms since the epoch. */
  startedAt: number;
}

export type LeaseResult = { taken: true; release(): void } | { taken: false; holder: OrderLeaseHolder };

export function orderLeaseFile(folder: string, host: string, port: number): string {
  return join(folder, `${host.replace('*', '_')}-${port}.order-lease`);
}

/** Takes the lease for an order of host:port, or tells who holds it. Throws only if the folder cannot be written. */
export function takeOrderLease(folder: string, host: string, port: number, now: number, self: { hostName: string; pid: number } = { hostName: hostname(), pid: process.pid }): LeaseResult {
  const file = orderLeaseFile(folder, host, port);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder === undefined) continue; // removed in between: try again
      if (holder !== null && !isStale(holder, now, self)) return { taken: false, holder };
      // Empty or half-written: its holder may be between create and write, unless the file is old.
      if (holder === null && ageOf(file) < HALF_WRITTEN_GRACE_MS) return { taken: false, holder: { hostName: '?', pid: 0, startedAt: now } };
      // Stale, or unreadable and old (a holder that died mid-write): moved aside, so only one taker removes it.
      try {
        renameSync(file, `${file}.stale-${self.pid}`);
        rmSync(`${file}.stale-${self.pid}`, { force: true });
      } catch {
        // Another host took it over first; the next attempt meets its lease.
      }
      continue;
    }
    const holder: OrderLeaseHolder = { hostName: self.hostName, pid: self.pid, startedAt: now };
    try {
      writeSync(fd, `${JSON.stringify(holder)}\n`);
    } finally {
      closeSync(fd);
    }
    return {
      taken: true,
      release: () => {
        // Only our own lease: one taken over after ORDER_LEASE_MS is the new holder's.
        const current = readHolder(file);
        if (current && current.hostName === holder.hostName && current.pid === holder.pid && current.startedAt === holder.startedAt) rmSync(file, { force: true });
      },
    };
  }
  const holder = readHolder(file);
  return holder ? { taken: false, holder } : { taken: false, holder: { hostName: '?', pid: 0, startedAt: now } };
}

/** ms since the file was written; Infinity when it is gone. */
function ageOf(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function isStale(holder: OrderLeaseHolder, now: number, self: { hostName: string; pid: number }): boolean {
  if (now - holder.startedAt > ORDER_LEASE_MS) return true;
  return holder.hostName === self.hostName && holder.pid !== self.pid && !isProcessAlive(holder.pid);
}

/** The holder; null for a file that is not a lease (half-written); undefined when there is no file. */
function readHolder(file: string): OrderLeaseHolder | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return null;
  const { hostName, pid, startedAt } = parsed.value as Record<string, unknown>;
  return typeof hostName === 'string' && typeof pid === 'number' && typeof startedAt === 'number' ? { hostName, pid, startedAt } : null;
}
