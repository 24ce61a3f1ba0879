// The administration address (`poolhost start --metrics IP:port`, served by inetmgr): loopback unless
// the operator says otherwise, and never one a site binding uses.
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!match || isIP(match[1]!) === 0 || Number(match[2]) > 65_535) {
    throw new Error(`'${text}' is not an administration address: give IP:port, e.g. 127.0.0.1:9182`);
  }
  return { host: match[1]!, port: Number(match[2]) };
}

export function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * DNS rebinding: a page from another origin that resolves its own name to 127.0.0.1 reaches this port
 * with its own Host header. On a loopback address only loopback names are answered.
 */
export function hostAllowed(hostHeader: string | undefined, address: ListenAddress): boolean {
  if (!isLoopback(address.host)) return true;
  if (!hostHeader) return false;
  const name = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || isLoopback(name);
}
