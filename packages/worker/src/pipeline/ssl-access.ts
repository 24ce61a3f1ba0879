// `system.webServer/security/access sslFlags` (reference iis-2.md §1.4), checked by the core before any
// module runs, as IIS does: `Ssl` and a request that arrived over http → 403.4. The flags are a comma
// list (`Ssl, SslNegotiateCert, SslRequireCert, Ssl128`) or their number (Ssl 8, SslNegotiateCert 32,
// SslRequireCert 64, Ssl128 256).
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from './http-context.js';

export const SslFlags = { Ssl: 8, SslNegotiateCert: 32, SslRequireCert: 64, Ssl128: 256 } as const;

const BY_NAME = new Map<string, number>([
  ['none', 0],
  ['ssl', SslFlags.Ssl],
  ['sslnegotiatecert', SslFlags.SslNegotiateCert],
  ['sslrequirecert', SslFlags.SslRequireCert],
  ['ssl128', SslFlags.Ssl128],
  ['sslmapcert', 128],
]);

export function parseSslFlags(section: RawElement | undefined): number {
  const text = section?.attributes.sslFlags?.trim();
  if (!text) return 0;
  if (/^\d+$/.test(text)) return Number(text);
  let flags = 0;
  for (const part of text.split(',')) flags |= BY_NAME.get(part.trim().toLowerCase()) ?? 0;
  return flags;
}

/** The core step, or null when the section asks for nothing. */
export function sslAccessCheck(section: RawElement | undefined): ((context: HttpContext) => void) | null {
  const flags = parseSslFlags(section);
  if (!(flags & SslFlags.Ssl)) return null;
  return (context) => {
    if (!context.application.isHttps(context.req.socket.localPort ?? 0)) context.sendError(403, 4);
  };
}
