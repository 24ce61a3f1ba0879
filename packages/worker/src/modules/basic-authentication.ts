// BasicAuthenticationModule, AuthenticateRequest (RFC 7617). IIS checks Basic credentials against
// Windows accounts; poolhost has none to offer (and PAM would need root), so it checks them against a
// credentials file named by a poolhost attribute on the same section (docs/request-pipeline.md):
//   <basicAuthentication enabled="true" realm="intranet" credentialsFile="/etc/poolhost/users" />
// one `user:scrypt:<salt base64>:<hash base64>` line per user (scrypt N=16384 r=8 p=1, 64-byte key; make
// one with `node -e` as the docs show). A relative path is relative to the application's folder.
// Wrong credentials: 401.1. No credentials and anonymous authentication off: 401.2 (pipeline core).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
// node:crypto is loaded on first use (process.getBuiltinModule): a worker's start does not need it, and loading it costs ≈1.8 ms of CPU there (docs/performance.md, "Demand start without a spare").
import type { Logger } from 'pino';
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';
import { isAuthenticationEnabled } from './anonymous-authentication.js';

interface Credential {
  salt: Buffer;
  hash: Buffer;
}

export const SCRYPT_KEY_LENGTH = 64;

export function readCredentialsFile(file: string): Map<string, Credential> {
  const users = new Map<string, Credential>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [user, scheme, salt, hash] = trimmed.split(':');
    if (!user || scheme !== 'scrypt' || !salt || !hash) continue;
    users.set(user, { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') });
  }
  return users;
}

function verify(password: string, credential: Credential): Promise<boolean> {
  return new Promise((resolve) => {
    const { scrypt, timingSafeEqual } = process.getBuiltinModule('node:crypto');
    scrypt(password, credential.salt, credential.hash.length || SCRYPT_KEY_LENGTH, (error, derived) => {
      resolve(!error && derived.length === credential.hash.length && timingSafeEqual(derived, credential.hash));
    });
  });
}

export function basicChallenge(section: RawElement | undefined, host: string): string {
  const realm = section?.attributes.realm || host;
  return `Basic realm="${realm.replace(/"/g, '')}"`;
}

export function basicAuthenticationModule(section: RawElement | undefined, physicalPath: string, logger: Logger): HttpModule | null {
  if (!isAuthenticationEnabled(section, false)) return null;
  const file = section?.attributes.credentialsFile;
  let users = new Map<string, Credential>();
  if (!file) logger.warn('basicAuthentication is enabled without credentialsFile: every Basic logon fails (401.1)');
  else {
    const path = isAbsolute(file) ? file : join(physicalPath, file);
    try {
      users = readCredentialsFile(path);
    } catch (error) {
      logger.warn({ err: error, file: path }, `basicAuthentication cannot read its credentials file ${path}: every Basic logon fails (401.1)`);
    }
  }
  // Verified `Authorization` values → user, so scrypt runs once per credential, not once per request.
  const verified = new Map<string, string>();

  const authenticate = (context: HttpContext): void | Promise<void> => {
    const header = context.req.headers.authorization;
    if (header === undefined || !/^basic /i.test(header)) return;
    const known = verified.get(header);
    if (known !== undefined) {
      context.user = known;
      context.authenticationType = 'Basic';
      return;
    }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const credential = users.get(user);
    const fail = (): void => {
      context.res.setHeader('WWW-Authenticate', basicChallenge(section, context.req.headers.host ?? ''));
      context.sendError(401, 1);
    };
    if (!credential || colon < 0) return fail();
    return verify(decoded.slice(colon + 1), credential).then((ok) => {
      if (!ok) return fail();
      if (verified.size > 1000) verified.clear();
      verified.set(header, user);
      context.user = user;
      context.authenticationType = 'Basic';
    });
  };
  return { name: 'BasicAuthenticationModule', stages: { AuthenticateRequest: authenticate } };
}
