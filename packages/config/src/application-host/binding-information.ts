// `bindingInformation` is `IP:port:host`, split on the last two colons so bracketed IPv6 literals work
// (`[fe80::1]:8080:host.local`). IP `*` or empty = all addresses; empty host = any Host header (reference §4.1).

import { isIPv4, isIPv6 } from 'node:net';

export type ParsedBindingInformation = { ok: true; ip: string; port: number; host: string } | { ok: false; reason: string };

/** Protocols whose bindingInformation has the HTTP.SYS `IP:port:host` form. */
export function usesHttpBindingForm(protocol: string): boolean {
  const lower = protocol.toLowerCase();
  return lower === 'http' || lower === 'https' || lower === 'ftp';
}

export function parseBindingInformation(bindingInformation: string): ParsedBindingInformation {
  const last = bindingInformation.lastIndexOf(':');
  const second = last < 0 ? -1 : bindingInformation.lastIndexOf(':', last - 1);
  if (second < 0) return { ok: false, reason: 'expected IP:port:host with two colons' };
  const ipText = bindingInformation.slice(0, second);
  const portText = bindingInformation.slice(second + 1, last);
  const host = bindingInformation.slice(last + 1);
  let ip: string;
  if (ipText === '' || ipText === '*') ip = '*';
  else if (ipText.startsWith('[') && ipText.endsWith(']')) {
    ip = ipText.slice(1, -1);
    if (!isIPv6(ip)) return { ok: false, reason: `"${ipText}" is not an IPv6 address` };
  } else if (isIPv4(ipText)) ip = ipText;
  else if (isIPv6(ipText)) return { ok: false, reason: `IPv6 address "${ipText}" must be written in brackets, e.g. [${ipText}]` };
  else return { ok: false, reason: `"${ipText}" is not an IP address, "*" or empty` };
  if (!/^\d+$/.test(portText)) return { ok: false, reason: `port "${portText}" is not a number` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, reason: `port ${port} is outside 1-65535` };
  if (/[\s/\\]/.test(host)) return { ok: false, reason: `host name "${host}" contains a space, "/" or "\\"` };
  return { ok: true, ip, port, host: host.toLowerCase() };
}
