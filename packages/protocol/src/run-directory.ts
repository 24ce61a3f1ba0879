// The run directory holds every socket and pid file of one poolhost instance (mode 0700, sockets 0600).
import { chmodSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { createDirectoryTree, DirectoryTreeError } from '@poolhost/common';
// node:crypto is loaded on first use (process.getBuiltinModule): a worker's start does not need it, and loading it costs ≈1.8 ms of CPU there (docs/performance.md, "Demand start without a spare").
import { join, resolve } from 'node:path';

export type SocketName = 'poolhost' | 'httpsys' | 'httpsys-data' | 'w3svc' | 'was' | 'net-tcp' | 'net-tcp-data';

export function defaultRunDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'poolhost');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return `/tmp/poolhost-${uid}`;
}

/** `--run-dir`, then `POOLHOST_RUN_DIR`, then the default. */
export function resolveRunDirectory(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.POOLHOST_RUN_DIR ?? defaultRunDirectory(env));
}

/** Linux's sun_path holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;
/** The longest socket name poolhost puts in the run directory (`iisnode-control-<pid>.sock`, iisnode's `n<pid>-<app>-<generation>-<slot>.sock`) with room to spare. */
const SOCKET_NAME_RESERVE_BYTES = 32;

/**
 * Refuses a run directory whose sockets could not be bound: a Unix socket path is at most 107 bytes on
 * Linux, and a longer one fails deep inside a service with ENOENT or EINVAL instead of saying why.
 */
export function checkRunDirectoryLength(directory: string): void {
  const bytes = Buffer.byteLength(directory);
  const limit = MAX_SOCKET_PATH_BYTES - SOCKET_NAME_RESERVE_BYTES - 1;
  if (bytes > limit) {
    throw new Error(
      `run directory ${directory} is ${bytes} bytes long: its sockets (${join(directory, 'httpsys-data.sock')} …) would pass Linux's ${MAX_SOCKET_PATH_BYTES}-byte limit for a Unix socket path; choose one of at most ${limit} bytes with --run-dir or POOLHOST_RUN_DIR`,
    );
  }
}

/**
 * Creates the run directory 0700 and refuses one owned by another user (someone could be listening there), one
 * too long for its sockets, or one that cannot be created, naming the path, why, and the fix. Not Node's
 * recursive mkdir: under /proc it never returns (common's directory-tree.ts), and a service spun at 100 % CPU,
 * deaf to SIGTERM.
 */
export function ensureRunDirectory(directory: string): void {
  checkRunDirectoryLength(directory);
  try {
    createDirectoryTree(directory, 0o700);
    chmodSync(directory, 0o700);
  } catch (error) {
    const reason = error instanceof DirectoryTreeError ? error.message : `${(error as Error).message}`;
    throw new Error(`run directory ${directory} cannot be created: ${reason}; choose another with --run-dir or POOLHOST_RUN_DIR`);
  }
  const owner = statSync(directory).uid;
  const uid = typeof process.getuid === 'function' ? process.getuid() : owner;
  if (owner !== uid) {
    throw new Error(`run directory ${directory} belongs to uid ${owner}, not to this user (uid ${uid}); choose another with --run-dir`);
  }
}

export function socketPath(runDirectory: string, name: SocketName): string {
  return join(runDirectory, `${name}.sock`);
}

export function pidFilePath(runDirectory: string): string {
  return join(runDirectory, 'poolhost.pid');
}

/** The administration token inetmgr checks on every state-changing request (0600, in the 0700 run directory). */
export function administrationTokenPath(runDirectory: string): string {
  return join(runDirectory, 'administration.token');
}

/** `poolhost start --metrics`: a new token for this run. */
export function createAdministrationToken(runDirectory: string): string {
  const token = process.getBuiltinModule('node:crypto').randomBytes(24).toString('base64url');
  writeFileSync(administrationTokenPath(runDirectory), `${token}\n`, { mode: 0o600 });
  chmodSync(administrationTokenPath(runDirectory), 0o600);
  return token;
}

/** The token `poolhost start --metrics` wrote; refused naming the file, why, and who writes it. */
export function readAdministrationToken(runDirectory: string): string {
  const path = administrationTokenPath(runDirectory);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`administration token ${path} cannot be read (${code}): \`poolhost start --metrics\` writes it in its run directory; start inetmgr that way, or give it the --run-dir of a poolhost started so`);
  }
}

/**
 * HTTP-01 answers of automatic certificates (docs/https.md): one file per token, named by the token and
 * holding its key authorization, written by poolhost's ACME client, served by httpsys on http bindings
 * at `/.well-known/acme-challenge/<token>`.
 */
export function acmeChallengeDirectory(runDirectory: string): string {
  return join(runDirectory, 'acme-challenge');
}

export const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge/';

/**
 * TLS-ALPN-01 answers (RFC 8737): one PEM file per pending name (`<name>.pem`: the challenge certificate
 * with its acmeIdentifier extension, then its key), written by poolhost's ACME client, presented by httpsys
 * to a client that offers only the `acme-tls/1` ALPN protocol with that SNI name.
 */
export function acmeTlsAlpnDirectory(runDirectory: string): string {
  return join(acmeChallengeDirectory(runDirectory), 'tls-alpn-01');
}

/** RFC 8737 §6.2: the ALPN protocol name of TLS-ALPN-01 validation. */
export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';
