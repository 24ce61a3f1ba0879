// `poolhost sslcert show`: netsh http show sslcert's layout (reference iis-2.md §1.2), one block per key;
// where Windows shows the hash of a certificate in its store, the hash of the certificate in the file.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatSslCertKey, type SslCertBinding } from '@poolhost/config';

const LABEL_WIDTH = 29;

export function formatSslCertBindings(bindings: readonly SslCertBinding[]): string {
  const lines = ['', 'SSL Certificate bindings:', '-------------------------', ''];
  for (const binding of bindings) {
    const row = (label: string, value: string): void => {
      // netsh pads labels to one column; a longer label keeps one space before its colon.
      lines.push(`    ${label.length >= LABEL_WIDTH ? `${label} ` : label.padEnd(LABEL_WIDTH)}: ${value}`);
    };
    const keyLabel = { ipport: 'IP:port', hostnameport: 'Hostname:port', ccs: 'Central Certificate Store' }[binding.key.kind];
    row(keyLabel, formatSslCertKey(binding.key));
    if (binding.key.kind !== 'ccs') row('Certificate Hash', thumbprint(binding.certFile!));
    row('Application ID', binding.appId);
    row('Certificate Store Name', binding.certStoreName);
    if (binding.certFile) row('Certificate File', binding.certFile);
    if (binding.keyFile) row('Key File', binding.keyFile);
    if (binding.certStoreLocation) row('Certificate Store Location', binding.certStoreLocation);
    if (binding.passwordFile) row('Password File', binding.passwordFile);
    if (binding.passwordEnv) row('Password Environment Variable', binding.passwordEnv);
    row('Verify Client Certificate Revocation', 'Disabled');
    row('Verify Revocation Using Cached Client Certificate Only', 'Disabled');
    row('Usage Check', 'Enabled');
    row('Revocation Freshness Time', '0');
    row('URL Retrieval Timeout', '0');
    row('Ctl Identifier', binding.clientCaFile ?? '(null)');
    row('Ctl Store Name', '(null)');
    row('DS Mapper Usage', 'Disabled');
    row('Negotiate Client Certificate', binding.clientCertNegotiation ? 'Enabled' : 'Disabled');
    row('Reject Connections', 'Disabled');
    row('Disable HTTP2', 'Set');
    row('Disable QUIC', 'Set');
    row('Disable TLS1.2', 'Not Set');
    row('Disable TLS1.3', 'Not Set');
    row('Disable OCSP Stapling', 'Set');
    row('Enable Token Binding', 'Not Set');
    row('Log Extended Events', 'Not Set');
    row('Disable Legacy TLS Versions', 'Set');
    row('Enable Session Ticket', 'Set');
    row('Disable Session ID', 'Not Set');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** SHA-1 of the certificate (the first one of a PEM chain); a PFX or an unreadable file shows why instead. */
function thumbprint(file: string): string {
  try {
    if (/\.(pfx|p12)$/i.test(file)) return '(in the PFX; loaded by httpsys)';
    return new X509Certificate(readFileSync(file)).fingerprint.replaceAll(':', '').toLowerCase();
  } catch (error) {
    return `(cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}
