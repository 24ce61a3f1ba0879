// `poolhost sslcert add|show|delete key=value …`: netsh http's grammar (`netsh http add sslcert
// hostnameport=www.contoso.com:443 certhash=… appid={…}`), with certificate files where Windows has a
// hash in a certificate store.
import { parseSslCertKey, SSL_CERT_KEY_KINDS, SSL_CERT_PARAMETERS, DEFAULT_APP_ID, type SslCertBinding, type SslCertKey, type SslCertKeyKind } from '@poolhost/config';

export type SslCertVerb = 'add' | 'show' | 'delete';

export type ParsedSslCertArguments = { ok: true; key: SslCertKey | null; values: Map<string, string> } | { ok: false; message: string };

export function parseSslCertArguments(verb: SslCertVerb, args: readonly string[]): ParsedSslCertArguments {
  const values = new Map<string, string>();
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals <= 0) return { ok: false, message: `"${arg}" is not a parameter: write name=value, e.g. ipport=0.0.0.0:443` };
    const name = arg.slice(0, equals).toLowerCase();
    const allowed = verb === 'add' ? SSL_CERT_PARAMETERS : new Set(SSL_CERT_KEY_KINDS);
    if (!allowed.has(name)) return { ok: false, message: `The parameter "${name}" is not valid for sslcert ${verb}.` };
    values.set(name, arg.slice(equals + 1));
  }
  const kinds = SSL_CERT_KEY_KINDS.filter((kind) => values.has(kind));
  if (kinds.length > 1) return { ok: false, message: 'Name one of ipport=, hostnameport=, ccs=.' };
  if (kinds.length === 0) {
    if (verb === 'show') return { ok: true, key: null, values };
    return { ok: false, message: `sslcert ${verb} needs one of ipport=, hostnameport=, ccs=.` };
  }
  const kind = kinds[0] as SslCertKeyKind;
  const key = parseSslCertKey(kind, values.get(kind)!);
  if (!key.ok) return { ok: false, message: key.reason };
  return { ok: true, key: key.key, values };
}

/** The store entry `add` describes (paths made absolute against the current folder). */
export function bindingFromArguments(key: SslCertKey, values: Map<string, string>, resolvePath: (path: string) => string): SslCertBinding | string {
  const negotiation = values.get('clientcertnegotiation') ?? 'disable';
  if (negotiation !== 'enable' && negotiation !== 'disable') return `clientcertnegotiation=${negotiation}: expected enable or disable.`;
  const binding: SslCertBinding = {
    key,
    appId: values.get('appid') ?? DEFAULT_APP_ID,
    certStoreName: values.get('certstorename') ?? (key.kind === 'hostnameport' ? 'WebHosting' : 'MY'),
    clientCertNegotiation: negotiation === 'enable',
  };
  const path = (name: string): string | undefined => {
    const value = values.get(name);
    return value ? resolvePath(value) : undefined;
  };
  const certFile = path('certfile');
  const keyFile = path('keyfile');
  const passwordFile = path('passwordfile');
  const certStoreLocation = path('certstorelocation');
  const clientCaFile = path('sslctlfile');
  if (certFile) binding.certFile = certFile;
  if (keyFile) binding.keyFile = keyFile;
  if (passwordFile) binding.passwordFile = passwordFile;
  if (certStoreLocation) binding.certStoreLocation = certStoreLocation;
  if (clientCaFile) binding.clientCaFile = clientCaFile;
  const passwordEnv = values.get('passwordenv');
  if (passwordEnv) binding.passwordEnv = passwordEnv;
  if (key.kind === 'ccs') {
    if (!certStoreLocation) return 'ccs= needs certstorelocation=<folder of <host>.pfx or <host>.pem files>.';
    if (certFile || keyFile) return 'ccs= takes no certfile=/keyfile=: certificates are found by host name in certstorelocation=.';
  } else if (!certFile) {
    return `${key.kind}= needs certfile=<PEM certificate and chain, or a .pfx>.`;
  }
  return binding;
}
