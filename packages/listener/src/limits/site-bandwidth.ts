// Site limits@maxBandwidth: the bytes per second all of a site's responses may take together (HTTP.SYS'
// HttpServerQosProperty bandwidth limit). One token bucket per site, kept across routing rebuilds: a
// response's credit towards its worker is charged to the bucket when the client has taken the bytes,
// and once the bucket is in debt the credit is handed back only when the debt is paid — so the worker
// can send no faster than the site's rate. The first stream window of a response (256 KiB) is not
// held back: it was granted when the stream opened.
import type { Logger } from 'pino';

/** The schema's "unlimited" value. */
export const UNLIMITED_BANDWIDTH = 4294967295;

export class BandwidthThrottle {
  private tokens: number;
  private refilledAt = Date.now();
  /** Bytes whose credit was held back, and for how long in all (observability). */
  throttledBytes = 0;
  throttledMs = 0;
  private reported = false;

  constructor(
    readonly siteId: number,
    public bytesPerSecond: number,
    private readonly logger: Logger,
  ) {
    this.tokens = bytesPerSecond;
  }

  /** Charges `bytes`; returns how many ms to wait before their credit may go back (0: at once). */
  charge(bytes: number): number {
    const now = Date.now();
    const rate = this.bytesPerSecond;
    // Up to one second of unused rate is kept as burst.
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) * rate) / 1000);
    this.refilledAt = now;
    this.tokens -= bytes;
    if (this.tokens >= 0) return 0;
    const delay = Math.ceil((-this.tokens * 1000) / rate);
    this.throttledBytes += bytes;
    this.throttledMs += delay;
    if (!this.reported) {
      this.reported = true;
      this.logger.info({ siteId: this.siteId, maxBandwidth: rate }, `site ${this.siteId}: responses throttled to ${rate} bytes/s (limits maxBandwidth)`);
    }
    return delay;
  }
}

export class SiteBandwidthTable {
  private readonly throttles = new Map<number, BandwidthThrottle>();

  constructor(private readonly logger: Logger) {}

  /** The site's throttle, or null when its maxBandwidth is unlimited. */
  forSite(siteId: number, maxBandwidth: number): BandwidthThrottle | null {
    if (maxBandwidth >= UNLIMITED_BANDWIDTH || maxBandwidth <= 0) return null;
    let throttle = this.throttles.get(siteId);
    if (!throttle) this.throttles.set(siteId, (throttle = new BandwidthThrottle(siteId, maxBandwidth, this.logger)));
    else throttle.bytesPerSecond = maxBandwidth;
    return throttle;
  }
}
