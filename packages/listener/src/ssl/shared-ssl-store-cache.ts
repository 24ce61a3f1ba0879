// The local copy of a shared SSL store (redirection.config enabled: sslcert.json in the shared folder):
// the store and every file it names — certificates, keys, PFX passwords, client CA bundles, the files of
// a Centralized Certificate Store folder — copied 0600 into `sslcert.shared-cache/` beside
// redirection.config, with the store's paths pointing at the copies. httpsys writes it whenever the
// shared store and all its certificates loaded and something changed, and starts on it when the shared
// store cannot be read (the share away at boot), as was starts on applicationHost.shared-cache.config.
// A copy is made in a new folder and renamed into place, so a reader sees the old copy or the new one.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createDirectoryTree } from '@poolhost/common';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { serializeSslStore, type SslCertBinding } from '@poolhost/config';
import { fileSignature } from './certificate-files.js';

export const SHARED_SSL_STORE_CACHE_FOLDER = 'sslcert.shared-cache';

export class SharedSslStoreCache {
  readonly folder: string;
  readonly storeFile: string;
  private savedSignature = '';

  constructor(cacheFolder: string) {
    this.folder = join(cacheFolder, SHARED_SSL_STORE_CACHE_FOLDER);
    this.storeFile = join(this.folder, 'sslcert.json');
  }

  exists(): boolean {
    return existsSync(this.storeFile);
  }

  /** What a save would copy, as inode/size/time of each file: unchanged, nothing to do. */
  signatureOf(storeFile: string, bindings: readonly SslCertBinding[]): string {
    const parts = [fileSignature(storeFile)];
    for (const binding of bindings) {
      for (const file of filesOf(binding)) parts.push(`${file}=${fileSignature(file)}`);
      if (binding.certStoreLocation) for (const file of centralFiles(binding.certStoreLocation)) parts.push(`${file}=${fileSignature(file)}`);
    }
    return parts.join('|');
  }

  /** Copies the store; true when a new copy was written. Throws (the old copy stays) when a file cannot be copied. */
  save(storeFile: string, bindings: readonly SslCertBinding[]): boolean {
    const signature = this.signatureOf(storeFile, bindings);
    if (signature === this.savedSignature) return false;
    const next = `${this.folder}.${process.pid}.new`;
    rmSync(next, { recursive: true, force: true });
    createDirectoryTree(next, 0o700);
    try {
      const copy = (file: string, folder: string): string => {
        const name = `${createHash('sha256').update(file).digest('hex').slice(0, 12)}-${basename(file)}`;
        copyFileSync(file, join(next, folder, name));
        return join(this.folder, folder, name);
      };
      mkdirSync(join(next, 'files'), { mode: 0o700 });
      const copied = bindings.map((binding): SslCertBinding => {
        const result: SslCertBinding = { ...binding };
        if (binding.certFile) result.certFile = copy(binding.certFile, 'files');
        if (binding.keyFile) result.keyFile = copy(binding.keyFile, 'files');
        if (binding.passwordFile) result.passwordFile = copy(binding.passwordFile, 'files');
        if (binding.clientCaFile) result.clientCaFile = copy(binding.clientCaFile, 'files');
        if (binding.certStoreLocation) {
          const folder = `ccs-${createHash('sha256').update(binding.certStoreLocation).digest('hex').slice(0, 12)}`;
          mkdirSync(join(next, folder), { mode: 0o700 });
          // CCS files keep their names: the name is the host name they serve.
          for (const file of centralFiles(binding.certStoreLocation, true)) copyFileSync(file, join(next, folder, basename(file)));
          result.certStoreLocation = join(this.folder, folder);
        }
        return result;
      });
      for (const folder of ['files', ...readdirSync(next).filter((name) => name.startsWith('ccs-'))]) {
        // copyFileSync keeps the source's mode; the copies hold private keys.
        for (const name of readdirSync(join(next, folder))) chmodSync(join(next, folder, name), 0o600);
      }
      writeFileSync(join(next, 'sslcert.json'), serializeSslStore(copied), { mode: 0o600 });
      rmSync(`${this.folder}.old`, { recursive: true, force: true });
      if (existsSync(this.folder)) renameSync(this.folder, `${this.folder}.old`);
      renameSync(next, this.folder);
      rmSync(`${this.folder}.old`, { recursive: true, force: true });
    } catch (error) {
      rmSync(next, { recursive: true, force: true });
      throw error;
    }
    this.savedSignature = signature;
    return true;
  }
}

function filesOf(binding: SslCertBinding): string[] {
  return [binding.certFile, binding.keyFile, binding.passwordFile, binding.clientCaFile].filter((file): file is string => Boolean(file));
}

/** The certificate files of a CCS folder (`<host>.pfx`, `<host>.pem`); `strict`: a folder that cannot be read throws. */
function centralFiles(folder: string, strict = false): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(pfx|pem)$/i.test(entry.name))
      .map((entry) => join(folder, entry.name));
  } catch (error) {
    if (strict) throw error;
    return [];
  }
}
