// The SSL store as httpsys holds it: every entry's certificate loaded once, and the selection a handshake
// makes (reference iis-2.md §1.2): the exact `hostnameport` for the SNI name, then the Centralized
// Certificate Store of the port, then `ipport` for the local address, then the wildcard of its family
// (`0.0.0.0:port` for IPv4, `[::]:port` for IPv6). Nothing matches: no certificate, the handshake fails.
//
// `refresh()` (httpsys calls it every second) re-reads the store file and every certificate file whose
// inode, size or time changed. A file that cannot be used is logged once, with its name and the reason,
// and the certificate loaded before keeps serving (last known good); open connections are never touched.
//
// A shared store (redirection.config enabled: sslcert.json in the shared folder, useSharedStore) is also
// re-read every pollingPeriod (NFS caches attributes), keeps its entries when it cannot be read (the
// share away), is copied with its certificates beside redirection.config whenever all of it loaded, and
// is started from that copy when the share is away at start (shared-ssl-store-cache.ts).
import { readFileSync } from 'node:fs';
import { parseSslStore, readSslStore, formatSslCertKey, type SslCertBinding, type SslStoreReadResult } from '@poolhost/config';
import type { Logger } from 'pino';
import type { SecureContext } from 'node:tls';
import { certificateFilesOf, contextWithoutTls13, fileSignature, loadCertificate, type LoadedCertificate } from './certificate-files.js';
import { CentralCertificateStore } from './central-certificate-store.js';
import type { SessionTicketKeys } from './ticket-keys.js';
import type { SharedSslStoreCache } from './shared-ssl-store-cache.js';

interface SharedStore {
  cache: SharedSslStoreCache;
  pollingPeriodMs: number;
  readAt: number;
  /** The entries came from the local copy: the shared store could not be read yet. */
  servingCache: boolean;
  /** The last read of the shared store refused nothing (only then is it copied). */
  lastReadClean: boolean;
  /** The text last applied: a poll that finds the same text changes nothing. */
  text: string | null;
  /** What was last logged about the shared store (logged once until it changes). */
  problem: string | null;
  cacheProblem: string | null;
}

export interface StoreEntryState {
  binding: SslCertBinding;
  /** The certificate handshakes get (null: none could be loaded yet). */
  certificate: LoadedCertificate | null;
  /** Why the files on disk are not the certificate served, if they are not. */
  error: string | null;
  signature: string;
}

export class SslConfiguration {
  private storeSignature = '\0';
  private readonly hostnamePort = new Map<string, StoreEntryState>();
  private readonly ipPort = new Map<string, StoreEntryState>();
  private readonly centralStores = new Map<number, CentralCertificateStore>();
  private entries: StoreEntryState[] = [];

  constructor(
    private storeFile: string | null,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private ticketKeys: SessionTicketKeys | null = null;
  private shared: SharedStore | null = null;

  /** The store file is the farm's, in the shared folder: last known good across the share going away and restarts. */
  useSharedStore(cache: SharedSslStoreCache, pollingPeriodMs: number): void {
    this.shared = { cache, pollingPeriodMs, readAt: Number.NEGATIVE_INFINITY, servingCache: false, lastReadClean: false, text: null, problem: null, cacheProblem: null };
  }

  /** Session ticket keys for every certificate loaded from now on (httpsys sets them before the first refresh). */
  useTicketKeys(keys: SessionTicketKeys): void {
    this.ticketKeys = keys;
  }

  /**
   * redirection.config changed while httpsys runs: the store is read from `file` from now on (`shared`: the
   * farm's store, with its local copy), at the next refresh. The bindings loaded before serve until then,
   * and stay when a shared store cannot be read (last known good).
   */
  moveStore(file: string | null, shared: { cache: SharedSslStoreCache; pollingPeriodMs: number } | null): void {
    if (file === this.storeFile && (shared === null) === (this.shared === null)) return;
    this.storeFile = file;
    this.shared = null;
    if (shared) this.useSharedStore(shared.cache, shared.pollingPeriodMs);
    this.storeSignature = '\0';
  }

  /** Other session ticket keys (redirection.config changed: the farm's, or this host's own), applied to every loaded context now. */
  replaceTicketKeys(keys: SessionTicketKeys): void {
    this.ticketKeys = keys;
    for (const entry of this.entries) if (entry.certificate) keys.applyToCertificate(entry.certificate);
    for (const store of this.centralStores.values()) store.applyTicketKeys(keys);
  }

  /** True once the store has at least one entry (httpsys only then needs to look). */
  get size(): number {
    return this.entries.length;
  }

  refresh(now = Date.now()): void {
    if (this.ticketKeys?.rotateIfDue(now)) {
      for (const entry of this.entries) if (entry.certificate) this.ticketKeys.applyToCertificate(entry.certificate);
      for (const store of this.centralStores.values()) store.applyTicketKeys();
      this.logger.info('TLS session ticket keys rotated');
    }
    if (this.storeFile) {
      const signature = fileSignature(this.storeFile);
      const pollDue = this.shared !== null && now - this.shared.readAt >= this.shared.pollingPeriodMs;
      if (signature !== this.storeSignature || pollDue) {
        this.storeSignature = signature;
        if (this.shared) this.shared.readAt = now;
        this.reloadStore(this.storeFile);
      }
    }
    for (const entry of this.entries) {
      if (entry.binding.key.kind !== 'ccs' && signatureOf(entry.binding) !== entry.signature) this.load(entry);
    }
    for (const store of this.centralStores.values()) store.refresh();
    if (this.shared) this.keepSharedCopy(this.shared);
  }

  /** The shared store cannot be read: its entries stay; none yet, the local copy's are served. */
  private sharedStoreUnavailable(shared: SharedStore, file: string, reason: string): void {
    if (this.entries.length === 0 && !shared.servingCache && shared.cache.exists()) {
      this.logger.warn({ sslStore: file, cache: shared.cache.storeFile, reason }, `the shared SSL store ${file} cannot be read (${reason}); starting on its local copy ${shared.cache.storeFile}`);
      shared.problem = reason;
      shared.servingCache = true;
      this.reloadStore(shared.cache.storeFile);
      return;
    }
    if (reason === shared.problem) return;
    shared.problem = reason;
    this.logger.error(
      { sslStore: file, reason },
      this.entries.length > 0
        ? `the shared SSL store ${file} cannot be read (${reason}); the ${this.entries.length} bindings loaded before stay in force${shared.servingCache ? ` (from the local copy ${shared.cache.storeFile})` : ''}`
        : `the shared SSL store ${file} cannot be read (${reason}) and there is no local copy yet: https bindings have no certificate`,
    );
  }

  /** Copies the shared store and its files when all of it loaded and something changed since the last copy. */
  private keepSharedCopy(shared: SharedStore): void {
    // The share away (or the store broken): the copy keeps what was last good, never an emptied store.
    if (!this.storeFile || shared.servingCache || !shared.lastReadClean || shared.problem !== null) return;
    if (this.entries.some((entry) => entry.binding.key.kind !== 'ccs' && (entry.certificate === null || entry.error !== null))) return;
    try {
      if (shared.cache.save(this.storeFile, this.entries.map((entry) => entry.binding))) {
        this.logger.info({ sslStore: this.storeFile, cache: shared.cache.folder }, `local copy of the shared SSL store and its certificates kept in ${shared.cache.folder}`);
      }
      shared.cacheProblem = null;
    } catch (error) {
      const reason = (error as Error).message;
      if (reason !== shared.cacheProblem) this.logger.error({ sslStore: this.storeFile, cache: shared.cache.folder, reason }, `cannot copy the shared SSL store to ${shared.cache.folder}: ${reason}`);
      shared.cacheProblem = reason;
    }
  }

  private reloadStore(file: string): void {
    const shared = file === this.storeFile ? this.shared : null;
    let read: SslStoreReadResult;
    if (shared) {
      // A missing file is an empty store to readSslStore; a shared one that is missing is a share away.
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        this.sharedStoreUnavailable(shared, file, code === 'ENOENT' ? 'no such file (the shared folder is gone, renamed or not mounted)' : (error as Error).message);
        return;
      }
      if (text === shared.text && shared.problem === null && !shared.servingCache) return;
      shared.text = text;
      read = parseSslStore(text, file);
    } else read = readSslStore(file);
    const { bindings, errors } = read;
    if (shared) {
      if (bindings.length === 0 && errors.length > 0) {
        if (errors[0] !== shared.problem) for (const error of errors) this.logger.error({ sslStore: file }, `SSL store entry refused: ${error}`);
        this.sharedStoreUnavailable(shared, file, errors[0]!);
        return;
      }
      if (shared.problem !== null || shared.servingCache) {
        this.logger.info({ sslStore: file }, `the shared SSL store ${file} is in force again`);
      }
      shared.problem = null;
      shared.servingCache = false;
      shared.lastReadClean = errors.length === 0;
    }
    for (const error of errors) this.logger.error({ sslStore: file }, `SSL store entry refused: ${error}`);
    if (bindings.length === 0 && errors.length > 0 && this.entries.length > 0) {
      this.logger.error({ sslStore: file }, 'the SSL store could not be read; the bindings loaded before stay in force');
      return;
    }
    const previous = new Map(this.entries.map((entry) => [keyText(entry.binding), entry]));
    const next: StoreEntryState[] = [];
    for (const binding of bindings) {
      const old = previous.get(keyText(binding));
      if (old && sameFiles(old.binding, binding)) {
        old.binding = binding;
        next.push(old);
        continue;
      }
      const entry: StoreEntryState = { binding, certificate: old?.certificate ?? null, error: null, signature: '' };
      if (binding.key.kind !== 'ccs') this.load(entry);
      next.push(entry);
    }
    this.entries = next;
    this.hostnamePort.clear();
    this.ipPort.clear();
    const centralStores = new Map<number, CentralCertificateStore>();
    for (const entry of next) {
      const key = entry.binding.key;
      if (key.kind === 'hostnameport') this.hostnamePort.set(`${key.host}:${key.port}`, entry);
      else if (key.kind === 'ipport') this.ipPort.set(`${key.host}|${key.port}`, entry);
      else {
        const existing = this.centralStores.get(key.port);
        centralStores.set(
          key.port,
          existing?.sameAs(entry.binding) ? existing : new CentralCertificateStore(entry.binding, this.logger, this.env, this.ticketKeys),
        );
      }
    }
    this.centralStores.clear();
    for (const [port, store] of centralStores) this.centralStores.set(port, store);
    this.logger.info({ sslStore: file, entries: next.length }, `SSL store loaded: ${next.map((entry) => keyText(entry.binding)).join(', ') || 'empty'}`);
  }

  private load(entry: StoreEntryState): void {
    entry.signature = signatureOf(entry.binding);
    const { binding } = entry;
    const key = keyText(binding);
    try {
      const certificate = loadCertificate(certificateFilesOf(binding), this.env);
      this.ticketKeys?.apply(certificate.context);
      const replaced = entry.certificate;
      entry.certificate = certificate;
      entry.error = null;
      this.logger.info(
        { sslBinding: key, serial: certificate.serial, subject: certificate.subject, validTo: certificate.validTo },
        replaced ? `certificate of ${key} replaced: serial ${replaced.serial} -> ${certificate.serial}` : `certificate of ${key} loaded: serial ${certificate.serial}`,
      );
    } catch (error) {
      entry.error = (error as Error).message;
      this.logger.error(
        { sslBinding: key, reason: entry.error },
        entry.certificate
          ? `certificate of ${key} not replaced, serial ${entry.certificate.serial} still served: ${entry.error}`
          : `certificate of ${key} cannot be loaded: ${entry.error}`,
      );
    }
  }

  /** The certificate's context for a port with sslFlags 32: TLS 1.2 at most, with the shared ticket keys. */
  contextWithoutTls13(certificate: LoadedCertificate): SecureContext {
    return contextWithoutTls13(certificate, (context) => this.ticketKeys?.apply(context));
  }

  /** The certificate for a handshake; `serverName` is the SNI name (lower-cased), '' when the client sent none. */
  select(localIp: string, localPort: number, serverName: string): LoadedCertificate | null {
    if (serverName) {
      const exact = this.hostnamePort.get(`${serverName}:${localPort}`)?.certificate;
      if (exact) return exact;
      const dot = serverName.indexOf('.');
      if (dot > 0) {
        const wildcard = this.hostnamePort.get(`*${serverName.slice(dot)}:${localPort}`)?.certificate;
        if (wildcard) return wildcard;
      }
      const central = this.centralStores.get(localPort)?.find(serverName);
      if (central) return central;
    }
    const ip = this.ipPort.get(`${localIp}|${localPort}`)?.certificate;
    if (ip) return ip;
    return this.ipPort.get(`${localIp.includes(':') ? '::' : '0.0.0.0'}|${localPort}`)?.certificate ?? null;
  }

  /** The entries with their state, for `poolhost sslcert show` and the counters. */
  describe(): StoreEntryState[] {
    return this.entries;
  }
}

function keyText(binding: SslCertBinding): string {
  return `${binding.key.kind}=${formatSslCertKey(binding.key)}`;
}

function signatureOf(binding: SslCertBinding): string {
  return [binding.certFile, binding.keyFile, binding.passwordFile, binding.clientCaFile].map(fileSignature).join('|');
}

function sameFiles(a: SslCertBinding, b: SslCertBinding): boolean {
  return (
    a.certFile === b.certFile &&
    a.keyFile === b.keyFile &&
    a.passwordFile === b.passwordFile &&
    a.passwordEnv === b.passwordEnv &&
    a.certStoreLocation === b.certStoreLocation &&
    a.clientCaFile === b.clientCaFile &&
    a.clientCertNegotiation === b.clientCertNegotiation
  );
}
