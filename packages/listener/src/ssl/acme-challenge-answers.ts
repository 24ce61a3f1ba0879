// HTTP-01 answers for automatic certificates (RFC 8555 §8.3; docs/https.md): poolhost's ACME client writes
// one file per pending token in the run directory's acme-challenge folder; httpsys answers
// `GET /.well-known/acme-challenge/<token>` on http bindings from it, before routing — no worker is woken,
// so a site with no application at `/` (or one in rapid-fail) still gets its certificate. A token with no
// file goes on to the site as any request does (a site may answer its own challenges).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACME_CHALLENGE_PATH, acmeChallengeDirectory } from '@poolhost/protocol';

// base64url, as RFC 8555 §8.1 makes tokens (at least 128 bits of entropy: 22 characters and more).
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export class AcmeChallengeAnswers {
  private readonly directory: string;

  constructor(runDirectory: string) {
    this.directory = acmeChallengeDirectory(runDirectory);
  }

  /** The whole response for a pending token's URL, else null. Only called for URLs under ACME_CHALLENGE_PATH. */
  answer(url: string, date: string): Buffer | null {
    const token = url.slice(ACME_CHALLENGE_PATH.length);
    if (!TOKEN.test(token)) return null;
    let keyAuthorization: string;
    try {
      keyAuthorization = readFileSync(join(this.directory, token), 'latin1');
    } catch {
      return null;
    }
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

export function isAcmeChallengeUrl(url: string): boolean {
  return url.startsWith(ACME_CHALLENGE_PATH);
}
