// What HttpCacheModule decided for a request, checked once more against the response head when the
// worker sends it: only then is the head flagged KernelCacheable for httpsys (reference iis-2.md §2.3).
import { KernelCacheFlags, KernelCachePolicyType, type KernelCachePolicy } from '@poolhost/protocol';

/** IISCacheEvents::HTTPSYS_CACHEABLE::enumReason names of the checks made on the response. */
export type ResponseNotCacheableReason =
  | 'HTTP_STATUS_NOT_OK'
  | 'DYNAMIC_COMPRESSION_ENABLED'
  | 'RESPONSE_MORE_DATA'
  | 'RESPONSE_SENDING_RAW_HEADERS'
  | 'HANDLER_HTTPSYS_UNFRIENDLY';

/** Where FREB's HTTPSYS_CACHEABLE event goes (the request's TraceBuffer when a rule traces it). */
export interface CacheableEventSink {
  event(opcode: string, data: Record<string, string | number | boolean>): void;
  deferredEvent(opcode: string, provisional: Record<string, string | number | boolean>): (data: Record<string, string | number | boolean>) => void;
}

/** HTTP_CACHE_POLICY_TYPE, as the event's CachePolicy field names it. */
const POLICY_NAMES: Record<number, string> = { [KernelCachePolicyType.UserInvalidates]: 'USER_INVALIDATES', [KernelCachePolicyType.TimeToLive]: 'TIME_TO_LIVE' };

/** FREB's HTTPSYS_CACHEABLE (reference iis-2.md §2.3): whether the response goes to the kernel cache and why not. */
export function traceCacheable(trace: CacheableEventSink | null, reason: string, policy: KernelCachePolicyType | null): void {
  trace?.event('HTTPSYS_CACHEABLE', cacheableData(reason, policy));
}

function cacheableData(reason: string, policy: KernelCachePolicyType | null): Record<string, string | boolean> {
  return { HttpsysCacheable: reason === 'OK', Reason: reason, CachePolicy: policy === null ? 'NO_CACHE' : POLICY_NAMES[policy]! };
}

/** HTTP.SYS does not cache a response whose headers pass 1 KB (KB817445). */
const MAX_HEADER_BYTES = 1024;

export class KernelCacheOffer {
  readonly policy: KernelCachePolicy;
  /** The trace's HTTPSYS_CACHEABLE event of an offered response, until httpsys' verdict gives it its data. */
  private verdictEvent: ((data: Record<string, string | number | boolean>) => void) | null = null;

  constructor(
    policy: KernelCachePolicyType,
    secondsToLive: number,
    file: string,
    logHits: boolean,
    /** caching@maxResponseSize. */
    private readonly maxResponseSize: number,
    /**
     * The smallest response the compression module would compress for a client asking for it (Infinity:
     * none would be, or this request asked and was not compressed): larger ones are IdentityOnly.
     */
    private readonly compressedFrom: number,
    staticFile: boolean,
    /** The request's trace (FREB), told the verdict when the head is checked. */
    private readonly trace: CacheableEventSink | null = null,
  ) {
    // A traced request asks httpsys to say whether it stored the response (KernelCacheFlags.ReportStore).
    const flags = (logHits ? KernelCacheFlags.LogHits : 0) | (staticFile ? KernelCacheFlags.StaticFile : 0) | (trace !== null ? KernelCacheFlags.ReportStore : 0);
    this.policy = { policy, secondsToLive, flags, file };
  }

  /**
   * The reason the response cannot be cached, or null when it can; traced as HTTPSYS_CACHEABLE. An offered
   * response's event waits for httpsys' verdict (storeVerdict), which may still refuse it.
   */
  check(statusCode: number, headers: readonly string[]): ResponseNotCacheableReason | null {
    const reason = this.verdict(statusCode, headers);
    if (this.trace !== null) {
      if (reason !== null) traceCacheable(this.trace, reason, null);
      else this.verdictEvent = this.trace.deferredEvent('HTTPSYS_CACHEABLE', cacheableData('OK', this.policy.policy));
    }
    return reason;
  }

  /** Whether httpsys will say what it did with the offered response (a CacheStoreVerdict frame). */
  get awaitsStoreVerdict(): boolean {
    return this.verdictEvent !== null;
  }

  /** httpsys stored the response (`OK`) or refused it, and why (KernelCacheStoreVerdict); null: it will not say (connection lost). */
  storeVerdict(verdict: string | null): void {
    const event = this.verdictEvent;
    if (event === null) return;
    this.verdictEvent = null;
    const reason = verdict ?? 'OK'; // unsaid: the worker's own verdict stands
    event(cacheableData(reason, reason === 'OK' ? this.policy.policy : null));
  }

  private verdict(statusCode: number, headers: readonly string[]): ResponseNotCacheableReason | null {
    if (statusCode !== 200) return 'HTTP_STATUS_NOT_OK';
    let length = -1;
    let headerBytes = 0;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      headerBytes += name.length + headers[i + 1]!.length + 4;
      switch (name.toLowerCase()) {
        case 'content-length':
          length = Number(headers[i + 1]);
          break;
        case 'content-encoding':
          return 'DYNAMIC_COMPRESSION_ENABLED';
        case 'set-cookie':
          // Not in Microsoft's list; poolhost never shares one client's cookie with the next.
          return 'RESPONSE_SENDING_RAW_HEADERS';
        case 'vary':
          // Not in Microsoft's list: the entry is keyed by URL alone, so a response that differs by a
          // request header (other than Accept-Encoding, which IdentityOnly covers) would be served to
          // clients it was not made for.
          if (variesBeyondEncoding(headers[i + 1]!)) return 'HANDLER_HTTPSYS_UNFRIENDLY';
          break;
      }
    }
    // Streamed without a length (sent in more than one send call), empty, or larger than maxResponseSize.
    if (!(length > 0 && length <= this.maxResponseSize)) return 'RESPONSE_MORE_DATA';
    if (headerBytes > MAX_HEADER_BYTES) return 'RESPONSE_SENDING_RAW_HEADERS';
    if (length >= this.compressedFrom) this.policy.flags |= KernelCacheFlags.IdentityOnly;
    return null;
  }
}

/** `Vary` naming anything but Accept-Encoding (`*` included). */
function variesBeyondEncoding(value: string): boolean {
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'accept-encoding') return true;
  }
  return false;
}
