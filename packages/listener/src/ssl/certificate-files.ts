// A certificate of the SSL store, from files: PEM (certificate and chain, key in the same file or its own)
// or PFX/PKCS#12 with a password. Loaded into a SecureContext once; a file that cannot be used is an Error
// naming the file and the reason, so the caller keeps the certificate it had (last known good).
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate, constants, createPrivateKey } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { SslCertBinding } from '@poolhost/config';

export interface CertificateFiles {
  certFile: string;
  keyFile?: string;
  passwordFile?: string;
  passwordEnv?: string;
  /** PEM bundle of the CAs client certificates are verified against. */
  clientCaFile?: string;
  /** `clientcertnegotiation=enable`: the handshake asks for a client certificate. */
  clientCertNegotiation?: boolean;
}

export interface LoadedCertificate {
  context: SecureContext;
  /** What `context` was made from, for the TLS 1.2-capped twin a port with sslFlags 32 needs. */
  contextOptions: SecureContextOptions;
  /** The same certificate with TLS 1.3 disabled (sslFlags 32), made on the first handshake that needs it. */
  withoutTls13: SecureContext | null;
  /** Hex, as `openssl x509 -serial` prints it (upper case, no colons). */
  serial: string;
  subject: string;
  /** SHA-1 thumbprint, netsh's `Certificate Hash` (lower-case hex). */
  thumbprint: string;
  validTo: string;
  requestClientCertificate: boolean;
  /** The CAs of sslctlfile=, for client certificates. */
  clientCas: X509Certificate[];
}

/** TLS 1.2 is the floor (reference iis-2.md §1.7: legacy TLS is disabled per binding; poolhost never offers it). */
export const TLS_MIN_VERSION = 'TLSv1.2';
/**
 * No renegotiation, as HTTP.SYS refuses a client-initiated one (CVE-2009-3555; each costs a full handshake
 * of server CPU): the client gets a no_renegotiation alert, the connection goes on.
 */
export const TLS_SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION;
/** The ceiling of a port whose bindings carry sslFlags 32 (DisableTLS13). */
export const TLS_MAX_VERSION_WITHOUT_TLS13 = 'TLSv1.2';

/** The certificate's context capped at TLS 1.2, made once. */
export function contextWithoutTls13(certificate: LoadedCertificate, prepare: (context: SecureContext) => void): SecureContext {
  if (certificate.withoutTls13) return certificate.withoutTls13;
  const context = createSecureContext({ ...certificate.contextOptions, maxVersion: TLS_MAX_VERSION_WITHOUT_TLS13 });
  prepare(context);
  return (certificate.withoutTls13 = context);
}

export function isPfx(file: string): boolean {
  return /\.(pfx|p12)$/i.test(file);
}

/** The files a store entry names (`certFile`: a Centralized Certificate Store file instead of the entry's own). */
export function certificateFilesOf(binding: SslCertBinding, certFile = binding.certFile!): CertificateFiles {
  return {
    certFile,
    ...(binding.keyFile && certFile === binding.certFile ? { keyFile: binding.keyFile } : {}),
    ...(binding.passwordFile ? { passwordFile: binding.passwordFile } : {}),
    ...(binding.passwordEnv ? { passwordEnv: binding.passwordEnv } : {}),
    ...(binding.clientCaFile ? { clientCaFile: binding.clientCaFile } : {}),
    clientCertNegotiation: binding.clientCertNegotiation,
  };
}

export function loadCertificate(files: CertificateFiles, env: NodeJS.ProcessEnv = process.env): LoadedCertificate {
  const { certFile } = files;
  const caBundle = files.clientCaFile ? read(files.clientCaFile) : null;
  const ca = caBundle ? { ca: caBundle } : {};
  const clientCas = caBundle ? parseBundle(caBundle, files.clientCaFile!) : [];
  const requestClientCertificate = files.clientCertNegotiation === true;
  if (isPfx(certFile)) {
    checkPrivate(certFile);
    const pfx = read(certFile);
    const passphrase = password(files, env);
    let context: SecureContext;
    const contextOptions: SecureContextOptions = { pfx, ...(passphrase === undefined ? {} : { passphrase }), ...ca, minVersion: TLS_MIN_VERSION, secureOptions: TLS_SECURE_OPTIONS };
    try {
      context = createSecureContext(contextOptions);
    } catch (error) {
      throw new Error(`${certFile}: cannot open the PFX (${reason(error)}); check the password (passwordfile= or passwordenv=)`);
    }
    return { ...describe(context, certFile), contextOptions, withoutTls13: null, requestClientCertificate, clientCas };
  }
  const cert = read(certFile);
  const keyFile = files.keyFile ?? certFile;
  checkPrivate(keyFile);
  const key = files.keyFile ? read(keyFile) : cert;
  if (!key.includes('PRIVATE KEY-----')) throw new Error(`${keyFile}: no PEM private key (give keyfile= or put the key in the certificate file)`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new Error(`${certFile}: not a PEM certificate (${reason(error)})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new Error(`${keyFile}: not a usable private key (${reason(error)})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new Error(`${keyFile}: the private key does not belong to the certificate in ${certFile}`);
  let context: SecureContext;
  const contextOptions: SecureContextOptions = { cert, key, minVersion: TLS_MIN_VERSION, secureOptions: TLS_SECURE_OPTIONS };
  try {
    context = createSecureContext(contextOptions);
  } catch (error) {
    throw new Error(`${certFile}: ${reason(error)}`);
  }
  return { context, contextOptions, withoutTls13: null, ...identity(leaf), requestClientCertificate, clientCas };
}

function describe(context: SecureContext, file: string): Omit<LoadedCertificate, 'contextOptions' | 'withoutTls13' | 'requestClientCertificate' | 'clientCas'> {
  const raw = (context.context as { getCertificate(): Buffer | null }).getCertificate();
  if (!raw) throw new Error(`${file}: the PFX holds no certificate`);
  return { context, ...identity(new X509Certificate(raw)) };
}

function identity(leaf: X509Certificate): Pick<LoadedCertificate, 'serial' | 'subject' | 'thumbprint' | 'validTo'> {
  return {
    serial: leaf.serialNumber.toUpperCase(),
    subject: leaf.subject.replaceAll('\n', ', '),
    thumbprint: leaf.fingerprint.replaceAll(':', '').toLowerCase(),
    validTo: leaf.validTo,
  };
}

function parseBundle(bundle: Buffer, file: string): X509Certificate[] {
  const pems = bundle.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new Error(`${file}: no PEM certificate in the CA bundle (sslctlfile=)`);
  return pems.map((pem) => new X509Certificate(pem));
}

/** Key material readable by group or others is refused, as ssh refuses a private key that is. */
function checkPrivate(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    throw new Error(`${file}: ${reason(error)}`);
  }
  if (mode & 0o077) throw new Error(`${file}: holds a private key and is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
}

function password(files: CertificateFiles, env: NodeJS.ProcessEnv): string | undefined {
  if (files.passwordFile) return read(files.passwordFile).toString('utf8').replace(/\r?\n$/, '');
  if (files.passwordEnv) {
    const value = env[files.passwordEnv];
    if (value === undefined) throw new Error(`passwordenv=${files.passwordEnv}: httpsys has no such environment variable`);
    return value;
  }
  return undefined;
}

function read(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${file}: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What changes when a file is replaced (by rename or in place): inode, size, mtime. '' when it is missing. */
export function fileSignature(file: string | undefined): string {
  if (!file) return '';
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return '';
  }
}
