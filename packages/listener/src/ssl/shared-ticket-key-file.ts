// The farm's TLS session ticket secret: `tlsSessionTicketKeys.key` beside the shared applicationHost.config
// (as IIS exports `configEncKey.key` beside it; reference iis-2.md §7), mode 0600. It holds a secret, not
// the keys: each host derives the key of the current time window from it (HKDF-SHA256, RFC 5869), so
// every host uses the same key at the same time and the farm rotates without a lock, a writer or a
// message: nothing is written to the share at a rotation. Replacing the secret rotates at once (after a
// compromise). The file is JSON so an administrator can read what it says:
//   { "secret": "<base64, at least 32 bytes>", "rotationSeconds": 43200 }
import { hkdfSync, randomBytes } from 'node:crypto';
import { parseJsonText } from '@poolhost/common';
import { TICKET_KEY_BYTES } from './ticket-keys.js';

export const SHARED_TICKET_KEY_FILE = 'tlsSessionTicketKeys.key';
export const SHARED_TICKET_KEY_CACHE_FILE = 'tlsSessionTicketKeys.shared-cache.key';
export const SECRET_BYTES = 32;
/** HTTP.SYS and the local keys rotate every 12 hours. */
export const DEFAULT_ROTATION_SECONDS = 12 * 60 * 60;
const MIN_ROTATION_SECONDS = 60;
const MAX_ROTATION_SECONDS = 30 * 24 * 60 * 60;

export interface SharedTicketSecret {
  secret: Buffer;
  rotationSeconds: number;
}

/** A new file's text: a fresh random secret. */
export function newSharedTicketKeyFile(rotationSeconds = DEFAULT_ROTATION_SECONDS): string {
  return `${JSON.stringify({ secret: randomBytes(SECRET_BYTES).toString('base64'), rotationSeconds })}\n`;
}

/** The file's secret, or an Error whose message is the reason (the caller names the file). */
export function parseSharedTicketKeyFile(text: string): SharedTicketSecret | Error {
  // Not JSON.parse's own message: it quotes the text, and a secret's bytes must not reach the log.
  const parsed = parseJsonText(text);
  if (!parsed.ok) return new Error(`not valid JSON at ${parsed.fault.line}:${parsed.fault.column} (${parsed.fault.reason})`);
  const document = parsed.value;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return new Error('expected {"secret": "<base64>", "rotationSeconds": N}');
  const { secret, rotationSeconds = DEFAULT_ROTATION_SECONDS, ...rest } = document as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return new Error(`unknown member "${unknown[0]}" (known: secret, rotationSeconds)`);
  if (typeof secret !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) return new Error('"secret" must be a base64 string');
  const bytes = Buffer.from(secret, 'base64');
  if (bytes.length < SECRET_BYTES) return new Error(`"secret" holds ${bytes.length} bytes; at least ${SECRET_BYTES} are needed`);
  if (typeof rotationSeconds !== 'number' || !Number.isInteger(rotationSeconds) || rotationSeconds < MIN_ROTATION_SECONDS || rotationSeconds > MAX_ROTATION_SECONDS) {
    return new Error(`"rotationSeconds" must be a whole number from ${MIN_ROTATION_SECONDS} to ${MAX_ROTATION_SECONDS}, not ${JSON.stringify(rotationSeconds)}`);
  }
  return { secret: bytes, rotationSeconds };
}

/** The time window `now` falls in: every host with the same clock (NTP) is in the same one. */
export function ticketKeyWindow(secret: SharedTicketSecret, now: number): number {
  return Math.floor(now / (secret.rotationSeconds * 1000));
}

/** The 48 bytes OpenSSL takes (key name, HMAC key, AES key) for one window. */
export function deriveTicketKeys(secret: SharedTicketSecret, window: number): Buffer {
  const info = Buffer.from(`poolhost TLS session ticket keys/${secret.rotationSeconds}/${window}`, 'utf8');
  return Buffer.from(hkdfSync('sha256', secret.secret, Buffer.alloc(0), info, TICKET_KEY_BYTES));
}
