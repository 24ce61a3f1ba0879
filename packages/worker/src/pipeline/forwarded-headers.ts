// What a Node application behind httpsys sees of the client (docs/hosting.md), iisnode's enableXFF
// rule (CHttpProtocol::SerializeRequestHeaders): `x-forwarded-for` gets the client address appended
// once — not when the list already ends with it — and `x-forwarded-proto` (and, poolhost's addition,
// `x-forwarded-host`) is added only when the client sent none: what a client or a proxy in front sent
// is never overwritten or duplicated.
import type { IncomingMessage } from 'node:http';

export function addForwardedHeaders(req: IncomingMessage, https: boolean): void {
  const headers = req.headers;
  const client = req.socket.remoteAddress ?? '';
  const forwardedFor = headers['x-forwarded-for'];
  const existing = Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor;
  if (!existing) headers['x-forwarded-for'] = client;
  else if (!endsWithAddress(existing, client)) headers['x-forwarded-for'] = `${existing}, ${client}`;
  if (headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = https ? 'https' : 'http';
  if (headers['x-forwarded-host'] === undefined && headers.host !== undefined) headers['x-forwarded-host'] = headers.host;
}

function endsWithAddress(list: string, address: string): boolean {
  if (!list.toLowerCase().endsWith(address.toLowerCase())) return false;
  const before = list.length - address.length - 1;
  return before < 0 || list[before] === ',' || list[before] === ' ';
}
