// A throwaway certificate authority for a test, made with the openssl command line: a CA, server
// certificates signed by it (subject alternative names, chosen serials and validity), PFX exports.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IssuedCertificate {
  /** Leaf certificate then the CA (a chain as a server presents it). */
  certFile: string;
  keyFile: string;
  /** Upper-case hex, as openssl and Node print it. */
  serial: string;
}

let nextSerial = 0x1000 + Math.floor(Math.random() * 0x1000);

export class TestCertificateAuthority {
  readonly caFile: string;
  private readonly caKeyFile: string;

  constructor(readonly directory: string, name = 'poolhost test CA') {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    this.caFile = join(directory, 'ca.pem');
    this.caKeyFile = join(directory, 'ca.key');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', this.caKeyFile, '-out', this.caFile, '-days', '3', '-subj', `/CN=${name}`]);
  }

  /**
   * A server (or, with `clientAuth`, client) certificate for `names` (first = CN), valid `days`
   * (must be > 0); files go to `<directory>/<file>.pem|.key`, the key mode 0600.
   */
  issue(file: string, names: string[], options: { days?: number; clientAuth?: boolean; keyMode?: number } = {}): IssuedCertificate {
    const keyFile = join(this.directory, `${file}.key`);
    const csrFile = join(this.directory, `${file}.csr`);
    const leafFile = join(this.directory, `${file}.leaf.pem`);
    const certFile = join(this.directory, `${file}.pem`);
    const extFile = join(this.directory, `${file}.ext`);
    const serial = (nextSerial++).toString(16).toUpperCase().padStart(4, '0');
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${names[0]}`]);
    const san = names.map((name) => `DNS:${name}`).join(',');
    writeFileSync(extFile, `subjectAltName=${san}\nextendedKeyUsage=${options.clientAuth ? 'clientAuth' : 'serverAuth'}\n`);
    const days = options.days ?? 2;
    // openssl 3.0 x509 cannot back-date; `days: 0` makes a certificate whose notAfter is now (expired a second later).
    if (days < 0) throw new Error('openssl 3.0 x509 cannot back-date a certificate');
    const validity = ['-days', String(days)];
    openssl(['x509', '-req', '-in', csrFile, '-CA', this.caFile, '-CAkey', this.caKeyFile, '-set_serial', `0x${serial}`, '-extfile', extFile, '-out', leafFile, ...validity]);
    writeFileSync(certFile, execFileSync('cat', [leafFile, this.caFile]));
    chmodSync(keyFile, options.keyMode ?? 0o600);
    return { certFile, keyFile, serial };
  }

  /** The certificate and key as one password-protected PFX (mode 0600). */
  exportPfx(certificate: IssuedCertificate, file: string, password: string): string {
    const pfxFile = join(this.directory, file);
    openssl(['pkcs12', '-export', '-out', pfxFile, '-inkey', certificate.keyFile, '-in', certificate.certFile, '-passout', `pass:${password}`]);
    chmodSync(pfxFile, 0o600);
    return pfxFile;
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
