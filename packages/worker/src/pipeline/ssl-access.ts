// `system.webServer/security/access sslFlags` (reference iis-2.md §1.4), checked by the core before any
// module runs, as IIS does: `Ssl` and a request that arrived over http → 403.4; `SslRequireCert` and no
// client certificate → 403.7; with `SslNegotiateCert` or `SslRequireCert`, a certificate that does not
// chain to the binding's CA bundle → 403.16, one expired or not yet valid → 403.17. (httpsys asks for
// the certificate in the handshake when the SSL store entry has clientcertnegotiation=enable.) The flags are a comma
// list (`Ssl, SslNegotiateCert, SslRequireCert, Ssl128`) or their number (Ssl 8, SslNegotiateCert 32,
// SslRequireCert 64, Ssl128 256).
import type { RawElement } from '@poolhost/config';
import type { ClientCertificateInfo } from '@poolhost/protocol';
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
  const requireSsl = (flags & SslFlags.Ssl) !== 0;
  const requireCertificate = (flags & SslFlags.SslRequireCert) !== 0;
  const checkCertificate = requireCertificate || (flags & SslFlags.SslNegotiateCert) !== 0;
  if (!requireSsl && !checkCertificate) return null;
  return (context) => {
    const https = context.application.isHttps(context.req.socket.localPort ?? 0);
    if (requireSsl && !https) return context.sendError(403, 4);
    if (!checkCertificate || !https) return;
    const certificate = clientCertificateOf(context);
    if (!certificate) {
      if (requireCertificate) context.sendError(403, 7);
      return;
    }
    if (certificate.status === 'expired') return context.sendError(403, 17);
    if (certificate.status === 'untrusted') return context.sendError(403, 16);
  };
}

/** The client certificate httpsys sent with the request (the data plane's ClientCertificate block). */
export function clientCertificateOf(context: HttpContext): ClientCertificateInfo | undefined {
  return (context.req.socket as unknown as { stream?: { head?: { clientCertificate?: ClientCertificateInfo } } }).stream?.head?.clientCertificate;
}
