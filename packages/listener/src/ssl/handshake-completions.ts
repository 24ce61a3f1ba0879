// TLS handshakes that completed, by outcome (full or resumed), negotiated version and ALPN protocol:
// one integer slot per combination, one increment per handshake; the labelled copy is made only when
// GetListenerCounters asks. Failed handshakes are counted apart, by reason (handshake-failures.ts).
import { tlsAlpnProtocols, tlsHandshakeOutcomes, tlsProtocolVersions, type TlsHandshakeCount } from '@poolhost/protocol';

const versionCount = tlsProtocolVersions.length;
const alpnCount = tlsAlpnProtocols.length;
const fullSlot = tlsHandshakeOutcomes.indexOf('full');
const resumedSlot = tlsHandshakeOutcomes.indexOf('resumed');
const tls12Slot = tlsProtocolVersions.indexOf('TLSv1.2');
const tls13Slot = tlsProtocolVersions.indexOf('TLSv1.3');
const h2Slot = tlsAlpnProtocols.indexOf('h2');
const http11Slot = tlsAlpnProtocols.indexOf('http/1.1');
const noAlpnSlot = tlsAlpnProtocols.indexOf('none');

export class HandshakeCompletions {
  private readonly counts: number[] = new Array<number>(tlsHandshakeOutcomes.length * versionCount * alpnCount).fill(0);

  /**
   * `version`: TLSSocket.getProtocol(); anything but TLS 1.3 is TLS 1.2, the floor of every context httpsys
   * makes (certificate-files.ts TLS_MIN_VERSION). `alpn`: TLSSocket.alpnProtocol (false: none offered).
   */
  count(resumed: boolean, version: string | null, alpn: string | false | null): void {
    const versionSlot = version === 'TLSv1.3' ? tls13Slot : tls12Slot;
    const alpnSlot = alpn === 'h2' ? h2Slot : alpn === 'http/1.1' ? http11Slot : noAlpnSlot;
    this.counts[((resumed ? resumedSlot : fullSlot) * versionCount + versionSlot) * alpnCount + alpnSlot]!++;
  }

  snapshot(): TlsHandshakeCount[] {
    const counts: TlsHandshakeCount[] = [];
    let slot = 0;
    for (const outcome of tlsHandshakeOutcomes) {
      for (const version of tlsProtocolVersions) {
        for (const alpn of tlsAlpnProtocols) counts.push({ outcome, version, alpn, count: this.counts[slot++]! });
      }
    }
    return counts;
  }
}
