// The administration token: made by `poolhost start`, kept 0600 in the run directory, read here once.
// State-changing requests carry it as the IIS Administration API does (`Access-Token: Bearer <token>`)
// or as `Authorization: Bearer <token>`; it is compared in constant time.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** True when the request carries the token. */
export function carriesToken(request: IncomingMessage, token: string): boolean {
  const header = request.headers['access-token'] ?? request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
