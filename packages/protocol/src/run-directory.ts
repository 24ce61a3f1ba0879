// The run directory holds every socket and pid file of one poolhost instance (mode 0700, sockets 0600).
import { mkdirSync, chmodSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export type SocketName = 'poolhost' | 'httpsys' | 'httpsys-data' | 'w3svc' | 'was';

export function defaultRunDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'poolhost');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return `/tmp/poolhost-${uid}`;
}

/** `--run-dir`, then `POOLHOST_RUN_DIR`, then the default. */
export function resolveRunDirectory(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.POOLHOST_RUN_DIR ?? defaultRunDirectory(env));
}

/** Creates the run directory 0700 and refuses one owned by another user (someone could be listening there). */
export function ensureRunDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
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
  const token = randomBytes(24).toString('base64url');
  writeFileSync(administrationTokenPath(runDirectory), `${token}\n`, { mode: 0o600 });
  chmodSync(administrationTokenPath(runDirectory), 0o600);
  return token;
}

export function readAdministrationToken(runDirectory: string): string {
  return readFileSync(administrationTokenPath(runDirectory), 'utf8').trim();
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
