// The farm's session ticket keys (shared-ticket-key-file.ts): every host derives the key of the current
// window from the secret in the shared folder, so a ticket one host issued resumes on any other. The
// file is re-read when its inode, size or time changes (httpsys looks every second) and at least every
// `pollingPeriod` of redirection.config (NFS caches attributes; a stat alone may miss another host's
// write for a while).
//
// Last known good, as the shared configuration: a shared file that cannot be read or does not parse is
// logged once per reason, with the file, and the secret read before stays in force. Each good secret is
// copied 0600 beside redirection.config (`tlsSessionTicketKeys.shared-cache.key`), so a host restarted
// while the share is away starts on it. No shared file yet and the folder reachable: the first host
// creates it (a private temp file, then link(2), which fails if another host got there first: one
// secret wins, no lock). No secret anywhere: this host's own keys (ticket-keys.ts), logged as an error.
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { fileSignature } from './certificate-files.js';
import {
  SHARED_TICKET_KEY_CACHE_FILE,
  SHARED_TICKET_KEY_FILE,
  deriveTicketKeys,
  newSharedTicketKeyFile,
  parseSharedTicketKeyFile,
  ticketKeyWindow,
  type SharedTicketSecret,
} from './shared-ticket-key-file.js';
import { SessionTicketKeys, TicketKeys } from './ticket-keys.js';

export interface SharedTicketKeysOptions {
  /** The shared folder of redirection.config (`path`). */
  sharedFolder: string;
  /** Where the local copy goes: the folder of redirection.config. */
  cacheFolder: string;
  pollingPeriodMs: number;
  /** For this host's own keys when there is no secret at all. */
  runDirectory: string;
  logger: Logger;
  now?: () => number;
}

export type SharedTicketKeySource = 'shared' | 'cached' | 'local';

export class SharedTicketKeys extends SessionTicketKeys {
  readonly file: string;
  readonly cacheFile: string;
  private secret: SharedTicketSecret | null = null;
  private secretText = '';
  private keys: Buffer;
  private window = Number.NaN;
  private signature = '\0';
  private lastReadAt = Number.NEGATIVE_INFINITY;
  /** The reason last logged for the shared file (logged once until it changes). */
  private problem: string | null = null;
  private local: TicketKeys | null = null;
  source: SharedTicketKeySource = 'local';

  constructor(private readonly options: SharedTicketKeysOptions) {
    super();
    this.file = join(options.sharedFolder, SHARED_TICKET_KEY_FILE);
    this.cacheFile = join(options.cacheFolder, SHARED_TICKET_KEY_CACHE_FILE);
    const now = this.now();
    this.readShared(now);
    if (!this.secret) this.readCache();
    this.keys = this.keysAt(now);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get current(): Buffer {
    return this.keys;
  }

  rotateIfDue(now = this.now()): boolean {
    const signature = fileSignature(this.file);
    if (signature !== this.signature || now - this.lastReadAt >= this.options.pollingPeriodMs) this.readShared(now);
    const keys = this.keysAt(now);
    if (keys.equals(this.keys)) return false;
    this.keys = keys;
    return true;
  }

  private keysAt(now: number): Buffer {
    if (!this.secret) {
      this.local ??= new TicketKeys(this.options.runDirectory);
      this.local.rotateIfDue(now);
      return this.local.current;
    }
    const window = ticketKeyWindow(this.secret, now);
    if (window !== this.window && !Number.isNaN(this.window)) this.options.logger.info({ ticketKeyFile: this.file, window }, `TLS session ticket keys of the farm: window ${window} begins`);
    this.window = window;
    return deriveTicketKeys(this.secret, window);
  }

  private readShared(now: number): void {
    this.lastReadAt = now;
    this.signature = fileSignature(this.file);
    let text: string;
    try {
      const mode = statSync(this.file).mode;
      if (mode & 0o077) throw new Error(`readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && this.createShared()) {
        this.readShared(now);
        return;
      }
      this.report(reasonOf(error));
      return;
    }
    const parsed = parseSharedTicketKeyFile(text);
    if (parsed instanceof Error) {
      this.report(parsed.message);
      return;
    }
    const changed = text !== this.secretText;
    this.secret = parsed;
    this.secretText = text;
    const previousSource = this.source;
    this.source = 'shared';
    if (this.problem !== null || previousSource !== 'shared') {
      this.options.logger.info({ ticketKeyFile: this.file }, `${this.file} is in force: TLS session tickets resume on every host of the farm`);
      this.problem = null;
    } else if (changed) this.options.logger.info({ ticketKeyFile: this.file }, `${this.file} changed: the farm's TLS session ticket keys are replaced`);
    if (changed) this.writeCache(text);
  }

  /** The first host to find the shared folder without a secret makes one; false when it cannot. */
  private createShared(): boolean {
    try {
      if (!statSync(this.options.sharedFolder).isDirectory()) return false;
    } catch {
      return false;
    }
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, newSharedTicketKeyFile(), { mode: 0o600 });
      try {
        linkSync(temp, this.file);
        this.options.logger.info({ ticketKeyFile: this.file }, `${this.file} created: a new secret for the farm's TLS session ticket keys`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      return true;
    } catch (error) {
      this.report(`cannot be created (${reasonOf(error)})`);
      return false;
    } finally {
      try {
        unlinkSync(temp);
      } catch {
        // never made
      }
    }
  }

  private readCache(): void {
    try {
      const mode = statSync(this.cacheFile).mode;
      if (mode & 0o077) throw new Error(`readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
      const text = readFileSync(this.cacheFile, 'utf8');
      const parsed = parseSharedTicketKeyFile(text);
      if (parsed instanceof Error) throw parsed;
      this.secret = parsed;
      this.secretText = text;
      this.source = 'cached';
      this.options.logger.warn({ ticketKeyFile: this.file, cacheFile: this.cacheFile }, `the farm's TLS session ticket keys come from the cached copy ${this.cacheFile} until ${this.file} can be read`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.options.logger.error({ ticketKeyFile: this.file }, `no farm TLS session ticket secret (${this.file} unusable, no cached copy): this host uses its own keys, tickets resume on this host only`);
      } else {
        this.options.logger.error({ ticketKeyFile: this.cacheFile, reason: reasonOf(error) }, `${this.cacheFile} cannot be used: ${reasonOf(error)}; this host uses its own keys, tickets resume on this host only`);
      }
    }
  }

  private writeCache(text: string): void {
    const temp = `${this.cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, text, { mode: 0o600 });
      renameSync(temp, this.cacheFile);
    } catch (error) {
      this.options.logger.error({ cacheFile: this.cacheFile, reason: reasonOf(error) }, `cannot keep a local copy of the farm's TLS session ticket secret in ${this.cacheFile}: ${reasonOf(error)}`);
    }
  }

  private report(reason: string): void {
    if (reason === this.problem) return;
    this.problem = reason;
    const kept = this.secret ? `the keys read before stay in force (${this.source === 'cached' ? 'cached copy' : 'last good'})` : 'no farm secret read from it yet';
    this.options.logger.error({ ticketKeyFile: this.file, reason }, `${this.file} cannot be used: ${reason}; ${kept}`);
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file (the shared folder is gone, renamed or not mounted)';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
