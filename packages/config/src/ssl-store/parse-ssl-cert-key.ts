// `ipport=0.0.0.0:443`, `ipport=[::]:443`, `hostnameport=www.contoso.com:443`, `ccs=443` (netsh's grammar).
import { isIPv4, isIPv6 } from 'node:net';
import type { SslCertKey, SslCertKeyKind } from './ssl-store-model.js';

export type ParsedSslCertKey = { ok: true; key: SslCertKey } | { ok: false; reason: string };

export const SSL_CERT_KEY_KINDS: readonly SslCertKeyKind[] = ['ipport', 'hostnameport', 'ccs'];

export function parseSslCertKey(kind: SslCertKeyKind, text: string): ParsedSslCertKey {
  if (kind === 'ccs') {
    const port = parsePort(text);
    return typeof port === 'number' ? { ok: true, key: { kind, host: '', port } } : { ok: false, reason: port };
  }
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return { ok: false, reason: `${kind}=${text}: expected ${kind === 'ipport' ? 'IP:port, e.g. 0.0.0.0:443' : 'hostname:port, e.g. www.contoso.com:443'}` };
  const port = parsePort(text.slice(colon + 1));
  if (typeof port !== 'number') return { ok: false, reason: `${kind}=${text}: ${port}` };
  let host = text.slice(0, colon);
  if (kind === 'ipport') {
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    else if (host.includes(':')) return { ok: false, reason: `ipport=${text}: an IPv6 address is written in brackets, e.g. [::]:443` };
    if (!isIPv4(host) && !isIPv6(host)) return { ok: false, reason: `ipport=${text}: "${host}" is not an IP address (0.0.0.0 and [::] are the wildcards)` };
    if (isIPv6(host)) host = normalizeIpv6(host);
    return { ok: true, key: { kind, host, port } };
  }
  if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
    return { ok: false, reason: `hostnameport=${text}: "${host}" is not a host name` };
  }
  return { ok: true, key: { kind, host: host.toLowerCase(), port } };
}

function parsePort(text: string): number | string {
  if (!/^\d+$/.test(text)) return `port "${text}" is not a number`;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : `port ${port} is outside 1-65535`;
}

/** `::` stays `::`; `0:0::1` becomes `::1` — one spelling per address so lookups match. */
function normalizeIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}
