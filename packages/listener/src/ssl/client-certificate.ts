// The client certificate of a TLS connection, verified by httpsys against the CA bundle of the SSL store
// entry the handshake selected. OpenSSL's own verdict cannot be used: when the SNI name switches the
// connection to another entry's context, OpenSSL keeps verifying against the first context's CAs.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { encodeClientCertificate, type ClientCertificateInfo } from '@poolhost/protocol';

const MAX_CHAIN = 8;

/** Encoded for the data plane once per connection; null when the client sent no certificate. */
export function clientCertificateOf(tls: TLSSocket, clientCas: readonly X509Certificate[]): string | null {
  const leaf = tls.getPeerX509Certificate();
  if (!leaf) return null;
  const presented = presentedChain(tls);
  let status: ClientCertificateInfo['status'];
  let verifyError = '';
  const now = Date.now();
  if (now < Date.parse(leaf.validFrom)) {
    status = 'expired';
    verifyError = 'CERT_NOT_YET_VALID';
  } else if (now > Date.parse(leaf.validTo)) {
    status = 'expired';
    verifyError = 'CERT_HAS_EXPIRED';
  } else if (chainsTo(leaf, presented, clientCas)) {
    status = 'trusted';
  } else {
    status = 'untrusted';
    verifyError = clientCas.length === 0 ? 'NO_CA_BUNDLE' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  }
  return encodeClientCertificate({
    status,
    verifyError,
    serialNumber: leaf.serialNumber.toUpperCase(),
    subject: leaf.subject.replaceAll('\n', ', '),
    issuer: leaf.issuer.replaceAll('\n', ', '),
    validFrom: leaf.validFrom,
    validTo: leaf.validTo,
    fingerprint: leaf.fingerprint,
    raw: leaf.raw.toString('base64'),
  });
}

/** Leaf → (intermediates the client sent) → a CA of the bundle, each link checked by name and signature. */
function chainsTo(leaf: X509Certificate, presented: X509Certificate[], cas: readonly X509Certificate[]): boolean {
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (cas.some((ca) => issued(ca, current))) return true;
    const next = presented.find((candidate) => candidate !== current && issued(candidate, current) && candidate.ca);
    if (!next) return false;
    current = next;
  }
  return false;
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function presentedChain(tls: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let link = tls.getPeerCertificate(true) as { issuerCertificate?: unknown; raw?: Buffer } | null;
  const seen = new Set<unknown>();
  while (link && link.raw && !seen.has(link) && chain.length < MAX_CHAIN) {
    seen.add(link);
    try {
      chain.push(new X509Certificate(link.raw));
    } catch {
      break;
    }
    link = link.issuerCertificate as typeof link;
  }
  return chain;
}
