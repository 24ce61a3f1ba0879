// What a Node application behind httpsys sees of the client (docs/hosting.md): `req.socket.remoteAddress`
// is already the client's address; `x-forwarded-for` gets it appended (as any proxy does),
// `x-forwarded-proto` and `x-forwarded-host` are set from the connection and replace what a client sent.
import type { IncomingMessage } from 'node:http';

export function addForwardedHeaders(req: IncomingMessage, https: boolean): void {
  const headers = req.headers;
  const client = req.socket.remoteAddress ?? '';
  const existing = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = existing ? `${existing}, ${client}` : client;
  headers['x-forwarded-proto'] = https ? 'https' : 'http';
  if (headers.host !== undefined) headers['x-forwarded-host'] = headers.host;
}
