// Ports for test servers, reserved machine-wide. A port found free is bound by poolhost only seconds later
// (tens of seconds on a loaded machine, while four services start), and listen-on-0-then-close left it to
// the kernel to hand the same port to anyone else in that window: another test's freePort(), or any
// listen(0) server. Then poolhost could not bind it, the waitForPort probe was answered by the other
// process, and a TLS client of an https port met a cleartext server ("wrong version number").
// So: ports come from outside the kernel's ephemeral range (listen(0) and connect() never pick them), and
// each is reserved with an O_EXCL file naming the reserving process, released when that process exits.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RESERVATIONS = join(tmpdir(), 'poolhost-e2e-ports');
const LOWEST = 10_000;
const owned: string[] = [];
let releaseOnExit = false;

/** The kernel's ephemeral range (net.ipv4.ip_local_port_range), Linux's default if unreadable. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: the default range stands in.
  }
  return [32_768, 60_999];
}

function randomCandidate(): number {
  const [low, high] = ephemeralRange();
  const below = Math.max(0, low - LOWEST);
  const above = Math.max(0, 65_535 - high);
  const pick = Math.floor(Math.random() * (below + above));
  return pick < below ? LOWEST + pick : high + 1 + (pick - below);
}

/** Linux (poolhost's only platform): a live process has its /proc entry. */
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

/** Creates the port's reservation file; one left by a process that is gone (SIGKILLed) is taken over. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      owned.push(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = 0;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      // An empty file is one being written right now: its owner is alive.
      if (!owner || alive(owner)) return false;
      try {
        unlinkSync(file);
      } catch {
        // Another process took it over first; `wx` decides.
      }
    }
  }
  return false;
}

/** Whether nothing listens on the port, on any address (as poolhost's `*` binding would listen). */
function canListen(port: number, host = '::'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      // No IPv6 on this host: poolhost's `*` falls back to 0.0.0.0 (endpoint-set.ts), so does the probe.
      if (host === '::' && (error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL')) resolve(canListen(port, '0.0.0.0'));
      else resolve(false);
    });
    server.listen({ port, host, ipv6Only: false }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port nothing listens on, that no other test process on this machine is given while this one lives. */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS, { recursive: true });
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.once('exit', () => {
      for (const file of owned) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
    });
  }
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const port = randomCandidate();
    if (!reserve(port)) continue;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port outside the ephemeral range after 1000 tries (reservations in ${RESERVATIONS})`);
}
