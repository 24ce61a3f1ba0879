// A worker's response on its way to the client, copied for the cache (the worker flagged its head
// KernelCacheable): the body is collected into one buffer of the announced Content-Length; a response
// that turns out longer or ends early is not stored.
import type { KernelCachePolicy } from '@poolhost/protocol';
import type { ListenerRequest } from '../requests/listener-request.js';

export interface CaptureStore {
  storeCaptured(capture: CacheCapture): void;
}

export class CacheCapture {
  private filled = 0;
  private overflowed = false;

  constructor(
    private readonly store: CaptureStore,
    readonly request: ListenerRequest,
    readonly key: string,
    readonly policy: KernelCachePolicy,
    readonly headers: string[],
    readonly body: Buffer,
  ) {}

  /** RESPONSE_BODY bytes, as they are written to the client. */
  append(chunk: Buffer): void {
    if (this.overflowed) return;
    if (this.filled + chunk.length > this.body.length) {
      this.overflowed = true;
      return;
    }
    chunk.copy(this.body, this.filled);
    this.filled += chunk.length;
  }

  /** RESPONSE_END: the whole response is here. */
  complete(): void {
    if (!this.overflowed && this.filled === this.body.length) this.store.storeCaptured(this);
  }
}
