// The HTTP.SYS SSL configuration store (`netsh http … sslcert`) as its own table, apart from
// applicationHost.config (reference iis-2.md §1.2, §1.8): site bindings carry only `https` and `sslFlags`;
// which certificate a handshake gets is decided here. On Linux a certificate is a file, not a hash in a
// Windows certificate store.

/**
 * Binding sslFlags bits about TLS versions (IIS 10 1809+): 32 DisableTLS13, 64 DisableLegacyTLS. poolhost
 * never offers TLS below 1.2, so 64 always holds; 32 caps the port's listening socket at TLS 1.2.
 */
export const SSL_FLAG_DISABLE_TLS13 = 32;
export const SSL_FLAG_DISABLE_LEGACY_TLS = 64;

/** The three key kinds of HTTP.SYS' store: `ipport=IP:port`, `hostnameport=name:port` (SNI), `ccs=port`. */
export type SslCertKeyKind = 'ipport' | 'hostnameport' | 'ccs';

export interface SslCertKey {
  kind: SslCertKeyKind;
  /** ipport: `0.0.0.0`, `::` (the wildcards) or a literal address; hostnameport: the lower-cased name; ccs: ''. */
  host: string;
  port: number;
}

export interface SslCertBinding {
  key: SslCertKey;
  /** PEM certificate (leaf first, then the chain), or a PFX/PKCS#12 file (`.pfx`/`.p12`). ipport/hostnameport only. */
  certFile?: string;
  /** PEM private key; absent when certFile is a PFX or a PEM that holds the key too. */
  keyFile?: string;
  /** The PFX password (CCS: the PrivateKeyPassword of every file), read from a file … */
  passwordFile?: string;
  /** … or from this environment variable of httpsys. */
  passwordEnv?: string;
  /** ccs: the Centralized Certificate Store folder (`CertStoreLocation`): `<host>.pfx` or `<host>.pem`, `_` for `*`. */
  certStoreLocation?: string;
  /** netsh's owning-application GUID, kept and shown. */
  appId: string;
  /** netsh's certstorename (`MY`, `WebHosting`), kept and shown. */
  certStoreName: string;
  /** `clientcertnegotiation=enable`: request a client certificate in the initial handshake. */
  clientCertNegotiation: boolean;
  /** PEM bundle of the CAs client certificates are verified against (sslctlidentifier's role). */
  clientCaFile?: string;
}

/** The text of a key as netsh prints it: `0.0.0.0:443`, `[::]:443`, `www.contoso.com:443`, `443`. */
export function formatSslCertKey(key: SslCertKey): string {
  if (key.kind === 'ccs') return String(key.port);
  if (key.kind === 'ipport' && key.host.includes(':')) return `[${key.host}]:${key.port}`;
  return `${key.host}:${key.port}`;
}

export function sameSslCertKey(a: SslCertKey, b: SslCertKey): boolean {
  return a.kind === b.kind && a.host === b.host && a.port === b.port;
}
