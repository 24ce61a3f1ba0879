// A growable ring buffer of requests and the time each was queued: push at the back, take from the
// front, put a retried request back at the front. The times live in a parallel array, so queueing a
// request allocates nothing.
export class RequestDeque<T> {
  private items: Array<T | undefined> = new Array(16);
  private times: number[] = new Array<number>(16).fill(0);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T, time: number): void {
    if (this.count === this.items.length) this.grow();
    const slot = (this.head + this.count) % this.items.length;
    this.items[slot] = item;
    this.times[slot] = time;
    this.count++;
  }

  unshift(item: T, time: number): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = item;
    this.times[this.head] = time;
    this.count++;
  }

  /** When the front item was queued (0 when empty). */
  frontTime(): number {
    return this.count === 0 ? 0 : this.times[this.head]!;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** The queue time of the first item, front to back, for which `matches` is true (-1: none). */
  findTime(matches: (item: T) => boolean): number {
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.items.length;
      if (matches(this.items[slot] as T)) return this.times[slot]!;
    }
    return -1;
  }

  /** Keeps the items for which `keep` returns true, in order. */
  retain(keep: (item: T, time: number) => boolean): void {
    const kept: T[] = [];
    const keptTimes: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.items.length;
      const item = this.items[slot] as T;
      if (keep(item, this.times[slot]!)) {
        kept.push(item);
        keptTimes.push(this.times[slot]!);
      }
    }
    const size = Math.max(16, kept.length * 2);
    this.items = new Array(size);
    this.times = new Array<number>(size).fill(0);
    for (let i = 0; i < kept.length; i++) {
      this.items[i] = kept[i];
      this.times[i] = keptTimes[i]!;
    }
    this.head = 0;
    this.count = kept.length;
  }

  private grow(): void {
    const size = this.items.length * 2;
    const next: Array<T | undefined> = new Array(size);
    const nextTimes = new Array<number>(size).fill(0);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.items.length;
      next[i] = this.items[slot];
      nextTimes[i] = this.times[slot]!;
    }
    this.items = next;
    this.times = nextTimes;
    this.head = 0;
  }
}
