// Receive-side bookkeeping for one stream: bytes consumed but not yet returned to the sender are
// batched into WINDOW_UPDATE frames so a busy stream sends one update per ~64 KiB, not per chunk.
import { WINDOW_UPDATE_THRESHOLD } from './frame-type.js';

export class StreamCredit {
  private unreturned = 0;

  /** Records `bytes` consumed; returns the credit to send now (0 to keep batching). */
  consumed(bytes: number): number {
    this.unreturned += bytes;
    if (this.unreturned < WINDOW_UPDATE_THRESHOLD) return 0;
    const credit = this.unreturned;
    this.unreturned = 0;
    return credit;
  }

  /** Everything not yet returned (e.g. when the consumer catches up after a pause). */
  takeAll(): number {
    const credit = this.unreturned;
    this.unreturned = 0;
    return credit;
  }
}
