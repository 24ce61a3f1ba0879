// TLS in front of an https endpoint's accepted sockets. The listening socket is whatever the endpoint
// has (opened here or handed over); each accepted TCP socket is wrapped in a server TLSSocket whose
// certificate the SSL store selects (ssl-configuration.ts). Once the handshake completes, the TLS socket
// goes to a ClientConnection like any cleartext one: llhttp consumes the TLS stream in C++ and routing,
// queues, limits, HTTPERR and timers are the same. A handshake that fails or stalls past
// HeaderWaitTimeout is counted by reason and its socket destroyed: no request, no leaked descriptor. One
// that completes is counted by outcome (full or resumed), version and ALPN protocol.
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { Socket } from 'node:net';
import { ACME_TLS_ALPN_PROTOCOL } from '@poolhost/protocol';
import { normalizeAddress } from '../routing/host-header.js';
import type { ProxiedClient } from '../connections/proxy-protocol.js';
import type { SslConfiguration } from './ssl-configuration.js';
import { TLS_MAX_VERSION_WITHOUT_TLS13, TLS_MIN_VERSION, TLS_SECURE_OPTIONS, type LoadedCertificate } from './certificate-files.js';
import { clientCertificateOf } from './client-certificate.js';
import { classifyHandshakeError, type HandshakeFailures } from './handshake-failures.js';
import type { HandshakeCompletions } from './handshake-completions.js';
import type { AcmeTlsAlpnAnswers } from './acme-tls-alpn-answers.js';

export interface ConnectionAddresses {
  clientIp: string;
  clientPort: number;
  localIp: string;
  localPort: number;
}

export interface SecureConnection extends ConnectionAddresses {
  /** The client's certificate as the data plane carries it (encodeClientCertificate), null when none was asked for or sent. */
  clientCertificate: string | null;
}

interface PendingHandshake extends ConnectionAddresses {
  raw: Socket;
  tls: TLSSocket;
  endpoint: string;
  startedAt: number;
  /** The certificate selection found nothing: the handshake can only fail. */
  noCertificate: boolean;
  /** The port's bindings carry sslFlags 32: every context this handshake gets is capped at TLS 1.2. */
  withoutTls13: boolean;
  /** The selected entry has clientcertnegotiation=enable: the handshake asked for a client certificate. */
  requestedClientCertificate: boolean;
  /** The entry the handshake selected (its CA bundle verifies client certificates). */
  certificate: LoadedCertificate | null;
  /** A TLS-ALPN-01 validation (RFC 8737): the challenge certificate's context, presented instead of the store's. */
  acmeChallenge: SecureContext | null;
  done: boolean;
}

const kHandshake = Symbol('poolhost.handshake');
type FrontSocket = TLSSocket & { [kHandshake]: PendingHandshake; [kFront]: TlsFront };
const kFront = Symbol('poolhost.tlsFront');

/** Presented when no entry matches: a context without a certificate, so OpenSSL ends the handshake. */
let noCertificateContext: SecureContext | null = null;
let noCertificateContextWithoutTls13: SecureContext | null = null;

/**
 * The server TLS socket of an https connection. A client that goes away without reading what was sent to it
 * (`openssl s_time` closes right after its handshake, with the server's session tickets unread) resets the
 * connection, and Node turns the reset into an `ECONNRESET` (or `EPIPE`) error passed to `destroy()`, which
 * formats its stack (streams' `checkError` reads `err.stack`: ≈15–20 µs per error, for a frame or two of
 * Node's own code). Nobody here reads those errors: a handshake cut short is counted by its 'close'
 * (ECONNRESET, as the error would have been), and an established connection ignores its socket's errors. So
 * a peer's reset destroys the socket without the error: the same 'close', no stack formatted.
 */
class FrontTlsSocket extends TLSSocket {
  override destroy(error?: Error): this {
    if (error !== undefined && isPeerGone(error)) return super.destroy();
    return super.destroy(error);
  }
}

function isPeerGone(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** A connected TCP handle (Node's `TCPWrap`), as a listening handle's `onconnection` hands it over. */
export interface AcceptedTcpHandle {
  getpeername(out: object): number;
  getsockname(out: object): number;
  setNoDelay(enable: boolean): number;
  close(callback?: () => void): void;
}

/**
 * What an accepted TCP handle is wrapped in for its `TLSSocket`, instead of the `net.Socket` net.Server
 * would build first (its stream states, listeners and destroy path cost ≈15 % of the CPU of a full ECDSA
 * handshake, docs/performance.md "HTTPS handshakes"). `TLSSocket` reads the TCP handle directly only when
 * given a `net.Socket` (anything else goes through a `JSStreamSocket`), so this is one by prototype. Of the
 * socket, `TLSSocket` uses `_handle`, `allowHalfOpen`, `readableLength`/`writableLength` (nothing buffered),
 * `on`/`once` ('close', 'error', 'connect') and, when the TLS socket closes, `destroy()`, which closes the
 * handle and emits 'close'. `_parent` ends the chain `TLSSocket._unrefTimer` walks.
 */
const handleSocketPrototype: object = Object.create(Socket.prototype, {
  allowHalfOpen: { value: true, writable: true },
  readableLength: { value: 0, writable: true },
  writableLength: { value: 0, writable: true },
  connecting: { value: false, writable: true },
  _parent: { value: null, writable: true },
  destroy: {
    writable: true,
    value: function destroy(this: Socket & { _handle: AcceptedTcpHandle | null }): Socket {
      const handle = this._handle;
      if (handle === null) return this;
      this._handle = null;
      handle.close(() => this.emit('close', false));
      return this;
    },
  },
});

function handleSocket(handle: AcceptedTcpHandle): Socket {
  const socket = Object.create(handleSocketPrototype) as Socket & { _handle: AcceptedTcpHandle };
  socket._handle = handle;
  return socket;
}

/** Whether a handshake on this port for this SNI name may choose HTTP/2 (httpSys enableHttp2Tls, the binding's sslFlags 4). */
export type Http2Policy = (localPort: number, serverName: string) => boolean;

export class TlsFront {
  private readonly pending = new Set<PendingHandshake>();
  /** https ports whose bindings carry sslFlags 32 (RoutingTable.tls13DisabledPorts), replaced on each ApplyUrlGroups. */
  private tls13DisabledPorts: ReadonlySet<number> = new Set();
  /** TLS-ALPN-01 challenge certificates of automatic certificates (null until httpsys starts). */
  private acmeTlsAlpn: AcmeTlsAlpnAnswers | null = null;

  constructor(
    private readonly ssl: SslConfiguration,
    private readonly failures: HandshakeFailures,
    private readonly completions: HandshakeCompletions,
    private readonly onSecure: (socket: TLSSocket, connection: SecureConnection) => void,
    private readonly http2Allowed: Http2Policy,
  ) {}

  /**
   * OpenSSL settles the version from the ClientHello before the SNI callback swaps the certificate, so the
   * cap is the port's: the first context of a handshake on such a port is the TLS 1.2-capped one.
   */
  disableTls13On(ports: ReadonlySet<number>): void {
    this.tls13DisabledPorts = ports;
  }

  answerAcmeTlsAlpn(answers: AcmeTlsAlpnAnswers): void {
    this.acmeTlsAlpn = answers;
  }

  private contextFor(certificate: LoadedCertificate, withoutTls13: boolean): SecureContext {
    return withoutTls13 ? this.ssl.contextWithoutTls13(certificate) : certificate.context;
  }

  /**
   * A connection accepted from the listening handle itself (EndpointSet), with no `net.Socket` built for it.
   * `onClose` runs once when its TLS socket closes (the endpoint's connection count).
   */
  acceptHandle(handle: AcceptedTcpHandle, endpoint: string, onClose: () => void): void {
    handle.setNoDelay(true);
    const tls = this.accept(handleSocket(handle), endpoint);
    tls?.on('close', onClose);
  }

  /** `proxied`: the client a PROXY protocol header named, which stands for the TCP peer. */
  accept(raw: Socket, endpoint: string, proxied: ProxiedClient | null = null): TLSSocket | null {
    const handle = (raw as Socket & { _handle: { getpeername(out: object): number; getsockname(out: object): number } | null })._handle;
    if (!handle) {
      raw.destroy();
      return null;
    }
    const address = { address: '', port: 0 };
    handle.getpeername(address);
    const clientIp = proxied ? proxied.ip : normalizeAddress(address.address);
    const clientPort = proxied ? proxied.port : address.port;
    handle.getsockname(address);
    const localIp = normalizeAddress(address.address);
    const localPort = address.port;
    const certificate = this.ssl.select(localIp, localPort, '');
    const withoutTls13 = this.tls13DisabledPorts.has(localPort);
    const tls = new FrontTlsSocket(raw, {
      isServer: true,
      secureContext: certificate
        ? this.contextFor(certificate, withoutTls13)
        : withoutTls13
          ? (noCertificateContextWithoutTls13 ??= createSecureContext({ minVersion: TLS_MIN_VERSION, maxVersion: TLS_MAX_VERSION_WITHOUT_TLS13, secureOptions: TLS_SECURE_OPTIONS }))
          : (noCertificateContext ??= createSecureContext({ minVersion: TLS_MIN_VERSION, secureOptions: TLS_SECURE_OPTIONS })),
      SNICallback: selectForServerName,
      // ALPN (RFC 7301): `h2` where the binding allows HTTP/2, else `http/1.1`.
      ALPNCallback: selectProtocol,
      // A client certificate is verified against the entry's CA bundle, never refused in the handshake:
      // the worker answers 403.7/403.16/403.17 where security/access asks for one (IIS does the same).
      requestCert: certificate?.requestClientCertificate === true,
      rejectUnauthorized: false,
    }) as FrontSocket;
    const record: PendingHandshake = {
      raw,
      tls,
      endpoint,
      startedAt: Date.now(),
      noCertificate: certificate === null,
      withoutTls13,
      requestedClientCertificate: certificate?.requestClientCertificate === true,
      certificate,
      acmeChallenge: null,
      done: false,
      clientIp,
      clientPort,
      localIp,
      localPort,
    };
    tls[kHandshake] = record;
    tls[kFront] = this;
    this.pending.add(record);
    tls.on('secure', onSecure);
    tls.on('error', onHandshakeError);
    tls.on('close', onHandshakeClose);
    // The endpoint allows half-open connections (HTTP's half-close), so a client's FIN alone closes nothing:
    // one sent during the handshake means it cannot finish, and the socket would wait for Timer_HeaderWait.
    tls.on('end', onHandshakeClose);
    return tls;
  }

  /** SNICallback: the SNI name's certificate, else the one the local address gave (or none). */
  selectFor(record: PendingHandshake, serverName: string): SecureContext | undefined {
    if (record.acmeChallenge) return record.acmeChallenge;
    const certificate = this.ssl.select(record.localIp, record.localPort, serverName.toLowerCase());
    record.noCertificate = certificate === null;
    if (certificate) record.certificate = certificate;
    const request = certificate?.requestClientCertificate === true;
    if (certificate && request !== record.requestedClientCertificate) {
      // The SNI name chose an entry that asks for client certificates differently than the address's did.
      (record.tls as unknown as { _handle: { setVerifyMode(request: boolean, reject: boolean): void } })._handle.setVerifyMode(request, false);
      record.requestedClientCertificate = request;
    }
    return certificate ? this.contextFor(certificate, record.withoutTls13) : undefined;
  }

  /**
   * ALPNCallback: `acme-tls/1` for a CA validating a name with a pending TLS-ALPN-01 challenge, else `h2`
   * when offered and allowed here, else `http/1.1` (no overlap: the handshake fails). Node runs it before
   * the SNI callback, which then presents the challenge certificate.
   */
  selectProtocol(record: PendingHandshake, serverName: string | undefined, protocols: string[]): string | undefined {
    if (serverName && this.acmeTlsAlpn && protocols.includes(ACME_TLS_ALPN_PROTOCOL)) {
      record.acmeChallenge = this.acmeTlsAlpn.contextFor(serverName);
      if (record.acmeChallenge) return ACME_TLS_ALPN_PROTOCOL;
    }
    if (protocols.includes('h2') && this.http2Allowed(record.localPort, serverName ?? '')) return 'h2';
    return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
  }

  handshakeDone(record: PendingHandshake): void {
    record.done = true;
    this.pending.delete(record);
    const tls = record.tls;
    tls.removeListener('secure', onSecure);
    tls.removeListener('close', onHandshakeClose);
    tls.removeListener('end', onHandshakeClose);
    tls.removeListener('error', onHandshakeError);
    // An ACME validation is the CA's, not a client's: not counted among completed handshakes.
    if (record.acmeChallenge) {
      // RFC 8737 §3: the validation ends with the handshake; no HTTP is spoken on this connection.
      tls.on('error', ignoreError);
      tls.end();
      return;
    }
    this.completions.count(tls.isSessionReused(), tls.getProtocol(), tls.alpnProtocol);
    this.onSecure(tls, {
      clientIp: record.clientIp,
      clientPort: record.clientPort,
      localIp: record.localIp,
      localPort: record.localPort,
      clientCertificate: record.requestedClientCertificate ? clientCertificateOf(tls, record.certificate?.clientCas ?? []) : null,
    });
  }

  handshakeFailed(record: PendingHandshake, code: string | undefined, message: string): void {
    if (record.done) return;
    record.done = true;
    this.pending.delete(record);
    const reason = classifyHandshakeError(code, record.noCertificate);
    this.failures.count(reason, record.endpoint, record.clientIp, reason === 'NoCertificate' ? noCertificateDetail(record) : message);
    record.tls.destroy();
  }

  /** Handshakes still running after HeaderWaitTimeout are cut (a client that connects and says nothing). */
  sweep(now: number, headerWaitMs: number): void {
    for (const record of this.pending) {
      if (now - record.startedAt < headerWaitMs) continue;
      record.noCertificate = false;
      this.handshakeFailed(record, 'Timer_HeaderWait', `no complete handshake within ${headerWaitMs} ms`);
    }
  }

  get handshakesInProgress(): number {
    return this.pending.size;
  }

  destroyAll(): void {
    for (const record of this.pending) record.tls.destroy();
    this.pending.clear();
  }
}

function noCertificateDetail(record: PendingHandshake): string {
  return `no SSL store entry for ${record.localIp.includes(':') ? `[${record.localIp}]` : record.localIp}:${record.localPort}, its wildcard or the SNI name`;
}

// Shared listeners (`this` is the TLS socket): no closure per connection.
function selectForServerName(this: FrontSocket, serverName: string, callback: (error: Error | null, context?: SecureContext) => void): void {
  const context = this[kFront].selectFor(this[kHandshake], serverName);
  callback(null, context);
}

// Node passes `servername: false` when the client sent no SNI (a client that connects by IP address, as
// h2load and `curl https://127.0.0.1/` do): that is no name, not a string to lower-case.
function selectProtocol(this: FrontSocket, { servername, protocols }: { servername: string | false; protocols: string[] }): string | undefined {
  return this[kFront].selectProtocol(this[kHandshake], servername || undefined, protocols);
}

function onSecure(this: FrontSocket): void {
  this[kFront].handshakeDone(this[kHandshake]);
}

function onHandshakeError(this: FrontSocket, error: NodeJS.ErrnoException): void {
  this[kFront].handshakeFailed(this[kHandshake], error.code, error.message);
}

function ignoreError(): void {}

function onHandshakeClose(this: FrontSocket): void {
  this[kFront].handshakeFailed(this[kHandshake], 'ECONNRESET', 'the client closed the connection during the handshake');
}
