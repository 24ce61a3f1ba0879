// The socket an application gets in `server.on('upgrade', (req, socket, head))`: a real Duplex whose
// bytes travel as UPGRADE_DATA frames, with the same per-stream flow control as bodies.
import { Duplex } from 'node:stream';
import { installNetSocketSurface, type NetSocketSurface } from './net-socket-surface.js';
import { AbortReason, FrameType, StreamCredit } from '@poolhost/protocol';
import type { WorkerStream } from './worker-stream.js';

export class UpgradeSocket extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly connecting = false;
  bytesRead = 0;
  bytesWritten = 0;
  timeout: number | undefined;
  private readonly credit = new StreamCredit();
  private held = 0;
  private blockedWrite: (() => void) | null = null;
  private remoteEnded = false;
  private localEnded = false;

  constructor(private readonly stream: WorkerStream, clientIp: string, clientPort: number, localIp: string, localPort: number) {
    super({ allowHalfOpen: true });
    this.remoteAddress = clientIp;
    this.remotePort = clientPort;
    this.remoteFamily = clientIp.includes(':') ? 'IPv6' : 'IPv4';
    this.localAddress = localIp;
    this.localPort = localPort;
  }

  /** UPGRADE_DATA from the client. */
  receive(payload: Buffer): void {
    this.bytesRead += payload.length;
    if (this.push(payload) && this.held === 0) {
      const credit = this.credit.consumed(payload.length);
      if (credit > 0) this.stream.connection.writer.windowUpdate(this.stream.id, credit);
    } else {
      this.held += payload.length;
    }
  }

  /** REQUEST_END: the client half-closed. */
  receiveEnd(): void {
    this.remoteEnded = true;
    this.push(null);
  }

  /** WINDOW_UPDATE: the client took our bytes. */
  onCredit(): void {
    if (this.blockedWrite && this.stream.sendWindow > 0) {
      const resume = this.blockedWrite;
      this.blockedWrite = null;
      resume();
    }
  }

  override _read(): void {
    if (this.held === 0) return;
    const credit = this.held + this.credit.takeAll();
    this.held = 0;
    this.stream.connection.writer.windowUpdate(this.stream.id, credit);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.stream.closed) return callback(new Error('the client connection is closed'));
    this.stream.connection.writer.data(FrameType.UpgradeData, this.stream.id, chunk);
    this.bytesWritten += chunk.length;
    this.stream.sendWindow -= chunk.length;
    if (this.stream.sendWindow > 0) callback();
    else this.blockedWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.localEnded = true;
    if (!this.stream.closed) this.stream.connection.writer.empty(FrameType.ResponseEnd, this.stream.id);
    if (this.remoteEnded) this.stream.upgradeClosed();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.stream.closed && !(this.localEnded && this.remoteEnded)) {
      this.stream.connection.writer.abort(this.stream.id, AbortReason.ApplicationError);
    }
    this.stream.upgradeClosed();
    callback(error);
  }
}

export interface UpgradeSocket extends NetSocketSurface {}
installNetSocketSurface(UpgradeSocket);
