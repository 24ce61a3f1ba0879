// TLS handshakes that did not complete are no HTTP request (no HTTPERR line; reference iis-2.md §1.3):
// they are counted by reason, and each reason is logged once — a scanner sending garbage ten thousand
// times writes one line, not ten thousand.
import type { Logger } from 'pino';

export type HandshakeFailureReason =
  /** No store entry matched the SNI name, the local address or its wildcard (HTTP.SYS presents no certificate). */
  | 'NoCertificate'
  /** Plain HTTP sent to an https binding. */
  | 'HttpRequest'
  /** Bytes that are no TLS record. */
  | 'NotTls'
  /** The client offers only versions below TLS 1.2 (or above what the binding allows). */
  | 'UnsupportedProtocol'
  /** A handshake message (the ClientHello) longer than OpenSSL accepts for it. */
  | 'OversizedHandshake'
  | 'NoSharedCipher'
  /** The client ended the handshake with an alert (it did not trust the certificate, …). */
  | 'AlertReceived'
  /** The client closed or reset the connection during the handshake. */
  | 'ClientClosed'
  /** The handshake did not complete within HeaderWaitTimeout. */
  | 'Timer_HeaderWait'
  | 'Other';

/**
 * `noCertificate`: selection found no certificate for this connection. It explains the failure only when
 * OpenSSL got as far as choosing one — plain HTTP or garbage fails before, whatever the store holds.
 */
export function classifyHandshakeError(code: string | undefined, noCertificate: boolean): HandshakeFailureReason {
  switch (code) {
    case 'ERR_SSL_HTTP_REQUEST':
      return 'HttpRequest';
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_RECORD_LENGTH_MISMATCH':
      return 'NotTls';
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_UNKNOWN_PROTOCOL':
      return 'UnsupportedProtocol';
    case 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE':
      return 'OversizedHandshake';
    case 'ERR_SSL_NO_SHARED_CIPHER':
      return noCertificate ? 'NoCertificate' : 'NoSharedCipher';
    case 'Timer_HeaderWait':
      return 'Timer_HeaderWait';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'ClientClosed';
  }
  if (noCertificate) return 'NoCertificate';
  if (code && /ALERT/.test(code)) return 'AlertReceived';
  return 'Other';
}

export class HandshakeFailures {
  private readonly counts = new Map<HandshakeFailureReason, number>();

  constructor(private readonly logger: Logger) {}

  count(reason: HandshakeFailureReason, endpoint: string, clientIp: string, detail: string): void {
    const count = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, count);
    if (count === 1) {
      this.logger.warn(
        { reason, endpoint, clientIp, detail },
        `TLS handshake failed on ${endpoint} (${reason}): ${detail}; further failures for this reason are only counted`,
      );
    }
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
