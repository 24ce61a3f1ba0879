// Where an issued certificate goes: two files in the ACME certificate folder (`<host>-<port>.key` 0600,
// then `<host>-<port>.pem`, each written to a temporary name and renamed over the old one) and a
// `hostnameport=<host>:<port>` entry in the SSL store, the same file and format `poolhost sslcert add` writes
// (certstorename ACME marks it as poolhost's to renew). httpsys notices the change within a second and
// swaps the certificate for new handshakes (docs/https.md "Replacing a certificate").
import { X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_APP_ID, readSslStore, sameSslCertKey, writeSslStore, type SslCertBinding, type SslCertKey } from '@poolhost/config';
import type { IssuedCertificate } from './acme-order.js';
import { createDirectoryTree } from '@poolhost/common';

/** netsh's certstorename of the entries poolhost issues and renews. */
export const ACME_CERT_STORE_NAME = 'ACME';

export interface StoreEntryLookup {
  /** The entry for host:port, if the store has one. */
  entry: SslCertBinding | null;
  /** Its certificate's expiry (null: no entry, or its file does not parse). */
  validTo: Date | null;
}

export function lookUpEntry(storeFile: string, host: string, port: number): StoreEntryLookup {
  const key: SslCertKey = { kind: 'hostnameport', host, port };
  const entry = readSslStore(storeFile).bindings.find((binding) => sameSslCertKey(binding.key, key)) ?? null;
  if (!entry?.certFile) return { entry, validTo: null };
  try {
    return { entry, validTo: new Date(new X509Certificate(readFileSync(entry.certFile)).validTo) };
  } catch {
    return { entry, validTo: null };
  }
}

export function storeIssuedCertificate(storeFile: string, folder: string, host: string, port: number, issued: IssuedCertificate): SslCertBinding {
  createDirectoryTree(folder, 0o700);
  chmodSync(folder, 0o700);
  // A wildcard's `*` is written `_`, as the Centralized Certificate Store names its files.
  const base = join(folder, `${host.replace('*', '_')}-${port}`);
  const keyFile = `${base}.key`;
  const certFile = `${base}.pem`;
  // Key first: until the certificate lands, httpsys sees a mismatched pair and keeps serving the old one.
  replaceFile(keyFile, issued.key, 0o600);
  replaceFile(certFile, issued.certificate, 0o644);
  const key: SslCertKey = { kind: 'hostnameport', host, port };
  const store = readSslStore(storeFile);
  const existing = store.bindings.find((binding) => sameSslCertKey(binding.key, key));
  if (existing && existing.certFile === certFile && existing.keyFile === keyFile) return existing;
  const entry: SslCertBinding = { key, certFile, keyFile, appId: DEFAULT_APP_ID, certStoreName: ACME_CERT_STORE_NAME, clientCertNegotiation: false };
  writeSslStore(storeFile, [...store.bindings.filter((binding) => binding !== existing), entry]);
  return entry;
}

function replaceFile(file: string, text: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, file);
}
