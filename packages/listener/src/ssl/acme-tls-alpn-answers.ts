// TLS-ALPN-01 answers for automatic certificates (RFC 8737; docs/https.md): a CA validating a name connects
// to its https port, sends the name in SNI and offers only the `acme-tls/1` ALPN protocol; the server
// presents a self-signed certificate for that name carrying the critical acmeIdentifier extension (the
// SHA-256 of the key authorization), and no HTTP follows. poolhost's ACME client writes that certificate
// and its key as `<name>.pem` in the run directory's acme-challenge/tls-alpn-01 folder (in a web farm, the
// shared folder's); httpsys presents it before routing — no worker, no site. A name with no file is answered as if acme-tls/1 were unknown.
import { createSecureContext, type SecureContext } from 'node:tls';
import { acmeTlsAlpnDirectory } from '@poolhost/protocol';
import { readFirst } from './acme-challenge-answers.js';
import { TLS_MIN_VERSION, TLS_SECURE_OPTIONS } from './certificate-files.js';

// A DNS name as an SNI carries it (RFC 6066 §3: no trailing dot, no IP address): never a path.
const SERVER_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export class AcmeTlsAlpnAnswers {
  private readonly directories: string[];

  /** `sharedFolder`: a web farm's shared configuration folder, where the host that orders puts its answers. */
  constructor(runDirectory: string, sharedFolder: string | null = null) {
    this.directories = [acmeTlsAlpnDirectory(runDirectory), ...(sharedFolder ? [acmeTlsAlpnDirectory(sharedFolder)] : [])];
  }

  /**
   * The challenge certificate's context for a pending name, else null. Read from disk on every call: only a
   * client offering acme-tls/1 asks, and the file changes with each order.
   */
  contextFor(serverName: string): SecureContext | null {
    const name = serverName.toLowerCase();
    if (!SERVER_NAME.test(name)) return null;
    const pem = readFirst(this.directories, `${name}.pem`);
    if (pem === null) return null;
    try {
      return createSecureContext({ cert: pem, key: pem, minVersion: TLS_MIN_VERSION, secureOptions: TLS_SECURE_OPTIONS });
    } catch {
      // Half-written or broken: the CA's validation fails and the order reports it.
      return null;
    }
  }
}
