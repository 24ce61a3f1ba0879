// The Centralized Certificate Store of one port (`ccs=<port>`, sslFlags bit 2; reference iis-2.md §1.2):
// a folder of `<host>.pfx` or `<host>.pem` files, `_` standing for a wildcard's `*` (`_.contoso.com.pfx`),
// one password for every PFX. A host name's file is loaded on its first handshake and re-checked by
// `refresh()`; names with no file are remembered (bounded) so a flood of made-up names costs no disk.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SslCertBinding } from '@poolhost/config';
import { certificateFilesOf, fileSignature, loadCertificate, type LoadedCertificate } from './certificate-files.js';
import type { SessionTicketKeys } from './ticket-keys.js';

interface CentralEntry {
  file: string;
  signature: string;
  certificate: LoadedCertificate | null;
}

const MAX_UNKNOWN_NAMES = 1_000;

export class CentralCertificateStore {
  private readonly files = new Map<string, CentralEntry>();
  /** Host name -> the file that serves it (null: none). */
  private readonly names = new Map<string, CentralEntry | null>();
  private unknownNames = 0;

  constructor(
    private readonly binding: SslCertBinding,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv,
    private ticketKeys: SessionTicketKeys | null = null,
  ) {}

  /** The keys in force (rotated), or `keys` from now on (redirection.config changed), applied to every loaded certificate. */
  applyTicketKeys(keys: SessionTicketKeys | null = this.ticketKeys): void {
    this.ticketKeys = keys;
    for (const entry of this.files.values()) if (entry.certificate) this.ticketKeys?.applyToCertificate(entry.certificate);
  }

  sameAs(binding: SslCertBinding): boolean {
    const b = this.binding;
    return b.certStoreLocation === binding.certStoreLocation && b.passwordFile === binding.passwordFile && b.passwordEnv === binding.passwordEnv;
  }

  find(serverName: string): LoadedCertificate | null {
    let entry = this.names.get(serverName);
    if (entry === undefined) {
      entry = this.lookup(serverName);
      if (entry === null && ++this.unknownNames > MAX_UNKNOWN_NAMES) this.forgetUnknownNames();
      this.names.set(serverName, entry);
    }
    return entry?.certificate ?? null;
  }

  private lookup(serverName: string): CentralEntry | null {
    const dot = serverName.indexOf('.');
    const candidates = [serverName, dot > 0 ? `_${serverName.slice(dot)}` : null];
    for (const base of candidates) {
      if (!base) continue;
      for (const extension of ['.pfx', '.pem']) {
        const file = join(this.binding.certStoreLocation!, base + extension);
        const known = this.files.get(file);
        if (known) return known;
        const signature = fileSignature(file);
        if (!signature) continue;
        const entry: CentralEntry = { file, signature: '', certificate: null };
        this.load(entry);
        this.files.set(file, entry);
        return entry;
      }
    }
    return null;
  }

  private load(entry: CentralEntry): void {
    entry.signature = fileSignature(entry.file);
    const { binding } = this;
    try {
      const certificate = loadCertificate(certificateFilesOf(binding, entry.file), this.env);
      this.ticketKeys?.apply(certificate.context);
      const replaced = entry.certificate;
      entry.certificate = certificate;
      this.logger.info({ centralCertificate: entry.file, serial: certificate.serial }, replaced ? `${entry.file} replaced: serial ${replaced.serial} -> ${certificate.serial}` : `${entry.file} loaded: serial ${certificate.serial}`);
    } catch (error) {
      this.logger.error(
        { centralCertificate: entry.file, reason: (error as Error).message },
        entry.certificate ? `${entry.file} not replaced, serial ${entry.certificate.serial} still served: ${(error as Error).message}` : `cannot load ${(error as Error).message}`,
      );
    }
  }

  /** Re-checks loaded files and, once per refresh, names that had none (a file may have appeared). */
  refresh(): void {
    for (const entry of this.files.values()) if (fileSignature(entry.file) !== entry.signature) this.load(entry);
    if (this.unknownNames > 0) this.forgetUnknownNames();
  }

  private forgetUnknownNames(): void {
    for (const [name, entry] of this.names) if (entry === null) this.names.delete(name);
    this.unknownNames = 0;
  }
}
