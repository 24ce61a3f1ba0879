// A worker's response on its way to the client, copied for the cache (the worker flagged its head
// KernelCacheable): the body is collected into one buffer of the announced Content-Length; a response
// that turns out longer or ends early is not stored, and says why (kernel-cache.ts' refusals).
import type { KernelCachePolicy, KernelCacheStoreVerdict } from '@poolhost/protocol';
import type { ListenerRequest } from '../requests/listener-request.js';

export interface CaptureStore {
  storeCaptured(capture: CacheCapture): void;
  /** The capture will not be stored: counted, logged at debug, told to a worker that asked (a traced request). */
  refuseCapture(request: ListenerRequest, flags: number, reason: KernelCacheStoreVerdict, detail?: string): void;
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
    if (this.overflowed) return this.refuse('RESPONSE_MORE_DATA', `body longer than its Content-Length ${this.body.length}`);
    if (this.filled !== this.body.length) return this.refuse('RESPONSE_MORE_DATA', `body of ${this.filled} bytes, Content-Length ${this.body.length}`);
    this.store.storeCaptured(this);
  }

  /** The response will not be stored (trailers, aborted, incomplete). */
  refuse(reason: KernelCacheStoreVerdict, detail?: string): void {
    this.store.refuseCapture(this.request, this.policy.flags, reason, detail);
  }
}
