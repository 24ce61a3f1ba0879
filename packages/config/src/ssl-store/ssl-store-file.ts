// The SSL store on disk: one JSON file (HTTP.SYS keeps it in the registry), written by `poolhost sslcert`
// and read by httpsys. Each entry uses netsh's parameter names:
//   { "sslcert": [ { "hostnameport": "www.contoso.com:443", "certfile": "/etc/poolhost/ssl/www.pem",
//                    "keyfile": "/etc/poolhost/ssl/www.key", "appid": "{…}", "certstorename": "WebHosting" } ] }
import { readFileSync } from 'node:fs';
import { formatJsonSyntaxFault, parseJsonText } from '@poolhost/common';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomic } from '../editing/atomic-write.js';
import { readConfigurationRedirection, type ConfigurationRedirection } from '../redirection/redirection-config.js';
import { parseSslCertKey, SSL_CERT_KEY_KINDS } from './parse-ssl-cert-key.js';
import { formatSslCertKey, type SslCertBinding, type SslCertKeyKind } from './ssl-store-model.js';

export interface SslStoreReadResult {
  bindings: SslCertBinding[];
  /** Entries that were refused, each naming the file, the entry and the fix. */
  errors: string[];
}

export const SSL_STORE_FILE_NAME = 'sslcert.json';

/**
 * Where the store lives: `POOLHOST_SSL_STORE`; else, under shared configuration (redirection.config
 * enabled beside `configFile`), `sslcert.json` in the shared folder, so `poolhost sslcert` on any host
 * edits the farm's store; else `sslcert.json` beside applicationHost.config. `redirection` is the one
 * already read (undefined: read it here; a broken redirection.config throws its ConfigError).
 */
export function sslStorePath(configFile: string, env: NodeJS.ProcessEnv = process.env, redirection?: ConfigurationRedirection | null): string {
  if (env.POOLHOST_SSL_STORE) return resolve(env.POOLHOST_SSL_STORE);
  const shared = redirection === undefined ? readConfigurationRedirection(configFile, env) : redirection;
  return resolve(shared ? join(shared.path, SSL_STORE_FILE_NAME) : join(dirname(configFile), SSL_STORE_FILE_NAME));
}

export const DEFAULT_APP_ID = '{4dc3e181-e14b-4a21-b022-59fc669b0914}';

/** Every parameter of an SSL store entry: `netsh http add sslcert`'s, as `poolhost sslcert add` takes them. */
export const SSL_CERT_PARAMETERS: ReadonlySet<string> = new Set([
  ...SSL_CERT_KEY_KINDS,
  'certfile',
  'keyfile',
  'passwordfile',
  'passwordenv',
  'certstorelocation',
  'appid',
  'certstorename',
  'clientcertnegotiation',
  'sslctlfile',
]);

/** A missing file is an empty store. */
export function readSslStore(file: string): SslStoreReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { bindings: [], errors: [] };
    return { bindings: [], errors: [`${file}: ${(error as Error).message}`] };
  }
  return parseSslStore(text, file);
}

export function parseSslStore(text: string, file: string): SslStoreReadResult {
  // Not JSON.parse's own message: it quotes the text around the fault.
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { bindings: [], errors: [formatJsonSyntaxFault(file, parsed.fault)] };
  const document = parsed.value;
  const entries = (document as { sslcert?: unknown })?.sslcert;
  if (!Array.isArray(entries)) return { bindings: [], errors: [`${file}: expected {"sslcert": [ … ]}`] };
  const bindings: SslCertBinding[] = [];
  const errors: string[] = [];
  entries.forEach((entry: unknown, index) => {
    const where = `${file}: sslcert[${index}]`;
    const parsed = parseEntry(entry as Record<string, unknown>, dirname(file));
    if (typeof parsed === 'string') errors.push(`${where}: ${parsed}`);
    else if (bindings.some((other) => formatSslCertKey(other.key) === formatSslCertKey(parsed.key) && other.key.kind === parsed.key.kind)) {
      errors.push(`${where}: ${parsed.key.kind}=${formatSslCertKey(parsed.key)} is already in the store`);
    } else bindings.push(parsed);
  });
  return { bindings, errors };
}

function parseEntry(entry: Record<string, unknown>, base: string): SslCertBinding | string {
  if (typeof entry !== 'object' || entry === null) return 'expected an object';
  for (const name of Object.keys(entry)) if (!SSL_CERT_PARAMETERS.has(name)) return `unknown parameter "${name}"`;
  const kinds = SSL_CERT_KEY_KINDS.filter((kind) => entry[kind] !== undefined);
  if (kinds.length !== 1) return 'name exactly one of ipport=, hostnameport=, ccs=';
  const kind = kinds[0] as SslCertKeyKind;
  const key = parseSslCertKey(kind, String(entry[kind]));
  if (!key.ok) return key.reason;
  const text = (name: string): string | undefined => (typeof entry[name] === 'string' && entry[name] !== '' ? (entry[name] as string) : undefined);
  const path = (name: string): string | undefined => {
    const value = text(name);
    return value === undefined ? undefined : isAbsolute(value) ? value : resolve(base, value);
  };
  const binding: SslCertBinding = {
    key: key.key,
    appId: text('appid') ?? DEFAULT_APP_ID,
    certStoreName: text('certstorename') ?? (kind === 'hostnameport' ? 'WebHosting' : 'MY'),
    clientCertNegotiation: text('clientcertnegotiation') === 'enable',
  };
  const negotiation = text('clientcertnegotiation');
  if (negotiation !== undefined && negotiation !== 'enable' && negotiation !== 'disable') return `clientcertnegotiation=${negotiation}: expected enable or disable`;
  const assign = (field: 'certFile' | 'keyFile' | 'passwordFile' | 'certStoreLocation' | 'clientCaFile', name: string): void => {
    const value = path(name);
    if (value !== undefined) binding[field] = value;
  };
  assign('certFile', 'certfile');
  assign('keyFile', 'keyfile');
  assign('passwordFile', 'passwordfile');
  assign('certStoreLocation', 'certstorelocation');
  assign('clientCaFile', 'sslctlfile');
  const passwordEnv = text('passwordenv');
  if (passwordEnv !== undefined) binding.passwordEnv = passwordEnv;
  if (kind === 'ccs') {
    if (!binding.certStoreLocation) return 'ccs= needs certstorelocation=<folder of <host>.pfx or <host>.pem files>';
    if (binding.certFile || binding.keyFile) return 'ccs= takes no certfile=/keyfile=: certificates are found by host name in certstorelocation=';
  } else {
    if (!binding.certFile) return `${kind}= needs certfile=<PEM certificate and chain, or a .pfx>`;
    if (binding.certStoreLocation) return 'certstorelocation= belongs to ccs= entries';
  }
  return binding;
}

/** The store as written by `poolhost sslcert add|delete`: netsh's parameter names, one entry per key. */
export function serializeSslStore(bindings: readonly SslCertBinding[]): string {
  const entries = bindings.map((binding) => {
    const entry: Record<string, string> = { [binding.key.kind]: formatSslCertKey(binding.key) };
    if (binding.certFile) entry.certfile = binding.certFile;
    if (binding.keyFile) entry.keyfile = binding.keyFile;
    if (binding.passwordFile) entry.passwordfile = binding.passwordFile;
    if (binding.passwordEnv) entry.passwordenv = binding.passwordEnv;
    if (binding.certStoreLocation) entry.certstorelocation = binding.certStoreLocation;
    if (binding.clientCaFile) entry.sslctlfile = binding.clientCaFile;
    entry.appid = binding.appId;
    entry.certstorename = binding.certStoreName;
    entry.clientcertnegotiation = binding.clientCertNegotiation ? 'enable' : 'disable';
    return entry;
  });
  return `${JSON.stringify({ sslcert: entries }, null, 2)}\n`;
}

export function writeSslStore(file: string, bindings: readonly SslCertBinding[]): void {
  writeFileAtomic(file, Buffer.from(serializeSslStore(bindings)));
}
