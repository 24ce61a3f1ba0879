// HTTP-01 answers for automatic certificates (RFC 8555 §8.3; docs/https.md): poolhost's ACME client writes
// one file per pending token in the run directory's acme-challenge folder (in a web farm, the shared
// folder's, so the host the CA reaches answers for the host that ordered); httpsys answers
// `GET /.well-known/acme-challenge/<token>` on http bindings from it, before routing — no worker is woken,
// so a site with no application at `/` (or one in rapid-fail) still gets its certificate. A token with no
// file goes on to the site as any request does (a site may answer its own challenges).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACME_CHALLENGE_PATH, acmeChallengeDirectory } from '@poolhost/protocol';

// base64url, as RFC 8555 §8.1 makes tokens (at least 128 bits of entropy: 22 characters and more).
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export class AcmeChallengeAnswers {
  private readonly directories: string[];

  /** `sharedFolder`: a web farm's shared configuration folder, where the host that orders puts its answers. */
  constructor(runDirectory: string, sharedFolder: string | null = null) {
    this.directories = [acmeChallengeDirectory(runDirectory), ...(sharedFolder ? [acmeChallengeDirectory(sharedFolder)] : [])];
  }

  /** The whole response for a pending token's URL, else null. Only called for URLs under ACME_CHALLENGE_PATH. */
  answer(url: string, date: string): Buffer | null {
    const token = url.slice(ACME_CHALLENGE_PATH.length);
    if (!TOKEN.test(token)) return null;
    const keyAuthorization = readFirst(this.directories, token);
    if (keyAuthorization === null) return null;
    return Buffer.from(
      'HTTP/1.1 200 OK\r\n' +
        'Content-Type: application/octet-stream\r\n' +
        'Server: Microsoft-HTTPAPI/2.0\r\n' +
        `Date: ${date}\r\n` +
        'Connection: close\r\n' +
        `Content-Length: ${keyAuthorization.length}\r\n\r\n` +
        keyAuthorization,
      'latin1',
    );
  }
}

/** The file `name` of the first directory that has it (latin1), else null. */
export function readFirst(directories: readonly string[], name: string): string | null {
  for (const directory of directories) {
    try {
      return readFileSync(join(directory, name), 'latin1');
    } catch {
      // not pending here
    }
  }
  return null;
}

export function isAcmeChallengeUrl(url: string): boolean {
  return url.startsWith(ACME_CHALLENGE_PATH);
}
