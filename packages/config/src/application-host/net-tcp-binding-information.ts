// `net.tcp` bindingInformation is `PORT:HOST` (iis-2.md §4: `808:*`). Raw TCP carries no Host header,
// so poolhost reads the part after the colon as the address to listen on: `*` (every address) or an
// IP literal (`808:127.0.0.1`, `808:[::1]`). A host name would need a name lookup at listen time and
// say nothing to the client, so it is refused with the fix.

import { isIPv4, isIPv6 } from 'node:net';
import type { ParsedBindingInformation } from './binding-information.js';

export function parseNetTcpBindingInformation(bindingInformation: string): ParsedBindingInformation {
  const colon = bindingInformation.indexOf(':');
  if (colon < 0) return { ok: false, reason: 'expected PORT:* or PORT:IP with one colon' };
  const portText = bindingInformation.slice(0, colon);
  const addressText = bindingInformation.slice(colon + 1);
  if (!/^\d+$/.test(portText)) return { ok: false, reason: `port "${portText}" is not a number` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, reason: `port ${port} is outside 1-65535` };
  if (addressText === '*' || addressText === '') return { ok: true, ip: '*', port, host: '' };
  if (addressText.startsWith('[') && addressText.endsWith(']')) {
    const ip = addressText.slice(1, -1);
    return isIPv6(ip) ? { ok: true, ip, port, host: '' } : { ok: false, reason: `"${addressText}" is not an IPv6 address` };
  }
  if (isIPv4(addressText)) return { ok: true, ip: addressText, port, host: '' };
  if (isIPv6(addressText)) return { ok: false, reason: `IPv6 address "${addressText}" must be written in brackets, e.g. ${port}:[${addressText}]` };
  return { ok: false, reason: `"${addressText}" is not "*" or an IP address (a raw TCP connection carries no host name)` };
}
