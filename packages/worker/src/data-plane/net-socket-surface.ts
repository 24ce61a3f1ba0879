// The parts of net.Socket's surface that frameworks call on `req.socket` but that mean nothing for a
// stream carried in frames: no-op knobs, a recorded timeout, and the local address httpsys reported.
// Shared by StreamSocket (ordinary requests) and UpgradeSocket (WebSocket streams).
import type { EventEmitter } from 'node:events';

export interface NetSocketSurface {
  timeout: number | undefined;
  readonly localAddress: string;
  readonly localPort: number;
  setTimeout(timeout: number, callback?: () => void): this;
  setNoDelay(): this;
  setKeepAlive(): this;
  ref(): this;
  unref(): this;
  address(): { address: string; family: string; port: number };
}

type SurfaceHost = EventEmitter & NetSocketSurface;

function returnThis<T>(this: T): T {
  return this;
}

const surface = {
  setTimeout(this: SurfaceHost, timeout: number, callback?: () => void) {
    this.timeout = timeout;
    if (callback) this.once('timeout', callback);
    return this;
  },
  setNoDelay: returnThis,
  setKeepAlive: returnThis,
  ref: returnThis,
  unref: returnThis,
  address(this: SurfaceHost) {
    return { address: this.localAddress, family: this.localAddress.includes(':') ? 'IPv6' : 'IPv4', port: this.localPort };
  },
};

/** Puts the shared socket surface on a class's prototype (declare `interface X extends NetSocketSurface {}` beside it). */
export function installNetSocketSurface(target: { prototype: object }): void {
  Object.assign(target.prototype, surface);
}
