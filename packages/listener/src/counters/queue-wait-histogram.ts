// Time from a request's arrival in its queue to its dispatch to a worker, per queue, as bucket counts
// (the buckets of `queueWaitBucketsMs`, then +Inf). A request dispatched at once costs one increment.
import { queueWaitBucketsMs } from '@poolhost/protocol';

export class QueueWaitHistogram {
  readonly buckets: number[] = new Array<number>(queueWaitBucketsMs.length + 1).fill(0);
  sumMs = 0;

  /** Dispatched without waiting. */
  immediate(): void {
    this.buckets[0]!++;
  }

  waited(ms: number): void {
    this.sumMs += ms;
    let slot = 0;
    while (slot < queueWaitBucketsMs.length && ms > queueWaitBucketsMs[slot]!) slot++;
    this.buckets[slot]!++;
  }
}
