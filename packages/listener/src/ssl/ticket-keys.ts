// TLS session ticket keys that survive an httpsys restart (HTTP.SYS' TlsSessionTicketKeys): 48 random
// bytes (name, HMAC and AES keys, as OpenSSL takes them) kept 0600 in the run directory, shared by every
// certificate's context, replaced after ROTATION_MS. A client's ticket then resumes its session on any
// certificate of this httpsys and after a restart; after a rotation it gets a full handshake once.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import type { LoadedCertificate } from './certificate-files.js';

export const TICKET_KEY_FILE = 'tls-ticket-keys';
export const TICKET_KEY_BYTES = 48;
const KEY_BYTES = TICKET_KEY_BYTES;
export const ROTATION_MS = 12 * 60 * 60 * 1000;

/** What the SSL store needs of ticket keys: this host's own (TicketKeys) or the farm's (shared-ticket-keys.ts). */
export abstract class SessionTicketKeys {
  /** The 48 bytes in force. */
  abstract get current(): Buffer;

  /** True when the key in force changed (the caller re-applies it to the loaded contexts). */
  abstract rotateIfDue(now?: number): boolean;

  /** Applied to each certificate's context when it is loaded. */
  apply(context: SecureContext): void {
    setTicketKeys(context, this.current);
  }

  /** A certificate's contexts: its own and its TLS 1.2-capped twin, if made (after a rotation). */
  applyToCertificate(certificate: LoadedCertificate): void {
    this.apply(certificate.context);
    if (certificate.withoutTls13) this.apply(certificate.withoutTls13);
  }
}

export function setTicketKeys(context: SecureContext, keys: Buffer): void {
  (context.context as { setTicketKeys(keys: Buffer): void }).setTicketKeys(keys);
}

export class TicketKeys extends SessionTicketKeys {
  private keys: Buffer;
  private createdAt: number;
  private readonly file: string;

  constructor(runDirectory: string) {
    super();
    this.file = join(runDirectory, TICKET_KEY_FILE);
    const existing = this.read();
    if (existing) {
      this.keys = existing.keys;
      this.createdAt = existing.createdAt;
    } else {
      this.keys = randomBytes(KEY_BYTES);
      this.createdAt = Date.now();
      this.write();
    }
  }

  get current(): Buffer {
    return this.keys;
  }

  /** True when the keys were replaced (the caller re-applies them to the loaded contexts). */
  rotateIfDue(now = Date.now()): boolean {
    if (now - this.createdAt < ROTATION_MS) return false;
    this.keys = randomBytes(KEY_BYTES);
    this.createdAt = now;
    this.write();
    return true;
  }

  private read(): { keys: Buffer; createdAt: number } | null {
    try {
      const stat = statSync(this.file);
      // Keys anyone else could read would let them decrypt resumed sessions: not used, replaced.
      if (stat.mode & 0o077 || Date.now() - stat.mtimeMs >= ROTATION_MS) return null;
      const keys = readFileSync(this.file);
      return keys.length === KEY_BYTES ? { keys, createdAt: stat.mtimeMs } : null;
    } catch {
      return null;
    }
  }

  private write(): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, this.keys, { mode: 0o600 });
    renameSync(temp, this.file);
  }
}
